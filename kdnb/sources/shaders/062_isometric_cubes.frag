// 062 isometric cubes: tumbling-block illusion, a hexagonal grid split into three shaded rhombi per cell
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * (5.0 + sin(t * 0.2)) + vec2(t * 0.2, 0.0);
    vec2 s = vec2(1.7320508, 1.0);
    vec2 a = mod(p, s) - 0.5 * s, c = mod(p - 0.5 * s, s) - 0.5 * s;
    vec2 g = dot(a, a) < dot(c, c) ? a : c;
    vec2 id = p - g;
    float ang = atan(g.y, g.x);
    float face = floor(mod((ang + 3.1415926 / 2.0) / 2.0943951, 3.0));
    float shade = face == 0.0 ? 1.0 : (face == 1.0 ? 0.65 : 0.35);
    vec3 base = k_hsv(k_hash12(floor(id * 2.0)) * 0.3 + t * 0.02, 0.6, 1.0);
    o = vec4(base * shade, 1.0);
}
