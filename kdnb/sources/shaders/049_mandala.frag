// 049 mandala: noise folded into a rotating kaleidoscope with 6-12 mirrored sectors
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y;
    float n = 6.0 + 2.0 * floor(mod(t * 0.25, 4.0));
    float a = atan(p.y, p.x) + t * 0.1, rad = length(p);
    float sector = 6.2831853 / n;
    a = abs(mod(a, sector) - 0.5 * sector);
    vec2 q = vec2(cos(a), sin(a)) * rad * 3.0;
    float v = k_fbm(q + vec2(t * 0.2, 0.0));
    float rings = 0.5 + 0.5 * sin(rad * 20.0 - t);
    vec3 col = k_pal(v + rad * 0.5 + t * 0.03, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.0, 0.1, 0.2));
    col *= 0.6 + 0.4 * rings;
    o = vec4(col, 1.0);
}
