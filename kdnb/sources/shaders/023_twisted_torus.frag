// 023 twisted torus: ray-marched torus with a square cross-section twisted around its ring
float map(vec3 p) {
    p.yz = k_rot(t * 0.4) * p.yz;
    p.xz = k_rot(t * 0.3) * p.xz;
    float a = atan(p.z, p.x);
    vec2 q = vec2(length(p.xz) - 1.0, p.y);
    q = k_rot(a * 2.0 + t) * q;
    vec2 d = abs(q) - vec2(0.25);
    return (length(max(d, 0.0)) + min(max(d.x, d.y), 0.0)) * 0.7;
}
void main() {
    vec2 uv = (FC.xy * 2.0 - r) / r.y;
    vec3 ro = vec3(0.0, 0.0, -3.2), rd = normalize(vec3(uv, 1.5));
    float dist = 0.0;
    for (int i = 0; i < 70; i++) { float d = map(ro + rd * dist); if (d < 0.001 || dist > 8.0) break; dist += d; }
    vec3 col = mix(vec3(0.1, 0.1, 0.15), vec3(0.3, 0.25, 0.35), uv.y * 0.5 + 0.5);
    if (dist < 8.0) {
        vec3 pos = ro + rd * dist;
        vec2 e = vec2(0.002, 0.0);
        vec3 n = normalize(vec3(map(pos + e.xyy) - map(pos - e.xyy), map(pos + e.yxy) - map(pos - e.yxy), map(pos + e.yyx) - map(pos - e.yyx)));
        float dif = clamp(dot(n, normalize(vec3(1.0, 1.0, -1.0))), 0.0, 1.0);
        float spec = pow(clamp(dot(reflect(rd, n), normalize(vec3(1.0, 1.0, -1.0))), 0.0, 1.0), 16.0);
        col = k_pal(t * 0.05 + n.y * 0.3, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.3, 0.2, 0.2)) * (0.2 + 0.8 * dif) + spec;
    }
    o = vec4(col, 1.0);
}
