// 002 marble: gradient-noise turbulence bending sine veins through stone
void main() {
    vec2 p = FC.xy / r.y * 4.0;
    vec2 q = p + vec2(0.0, t * 0.2);
    float n = 0.0, a = 1.0;
    for (int i = 0; i < 5; i++) { n += a * abs(k_gnoise(q)); q = k_rot(0.7) * q * 2.0; a *= 0.5; }
    float v = 0.5 + 0.5 * sin(p.x * 2.0 + p.y + n * 7.0 + t * 0.5);
    vec3 stone = k_pal(t * 0.05, vec3(0.6), vec3(0.3), vec3(1.0), vec3(0.0, 0.15, 0.3));
    vec3 col = mix(vec3(0.12, 0.08, 0.1), stone, pow(v, 0.5));
    o = vec4(col, 1.0);
}
