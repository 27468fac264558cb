// 008 worley cells: cellular (F1) noise with wandering feature points, each cell its own hue
void main() {
    vec2 p = FC.xy / r.y * 5.0 + t * 0.2;
    vec2 ip = floor(p), fp = fract(p), id = ip;
    float d1 = 8.0;
    for (int j = -1; j <= 1; j++)
        for (int i = -1; i <= 1; i++) {
            vec2 g = vec2(i, j), c = k_hash22(ip + g);
            c = 0.5 + 0.4 * sin(t * 0.8 + 6.2831853 * c);
            float d = length(g + c - fp);
            if (d < d1) { d1 = d; id = ip + g; }
        }
    vec3 col = k_hsv(k_hash12(id), 0.65, 1.0) * (1.0 - 0.9 * d1);
    o = vec4(col, 1.0);
}
