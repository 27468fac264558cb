// 032 hex grid: hexagonal tiling with per-cell colours pulsing in a travelling wave and bevelled edges
vec4 hexCell(vec2 p) {
    vec2 s = vec2(1.0, 1.7320508);
    vec2 a = mod(p, s) - 0.5 * s, c = mod(p - 0.5 * s, s) - 0.5 * s;
    vec2 g = dot(a, a) < dot(c, c) ? a : c;
    return vec4(g, p - g);
}
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * 6.0 + vec2(t * 0.3, 0.0);
    vec4 h = hexCell(p);
    vec2 g = abs(h.xy);
    float edge = 0.5 - max(dot(g, vec2(0.5, 0.8660254)), g.x);
    float wave = sin(length(h.zw) * 0.8 - t * 2.0);
    vec3 col = k_hsv(k_hash12(floor(h.zw * 4.0)) * 0.2 + 0.55 + 0.1 * wave, 0.7, 0.6 + 0.4 * wave);
    col *= smoothstep(0.0, 0.08, edge);
    o = vec4(col, 1.0);
}
