// 001 fbm clouds: value-noise fbm drifting over a sky colour ramp that shifts towards dusk
void main() {
    vec2 p = FC.xy / r.y * 3.0;
    float v = k_fbm(p + vec2(t * 0.3, t * 0.1) + k_fbm(p * 0.5 - t * 0.05));
    vec3 sky = mix(vec3(0.1, 0.25, 0.6), vec3(0.55, 0.2, 0.35), 0.5 + 0.5 * sin(t * 0.4));
    vec3 col = mix(sky, vec3(1.0, 0.95, 0.85), smoothstep(0.35, 0.8, v));
    o = vec4(col, 1.0);
}
