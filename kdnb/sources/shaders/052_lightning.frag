// 052 lightning: jagged electric arcs built from displaced noise lines glowing against a storm sky
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y;
    vec3 col = mix(vec3(0.05, 0.03, 0.12), vec3(0.15, 0.1, 0.3), k_fbm(p * 3.0 + t * 0.2));
    for (int i = 0; i < 3; i++) {
        float fi = float(i);
        float seed = floor(t * 2.0) + fi * 17.0;
        float x = (k_hash11(seed) - 0.5) * 0.8 + 0.3 * k_gnoise(vec2(p.y * 3.0, seed)) + 0.08 * k_gnoise(vec2(p.y * 15.0, seed + 5.0));
        float d = abs(p.x - x);
        col += vec3(0.6, 0.7, 1.0) * (0.004 / (d + 0.002)) * (0.5 + 0.5 * k_hash11(seed + 3.0));
    }
    o = vec4(col, 1.0);
}
