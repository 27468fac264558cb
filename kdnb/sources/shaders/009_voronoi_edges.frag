// 009 voronoi edges: F2 - F1 cell borders glowing over a tinted noise ground
void main() {
    vec2 p = k_rot(t * 0.05) * (FC.xy * 2.0 - r) / r.y * 3.0;
    vec2 ip = floor(p), fp = fract(p);
    float d1 = 8.0, d2 = 8.0;
    for (int j = -1; j <= 1; j++)
        for (int i = -1; i <= 1; i++) {
            vec2 g = vec2(i, j), c = k_hash22(ip + g);
            c = 0.5 + 0.45 * sin(t * 0.6 + 6.2831853 * c);
            float d = dot(g + c - fp, g + c - fp);
            if (d < d1) { d2 = d1; d1 = d; } else if (d < d2) { d2 = d; }
        }
    float e = sqrt(d2) - sqrt(d1);
    vec3 ground = k_pal(k_vnoise(p) + t * 0.05, vec3(0.3), vec3(0.3), vec3(1.0), vec3(0.6, 0.7, 0.8));
    vec3 col = mix(vec3(0.9, 0.95, 1.0), ground, smoothstep(0.0, 0.12, e));
    o = vec4(col, 1.0);
}
