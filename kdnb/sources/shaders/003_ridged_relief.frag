// 003 ridged relief: ridged multifractal height field lit by a circling sun
float ridged(vec2 p) {
    float v = 0.0, a = 0.5;
    for (int i = 0; i < 6; i++) { float n = 1.0 - abs(k_gnoise(p)); v += a * n * n; p = k_rot(0.5) * p * 2.1; a *= 0.5; }
    return v;
}
void main() {
    vec2 p = FC.xy / r.y * 2.5 + vec2(t * 0.15, 0.0);
    float h = ridged(p);
    float hx = ridged(p + vec2(0.01, 0.0)), hy = ridged(p + vec2(0.0, 0.01));
    vec3 n = normalize(vec3(h - hx, h - hy, 0.02));
    float d = clamp(dot(n, normalize(vec3(cos(t * 0.3), sin(t * 0.3), 0.6))), 0.0, 1.0);
    vec3 col = k_pal(h + t * 0.02, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.0, 0.1, 0.2)) * (0.25 + 0.75 * d);
    o = vec4(col, 1.0);
}
