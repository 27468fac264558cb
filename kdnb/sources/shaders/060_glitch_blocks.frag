// 060 glitch blocks: recursive random block subdivision with per-block colour, stripes and time jumps
void main() {
    vec2 uv = FC.xy / r;
    float step_t = floor(t * 3.0);
    vec2 cell = vec2(0.0), size = vec2(1.0);
    for (int i = 0; i < 5; i++) {
        vec2 sub = floor((uv - cell) / size * 2.0);
        if (k_hash13(vec3(cell * 97.0, step_t + float(i))) < 0.15 * float(i)) break;
        size *= 0.5;
        cell += sub * size;
    }
    float h = k_hash13(vec3(cell * 31.0, step_t));
    vec3 col = k_hsv(h, 0.6 + 0.4 * k_hash12(cell * 53.0), 0.3 + 0.7 * k_hash12(cell * 71.0 + 1.0));
    col *= 0.75 + 0.25 * sin(uv.y * r.y * 0.8 + h * 20.0);
    if (h > 0.8) col = col.brg;
    o = vec4(col, 1.0);
}
