// 013 julia orbit: Julia set whose constant c travels around the main cardioid's neighbourhood
void main() {
    vec2 z = (FC.xy * 2.0 - r) / r.y * 1.3;
    vec2 c = 0.7885 * vec2(cos(t * 0.35 + 1.0), sin(t * 0.35 + 1.0));
    float n = 0.0;
    for (int i = 0; i < 120; i++) {
        z = vec2(z.x * z.x - z.y * z.y, 2.0 * z.x * z.y) + c;
        if (dot(z, z) > 64.0) break;
        n += 1.0;
    }
    float sm = n - log2(log2(max(dot(z, z), 1.0001)));
    vec3 col = k_hsv(0.55 + sm * 0.015 + t * 0.01, 0.75, clamp(sm * 0.07, 0.0, 1.0));
    o = vec4(n > 119.0 ? vec3(0.9, 0.85, 0.6) * 0.3 : col, 1.0);
}
