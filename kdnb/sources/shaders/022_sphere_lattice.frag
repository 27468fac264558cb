// 022 sphere lattice: flying through an infinite repeated grid of spheres with fog and diffuse light
float map(vec3 p) {
    vec3 q = mod(p, 2.0) - 1.0;
    return length(q) - 0.35 - 0.1 * sin(t + dot(floor(p * 0.5), vec3(1.0, 2.0, 3.0)));
}
void main() {
    vec2 uv = (FC.xy * 2.0 - r) / r.y;
    vec3 ro = vec3(0.3 * t, 0.5 * sin(t * 0.3), t * 1.5);
    vec3 rd = normalize(vec3(uv, 1.5));
    rd.xy = k_rot(t * 0.1) * rd.xy;
    rd.xz = k_rot(0.3 * sin(t * 0.2)) * rd.xz;
    float dist = 0.0;
    for (int i = 0; i < 64; i++) { float d = map(ro + rd * dist); if (d < 0.002 || dist > 20.0) break; dist += d; }
    vec3 pos = ro + rd * dist;
    vec2 e = vec2(0.002, 0.0);
    vec3 n = normalize(vec3(map(pos + e.xyy) - map(pos - e.xyy), map(pos + e.yxy) - map(pos - e.yxy), map(pos + e.yyx) - map(pos - e.yyx)));
    vec3 base = k_hsv(k_hash13(floor(pos * 0.5)) * 0.3 + t * 0.02, 0.6, 1.0);
    vec3 col = base * (0.2 + 0.8 * clamp(dot(n, normalize(vec3(0.5, 0.8, -0.6))), 0.0, 1.0));
    col = mix(col, vec3(0.7, 0.8, 0.9) * (0.5 + 0.5 * uv.y), 1.0 - exp(-0.015 * dist * dist));
    o = vec4(col, 1.0);
}
