// 038 moire rings: two sets of fine concentric rings whose centres drift apart, beating into moire fringes
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y;
    vec2 c1 = 0.4 * vec2(sin(t * 0.3), cos(t * 0.4)), c2 = -0.4 * vec2(cos(t * 0.23), sin(t * 0.37));
    float k = 25.0 + 8.0 * sin(t * 0.1);
    float a = sin(length(p - c1) * k), c = sin(length(p - c2) * k);
    vec3 col = vec3(0.5 + 0.5 * a * c) * k_hsv(0.6 + 0.1 * sin(t * 0.2), 0.4, 1.0);
    col += 0.25 * vec3(step(0.0, a), step(0.0, c), 0.5);
    o = vec4(col, 1.0);
}
