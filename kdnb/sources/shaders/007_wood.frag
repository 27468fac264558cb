// 007 wood: noise-distorted elliptical growth rings with fibre grain
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y;
    p = k_rot(t * 0.1) * p + vec2(0.3 * sin(t * 0.2), 0.2);
    float d = length(p * vec2(1.0, 2.5)) * 4.0 + k_fbm(p * 3.0 + t * 0.05) * 3.0;
    float g = fract(d);
    g = smoothstep(0.0, 0.2, g) * smoothstep(1.0, 0.6, g);
    vec3 lite = k_pal(t * 0.03, vec3(0.7, 0.5, 0.3), vec3(0.1), vec3(1.0), vec3(0.0, 0.2, 0.4));
    vec3 col = mix(vec3(0.3, 0.15, 0.06), lite, g) * (0.8 + 0.2 * k_vnoise(k_rot(t * 0.1) * p * vec2(40.0, 3.0)));
    o = vec4(col, 1.0);
}
