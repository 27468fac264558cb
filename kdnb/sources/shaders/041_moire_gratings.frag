// 041 moire gratings: two line gratings at slowly varying angles multiplied together
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y;
    float f1 = 10.0, f2 = 10.5 + 1.5 * sin(t * 0.13);
    float g1 = step(0.5, fract(dot(p, vec2(cos(t * 0.05), sin(t * 0.05))) * f1));
    float g2 = step(0.5, fract(dot(p, vec2(cos(0.1 + t * 0.08), sin(0.1 + t * 0.08))) * f2));
    vec3 c1 = k_hsv(0.1 + t * 0.02, 0.7, 1.0), c2 = k_hsv(0.6 + t * 0.02, 0.7, 1.0);
    vec3 col = mix(vec3(0.05), c1, g1) * mix(vec3(0.3), c2, g2) * 1.4;
    o = vec4(col, 1.0);
}
