// 030 truchet arcs: quarter-circle Truchet tiles with random orientation forming meandering bands
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * (5.0 + 2.0 * sin(t * 0.2)) + vec2(t * 0.4, t * 0.25);
    vec2 id = floor(p), f = fract(p) - 0.5;
    if (k_hash12(id) < 0.5) f.x = -f.x;
    vec2 c = f - sign(f.x + f.y + 1e-6) * 0.5;
    float d = abs(length(c) - 0.5);
    float band = smoothstep(0.14, 0.1, d);
    float phase = atan(c.y, c.x) * 4.0 + t * 3.0;
    vec3 col = mix(k_hsv(0.6 + t * 0.02, 0.5, 0.25), k_hsv(0.08 + 0.1 * sin(phase), 0.8, 1.0), band);
    o = vec4(col, 1.0);
}
