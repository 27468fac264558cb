// 036 triangle grid: equilateral triangular tiling with cells flashing in random order
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * 5.0 + vec2(0.0, t * 0.3);
    p = k_rot(t * 0.05) * p;
    vec2 q = vec2(p.x - p.y * 0.5773503, p.y * 1.1547005);
    vec2 id = floor(q), f = fract(q);
    float up = step(f.x + f.y, 1.0);
    vec2 cell = id * 2.0 + vec2(up, 0.0);
    float e = up > 0.5 ? min(min(f.x, f.y), 1.0 - f.x - f.y) : min(min(1.0 - f.x, 1.0 - f.y), f.x + f.y - 1.0);
    float flash = 0.5 + 0.5 * sin(t * 2.0 + 6.2831853 * k_hash12(cell));
    vec3 col = k_pal(k_hash12(cell + 3.0) * 0.5 + t * 0.03, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.0, 0.33, 0.67));
    col = col * (0.3 + 0.7 * flash) * smoothstep(0.0, 0.05, e);
    o = vec4(col, 1.0);
}
