// 043 hsv plasma: layered trigonometric field mapped to hue, with value modulated by a second field
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * 4.0;
    float a = sin(p.x * 1.3 + t) * cos(p.y * 0.7 - t * 0.6) + sin(length(p) * 2.0 - t * 1.4);
    float c = cos(p.x * p.y * 0.3 + t * 0.5);
    vec3 col = k_hsv(a * 0.25 + t * 0.05, 0.8, 0.55 + 0.45 * c);
    o = vec4(col, 1.0);
}
