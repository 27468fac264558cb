// 045 polar rose: several rose curves r = cos(k theta) drawn as glowing bands, k changing with time
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y * 1.1;
    float rad = length(p), a = atan(p.y, p.x);
    vec3 col = vec3(0.02, 0.0, 0.05);
    for (int i = 0; i < 3; i++) {
        float fi = float(i);
        float k = 2.0 + fi + floor(mod(t * 0.3 + fi, 4.0));
        float rr = abs(cos(k * a + t * (0.2 + 0.1 * fi))) * (0.9 - 0.2 * fi);
        col += k_hsv(fi / 3.0 + t * 0.05, 0.8, 1.0) * smoothstep(0.06, 0.0, abs(rad - rr)) ;
        col += k_hsv(fi / 3.0 + t * 0.05, 0.6, 0.3) * step(rad, rr);
    }
    o = vec4(col, 1.0);
}
