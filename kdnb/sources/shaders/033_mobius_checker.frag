// 033 mobius checker: a checkerboard seen through a rotating Mobius transformation (z - a) / (1 - conj(a) z)
vec2 cmul(vec2 a, vec2 c) { return vec2(a.x * c.x - a.y * c.y, a.x * c.y + a.y * c.x); }
vec2 cdiv(vec2 a, vec2 c) { return vec2(a.x * c.x + a.y * c.y, a.y * c.x - a.x * c.y) / dot(c, c); }
void main() {
    vec2 z = (FC.xy * 2.0 - r) / r.y * 1.2;
    vec2 a = 0.6 * vec2(cos(t * 0.3), sin(t * 0.41));
    vec2 w = cdiv(z - a, vec2(1.0, 0.0) - cmul(vec2(a.x, -a.y), z));
    w = k_rot(t * 0.2) * w * 4.0;
    vec2 g = floor(w);
    float chk = mod(g.x + g.y, 2.0);
    vec3 col = mix(k_hsv(0.0 + t * 0.03, 0.8, 0.9), k_hsv(0.5 + t * 0.03, 0.6, 0.3), chk);
    col *= 0.6 + 0.4 * smoothstep(0.0, 1.0, 1.5 - length(z));
    o = vec4(col, 1.0);
}
