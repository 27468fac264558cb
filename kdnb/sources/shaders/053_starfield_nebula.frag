// 053 starfield nebula: parallax layers of stars streaming past over a coloured fbm nebula
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y;
    vec3 col = k_pal(k_fbm(p * 2.0 + t * 0.05), vec3(0.2, 0.1, 0.3), vec3(0.2, 0.2, 0.3), vec3(1.0), vec3(0.0, 0.2, 0.5 + 0.05 * t));
    for (int i = 0; i < 4; i++) {
        float depth = 1.0 + float(i) * 0.8;
        vec2 q = p * (6.0 * depth) + vec2(t * 2.0 / depth, float(i) * 7.0);
        vec2 id = floor(q), f = fract(q) - 0.5;
        vec2 off = k_hash22(id) - 0.5;
        float d = length(f - off * 0.7);
        float star = smoothstep(0.12 / depth, 0.0, d) * step(0.6, k_hash12(id + 3.0));
        col += star * k_hsv(k_hash12(id + 9.0), 0.3, 1.2);
    }
    o = vec4(col, 1.0);
}
