// 039 quasicrystal: sum of seven plane waves at equally spaced angles with moving phases
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * (30.0 + 10.0 * sin(t * 0.1));
    float v = 0.0;
    for (int i = 0; i < 7; i++) {
        float a = float(i) * 3.1415926 / 7.0;
        v += cos(dot(p, vec2(cos(a), sin(a))) + t * (1.0 + 0.1 * float(i)));
    }
    v = v / 7.0;
    vec3 col = k_pal(v * 0.8 + t * 0.03, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.0, 0.2, 0.4));
    o = vec4(col, 1.0);
}
