// 046 spiral galaxy: logarithmic spiral arms over noise, a bright core and scattered stars
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y * 1.3;
    p = k_rot(t * 0.2) * p;
    float rad = length(p), a = atan(p.y, p.x);
    float arms = 0.5 + 0.5 * cos(2.0 * (a - log(rad + 1e-3) * 2.2));
    float dust = k_fbm(vec2(a * 2.0, log(rad + 1e-3) * 3.0) * 1.5 + 3.0);
    float glow = exp(-rad * 2.5) * (0.3 + 0.7 * pow(arms, 3.0) * dust * 2.0);
    vec3 col = glow * mix(vec3(1.0, 0.8, 0.6), vec3(0.4, 0.6, 1.0), clamp(rad, 0.0, 1.0)) * 2.0;
    col += vec3(1.0, 0.9, 0.7) * exp(-rad * 12.0);
    col += vec3(step(0.995, k_hash12(FC.xy * 0.5 + floor(t))));
    o = vec4(col, 1.0);
}
