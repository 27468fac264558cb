// 024 metaballs: six spheres orbiting and merging by smooth union, with rim light
float smin(float a, float c, float k) { float h = clamp(0.5 + 0.5 * (c - a) / k, 0.0, 1.0); return mix(c, a, h) - k * h * (1.0 - h); }
float map(vec3 p) {
    float d = 1e3;
    for (int i = 0; i < 6; i++) {
        float fi = float(i);
        vec3 c = vec3(sin(t * 0.7 + fi * 1.7), cos(t * 0.5 + fi * 2.3), sin(t * 0.6 + fi * 0.9)) * 0.9;
        d = smin(d, length(p - c) - 0.35 - 0.1 * fi / 6.0, 0.4);
    }
    return d;
}
void main() {
    vec2 uv = (FC.xy * 2.0 - r) / r.y;
    vec3 ro = vec3(0.0, 0.0, -3.5), rd = normalize(vec3(uv, 1.6));
    float dist = 0.0;
    for (int i = 0; i < 64; i++) { float d = map(ro + rd * dist); if (d < 0.001 || dist > 8.0) break; dist += d; }
    vec3 col = k_hsv(0.6 + 0.1 * uv.y + t * 0.01, 0.5, 0.25);
    if (dist < 8.0) {
        vec3 pos = ro + rd * dist;
        vec2 e = vec2(0.002, 0.0);
        vec3 n = normalize(vec3(map(pos + e.xyy) - map(pos - e.xyy), map(pos + e.yxy) - map(pos - e.yxy), map(pos + e.yyx) - map(pos - e.yyx)));
        float dif = clamp(dot(n, normalize(vec3(-0.6, 0.8, -0.5))), 0.0, 1.0);
        float rim = pow(1.0 - clamp(-dot(n, rd), 0.0, 1.0), 3.0);
        col = k_hsv(0.05 + pos.y * 0.1 + t * 0.02, 0.8, 1.0) * (0.15 + 0.85 * dif) + rim * vec3(0.4, 0.6, 1.0);
    }
    o = vec4(col, 1.0);
}
