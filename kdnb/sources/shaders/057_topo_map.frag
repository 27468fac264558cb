// 057 topo map: hypsometric tints of an fbm landscape with contour lines, scrolling like a map
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * 2.5 + vec2(t * 0.1, t * 0.05);
    float h = k_fbm(p);
    float lines = abs(fract(h * 14.0) - 0.5);
    vec3 tint = h < 0.42 ? mix(vec3(0.1, 0.3, 0.6), vec3(0.4, 0.7, 0.9), h / 0.42)
                         : mix(vec3(0.3, 0.6, 0.25), vec3(0.7, 0.55, 0.35), smoothstep(0.42, 0.8, h));
    tint = mix(tint, vec3(1.0), smoothstep(0.75, 0.85, h));
    vec3 col = tint * (0.55 + 0.45 * smoothstep(0.0, 0.12, lines));
    o = vec4(col, 1.0);
}
