// 050 zebra labyrinth: thresholded sine of a warped fbm field, giving maze-like animal stripes
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * 3.0;
    float v = k_fbm(p + vec2(0.0, t * 0.1)) * 40.0 + k_gnoise(p * 2.0 - t * 0.1) * 3.0;
    float s1 = smoothstep(-0.2, 0.2, sin(v));
    vec3 ca = k_hsv(0.08 + t * 0.01, 0.6, 0.95), cb = k_hsv(0.75 + t * 0.01, 0.5, 0.12);
    o = vec4(mix(cb, ca, s1), 1.0);
}
