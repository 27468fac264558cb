// 034 brick wall: running-bond bricks with per-brick tint and noise, mortar lines, and a moving light
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * vec2(4.0, 8.0) * (1.0 + 0.3 * sin(t * 0.2)) + vec2(t * 0.3, 0.0);
    float row = floor(p.y);
    p.x += 0.5 * mod(row, 2.0);
    vec2 id = floor(p), f = fract(p);
    float mortar = smoothstep(0.0, 0.06, min(min(f.x, 1.0 - f.x) * 0.5, min(f.y, 1.0 - f.y)));
    vec3 brick = mix(vec3(0.55, 0.2, 0.12), vec3(0.75, 0.4, 0.25), k_hash12(id)) * (0.8 + 0.3 * k_vnoise(p * vec2(12.0, 6.0)));
    vec3 col = mix(vec3(0.7, 0.68, 0.62), brick, mortar);
    vec2 lp = vec2(sin(t * 0.5), cos(t * 0.4)) * 0.6;
    col *= 1.2 - 0.8 * length((FC.xy - 0.5 * r) / r.y - lp);
    o = vec4(col, 1.0);
}
