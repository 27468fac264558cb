// 048 starburst: angular rays of varying width radiating from a wandering centre, with halo rings
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y;
    vec2 c = 0.3 * vec2(sin(t * 0.3), cos(t * 0.4));
    vec2 d = p - c;
    float a = atan(d.y, d.x), rad = length(d);
    float n = 12.0 + 6.0 * floor(mod(t * 0.2, 3.0));
    float rays = 0.5 + 0.5 * sin(a * n + sin(a * 3.0 + t) * 2.0 + t * 0.5);
    rays = pow(rays, 3.0);
    vec3 col = mix(k_hsv(0.62 + t * 0.02, 0.8, 0.3), k_hsv(0.12 + t * 0.02, 0.7, 1.0), rays * exp(-rad * 0.8));
    col += vec3(0.8, 0.6, 1.0) * 0.4 * smoothstep(0.04, 0.0, abs(fract(rad * 3.0 - t * 0.3) - 0.5) - 0.45);
    o = vec4(col, 1.0);
}
