// 047 polar tunnel: classic demo tunnel, texture coordinates (1/r, angle) scrolled into the screen
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y;
    p += 0.2 * vec2(sin(t * 0.7), cos(t * 0.5));
    float rad = length(p), a = atan(p.y, p.x) / 3.1415926;
    vec2 uv = vec2(0.4 / rad + t * 0.8, a * 2.0 + t * 0.1);
    float chk = mod(floor(uv.x * 4.0) + floor(uv.y * 4.0), 2.0);
    vec3 tex = mix(k_hsv(0.6 + 0.2 * sin(uv.x), 0.6, 1.0), k_hsv(0.1, 0.8, 0.7), chk);
    tex *= 0.6 + 0.4 * k_vnoise(uv * 8.0);
    o = vec4(tex * smoothstep(0.0, 0.6, rad), 1.0);
}
