// 054 op art: black-and-colour stripes bent by a moving lens bulge (Bridget Riley style)
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y;
    vec2 c = 0.3 * vec2(sin(t * 0.4), cos(t * 0.3));
    float d = length(p - c);
    float bulge = exp(-d * d * 8.0) * (0.6 + 0.3 * sin(t * 0.7));
    float stripes = sin((p.y + bulge * (p.y - c.y) * 2.0) * 60.0 + sin(p.x * 4.0 + t) * 3.0);
    vec3 col = mix(vec3(0.02), k_hsv(0.0 + 0.5 * step(0.0, p.x - c.x) + t * 0.02, 0.7, 1.0), smoothstep(-0.3, 0.3, stripes));
    o = vec4(col, 1.0);
}
