// 058 aurora: curtains of green-violet light from noise-displaced vertical bands over a dark horizon
void main() {
    vec2 uv = FC.xy / r;
    vec3 col = mix(vec3(0.0, 0.02, 0.06), vec3(0.02, 0.05, 0.15), uv.y);
    for (int i = 0; i < 4; i++) {
        float fi = float(i);
        float x = uv.x * (2.0 + fi) + t * 0.1 * (1.0 + fi);
        float y0 = 0.45 + 0.15 * k_gnoise(vec2(x, fi * 3.0)) + 0.05 * sin(x * 6.0 + t);
        float band = exp(-abs(uv.y - y0) * 18.0) * step(y0 - 0.02, uv.y) + exp(-max(uv.y - y0, 0.0) * 5.0) * step(y0, uv.y) * 0.6;
        col += band * mix(vec3(0.1, 0.9, 0.5), vec3(0.6, 0.2, 0.9), fi / 3.0) * (0.4 + 0.6 * k_vnoise(vec2(x * 20.0, t)));
    }
    col *= smoothstep(0.08, 0.15, uv.y);
    o = vec4(col, 1.0);
}
