// 020 mandelbox slice: the 2-D Mandelbox map (box fold, sphere fold, scale) with a breathing scale factor
void main() {
    vec2 c = (FC.xy * 2.0 - r) / r.y * 3.5;
    vec2 z = c;
    float dr = 1.0, sc = -1.8 + 0.4 * sin(t * 0.3);
    float trap = 1e3;
    for (int i = 0; i < 14; i++) {
        z = clamp(z, -1.0, 1.0) * 2.0 - z;
        float r2 = dot(z, z);
        if (r2 < 0.25) { z *= 4.0; dr *= 4.0; } else if (r2 < 1.0) { z /= r2; dr /= r2; }
        z = z * sc + c;
        dr = dr * abs(sc) + 1.0;
        trap = min(trap, r2);
    }
    float d = length(z) / abs(dr);
    vec3 col = k_pal(log(d + 1e-4) * 0.15 + t * 0.02, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.0, 0.1, 0.2));
    o = vec4(col * (0.4 + 0.6 * exp(-trap)), 1.0);
}
