// 040 wave sources: interference of circular waves from four moving point emitters
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y;
    float h = 0.0;
    for (int i = 0; i < 4; i++) {
        float fi = float(i);
        vec2 c = 0.7 * vec2(sin(t * 0.2 + fi * 1.9), cos(t * 0.27 + fi * 2.6));
        float d = length(p - c);
        h += sin(d * 30.0 - t * 4.0 + fi) / (1.0 + 3.0 * d);
    }
    vec3 col = mix(vec3(0.0, 0.1, 0.3), vec3(0.6, 0.9, 1.0), 0.5 + 0.35 * h);
    col += vec3(1.0, 0.9, 0.7) * pow(max(h, 0.0), 3.0) * 0.3;
    o = vec4(col, 1.0);
}
