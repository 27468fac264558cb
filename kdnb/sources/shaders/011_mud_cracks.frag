// 011 mud cracks: two scales of voronoi cracks cut into fbm-coloured dried earth
float cracks(vec2 p) {
    vec2 ip = floor(p), fp = fract(p);
    float d1 = 8.0, d2 = 8.0;
    for (int j = -1; j <= 1; j++)
        for (int i = -1; i <= 1; i++) {
            vec2 g = vec2(i, j), c = k_hash22(ip + g);
            float d = length(g + c - fp);
            if (d < d1) { d2 = d1; d1 = d; } else if (d < d2) { d2 = d; }
        }
    return d2 - d1;
}
void main() {
    vec2 p = FC.xy / r.y * 3.0 + vec2(t * 0.1, -t * 0.07);
    p += 0.15 * vec2(k_gnoise(p * 3.0), k_gnoise(p * 3.0 + 9.0));
    float c = min(cracks(p), cracks(p * 2.7 + 4.0) * 1.5);
    vec3 earth = mix(vec3(0.55, 0.4, 0.25), vec3(0.8, 0.7, 0.5), k_fbm(p * 4.0));
    earth *= 0.8 + 0.4 * sin(t * 0.3 + vec3(0.0, 0.4, 0.8)) * 0.5;
    vec3 col = mix(vec3(0.1, 0.06, 0.04), earth, smoothstep(0.02, 0.08, c));
    o = vec4(col, 1.0);
}
