// 028 pillar hall: endless repeated rounded columns over a checker floor, with fog and a swaying camera
float map(vec3 p) {
    vec2 q = mod(p.xz, 3.0) - 1.5;
    float col = length(q) - 0.35 - 0.05 * sin(p.y * 6.0);
    return min(col, p.y + 1.0);
}
void main() {
    vec2 uv = (FC.xy * 2.0 - r) / r.y;
    vec3 ro = vec3(1.5 * sin(t * 0.2) + 1.5, 0.2, t);
    vec3 rd = normalize(vec3(uv, 1.3));
    rd.xz = k_rot(0.5 * sin(t * 0.3)) * rd.xz;
    float dist = 0.0;
    for (int i = 0; i < 70; i++) { float d = map(ro + rd * dist); if (d < 0.002 || dist > 25.0) break; dist += d; }
    vec3 pos = ro + rd * dist;
    vec3 c;
    if (pos.y < -0.99) {
        vec2 g = floor(pos.xz);
        c = mod(g.x + g.y, 2.0) < 1.0 ? vec3(0.8, 0.75, 0.7) : vec3(0.2, 0.2, 0.25);
    } else {
        c = k_hsv(0.1 + t * 0.03 + 0.1 * floor(pos.z / 3.0), 0.4, 0.9) * (0.5 + 0.5 * fract(pos.y * 2.0));
    }
    c = mix(c, vec3(0.5, 0.55, 0.7), 1.0 - exp(-0.006 * dist * dist));
    o = vec4(c, 1.0);
}
