// 018 apollonian: circle-inversion gasket (fold into a cell, invert in the unit circle), coloured by depth
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y * (1.0 + 0.3 * sin(t * 0.25)) + vec2(0.2 * t, 0.0);
    float sc = 1.0;
    for (int i = 0; i < 8; i++) {
        p = -1.0 + 2.0 * fract(0.5 * p + 0.5);
        float k = (1.15 + 0.1 * sin(t * 0.5)) / dot(p, p);
        p *= k;
        sc *= k;
    }
    float d = 0.25 * abs(p.y) / sc;
    vec3 col = k_pal(log(sc) * 0.08 + t * 0.03, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.1, 0.4, 0.7));
    o = vec4(col * smoothstep(0.0, 0.01, d) + vec3(0.05) * (1.0 - smoothstep(0.0, 0.01, d)), 1.0);
}
