// 004 domain warp: fbm of fbm of fbm (nested domain warping), coloured by the warp fields
void main() {
    vec2 p = FC.xy / r.y * 3.0;
    vec2 q = vec2(k_fbm(p + t * 0.1), k_fbm(p + vec2(5.2, 1.3)));
    vec2 w = vec2(k_fbm(p + 4.0 * q + vec2(1.7, 9.2) + 0.15 * t), k_fbm(p + 4.0 * q + vec2(8.3, 2.8) - 0.12 * t));
    float v = k_fbm(p + 4.0 * w);
    vec3 col = mix(vec3(0.1, 0.3, 0.4), vec3(0.95, 0.6, 0.2), clamp(v * v * 2.5, 0.0, 1.0));
    col = mix(col, vec3(0.0, 0.0, 0.25), clamp(length(q) - 0.4, 0.0, 1.0));
    col = mix(col, vec3(0.9, 0.9, 1.0), clamp(w.x * w.x, 0.0, 1.0) * 0.6);
    o = vec4(col, 1.0);
}
