// 021 kifs tetra: ray-marched Sierpinski tetrahedron (kaleidoscopic IFS) tumbling under a key light
float de(vec3 p) {
    p.xz = k_rot(t * 0.3) * p.xz;
    p.xy = k_rot(t * 0.2) * p.xy;
    for (int i = 0; i < 7; i++) {
        if (p.x + p.y < 0.0) p.xy = -p.yx;
        if (p.x + p.z < 0.0) p.xz = -p.zx;
        if (p.y + p.z < 0.0) p.zy = -p.yz;
        p = p * 2.0 - vec3(1.0);
    }
    return length(p) * exp2(-7.0) - 0.005;
}
void main() {
    vec2 uv = (FC.xy * 2.0 - r) / r.y;
    vec3 ro = vec3(0.0, 0.0, -2.6), rd = normalize(vec3(uv, 1.6));
    float d = 1.0, dist = 0.0;
    int k;
    for (k = 0; k < 60; k++) { d = de(ro + rd * dist); if (d < 0.002 || dist > 6.0) break; dist += d; }
    vec3 col = vec3(0.08, 0.08, 0.14) + 0.15 * uv.y;
    if (dist < 6.0) {
        vec3 pos = ro + rd * dist;
        vec2 e = vec2(0.003, 0.0);
        vec3 n = normalize(vec3(de(pos + e.xyy) - de(pos - e.xyy), de(pos + e.yxy) - de(pos - e.yxy), de(pos + e.yyx) - de(pos - e.yyx)));
        float dif = clamp(dot(n, normalize(vec3(0.8, 1.0, -1.0))), 0.0, 1.0);
        vec3 base = k_pal(length(pos) * 0.6 + t * 0.05, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.0, 0.1, 0.2));
        col = base * (0.15 + 0.85 * dif) * (1.0 - float(k) / 70.0);
    }
    o = vec4(col, 1.0);
}
