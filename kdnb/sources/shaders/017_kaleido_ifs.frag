// 017 kaleidoscopic IFS: repeated abs-fold, shift, rotate and scale of the plane, glow accumulated per step
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y * 1.5;
    float acc = 0.0;
    for (int i = 0; i < 10; i++) {
        p = abs(p) - vec2(0.5 + 0.2 * sin(t * 0.3), 0.4 + 0.2 * cos(t * 0.23));
        p = k_rot(t * 0.1 + float(i) * 0.4) * p * 1.35;
        acc += exp(-length(p) * 2.0);
    }
    vec3 col = k_pal(acc * 0.3 + length(p) * 0.02, vec3(0.5), vec3(0.5), vec3(1.0, 1.0, 0.5), vec3(0.8, 0.9, 0.3));
    o = vec4(col * (0.3 + 0.7 * clamp(acc * 0.4, 0.0, 1.0)), 1.0);
}
