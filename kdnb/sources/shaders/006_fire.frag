// 006 fire: rising turbulent flames (abs-noise turbulence against a height falloff) with a blackbody ramp
void main() {
    vec2 uv = FC.xy / r;
    vec2 p = vec2(uv.x * 3.0 + sin(t * 0.7), uv.y * 2.0 - t * 1.2);
    float n = 0.0, a = 0.5;
    for (int i = 0; i < 5; i++) { n += a * abs(k_gnoise(p)); p *= 2.0; a *= 0.5; }
    float v = clamp((1.15 - uv.y) * 1.3 - n * 1.2 + 0.15 * sin(t + uv.x * 6.0), 0.0, 1.0);
    vec3 col = vec3(1.6 * v, 1.3 * v * v, 0.9 * pow(v, 4.0)) + vec3(0.05, 0.02, 0.08) * (1.0 - v);
    o = vec4(col, 1.0);
}
