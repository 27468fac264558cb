// 059 dot rings: concentric rings of dots rotating at different speeds, sizes pulsing per ring
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y * 1.2;
    float rad = length(p), a = atan(p.y, p.x);
    float ring = floor(rad * 8.0 + 0.5);
    float nd = max(1.0, floor(ring * 6.0));
    float spin = t * (0.3 + 0.2 * sin(ring * 1.7)) * (mod(ring, 2.0) * 2.0 - 1.0);
    float cell = 6.2831853 / nd;
    float aa = mod(a + spin, cell) - 0.5 * cell;
    vec2 local = vec2(rad - ring / 8.0, aa * ring / 8.0);
    float size = 0.03 + 0.02 * sin(t * 2.0 + ring);
    float dotv = smoothstep(size, size * 0.6, length(local));
    vec3 col = mix(vec3(0.05, 0.05, 0.1), k_hsv(ring * 0.08 + t * 0.05, 0.7, 1.0), dotv);
    o = vec4(col, 1.0);
}
