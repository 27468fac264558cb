// 005 flow ink: coordinates advected through layered sine flows, hue from the final flow direction
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y * 2.0;
    for (int i = 1; i < 6; i++) {
        float fi = float(i);
        p += 0.6 / fi * vec2(sin(p.y * fi + t * 0.4 + k_gnoise(p * 0.5)), cos(p.x * fi - t * 0.3));
    }
    float a = atan(p.y, p.x);
    vec3 col = k_hsv(a / 6.2831853 + t * 0.05, 0.7, 0.55 + 0.45 * sin(length(p) * 3.0));
    o = vec4(col, 1.0);
}
