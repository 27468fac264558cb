// 044 lava lamp: 2-D metaball field of rising and sinking blobs, thresholded with a soft glow
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y;
    float field = 0.0;
    for (int i = 0; i < 8; i++) {
        float fi = float(i);
        vec2 c = vec2(0.35 * sin(fi * 2.1 + t * 0.2), 0.45 * sin(t * (0.3 + 0.05 * fi) + fi * 1.3));
        field += (0.012 + 0.006 * sin(fi)) / dot(p - c, p - c);
    }
    vec3 bg = mix(vec3(0.25, 0.05, 0.3), vec3(0.05, 0.05, 0.2), p.y + 0.5);
    vec3 blob = mix(vec3(1.0, 0.35, 0.1), vec3(1.0, 0.9, 0.3), clamp(field - 1.0, 0.0, 1.0));
    vec3 col = mix(bg, blob, smoothstep(0.9, 1.0, field)) + vec3(0.3, 0.1, 0.0) * clamp(field * 0.5, 0.0, 1.0);
    o = vec4(col, 1.0);
}
