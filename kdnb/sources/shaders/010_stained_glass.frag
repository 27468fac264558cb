// 010 stained glass: flat-coloured voronoi panes separated by dark leading, lit from behind
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * 4.0 + vec2(sin(t * 0.2), cos(t * 0.15)) * 2.0;
    vec2 ip = floor(p), fp = fract(p), id = ip;
    float d1 = 8.0, d2 = 8.0;
    for (int j = -1; j <= 1; j++)
        for (int i = -1; i <= 1; i++) {
            vec2 g = vec2(i, j), c = k_hash22(ip + g);
            float d = length(g + c - fp);
            if (d < d1) { d2 = d1; d1 = d; id = ip + g; } else if (d < d2) { d2 = d; }
        }
    vec3 pane = k_hsv(k_hash12(id) + t * 0.02, 0.8, 0.9);
    float glow = 0.6 + 0.4 * sin(t + 6.2831853 * k_hash12(id + 7.0));
    vec3 col = pane * glow * smoothstep(0.03, 0.08, d2 - d1);
    o = vec4(col, 1.0);
}
