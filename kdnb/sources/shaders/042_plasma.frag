// 042 plasma: classic demoscene plasma, a sum of sines in x, y, radius and a moving centre
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y * 3.0;
    float v = sin(p.x + t) + sin((p.y + t) * 0.5) + sin((p.x + p.y + t) * 0.5);
    vec2 c = p + vec2(sin(t / 3.0), cos(t / 2.0)) * 2.0;
    v += sin(sqrt(dot(c, c) + 1.0) + t);
    vec3 col = vec3(sin(v * 3.1415926), sin(v * 3.1415926 + 2.0), cos(v * 3.1415926)) * 0.5 + 0.5;
    o = vec4(col, 1.0);
}
