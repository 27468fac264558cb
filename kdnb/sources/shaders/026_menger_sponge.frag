// 026 menger sponge: ray-marched Menger sponge (three levels of cross-shaped holes), rotating
float box(vec3 p, vec3 c) { vec3 d = abs(p) - c; return length(max(d, 0.0)) + min(max(d.x, max(d.y, d.z)), 0.0); }
float map(vec3 p) {
    p.xz = k_rot(t * 0.3) * p.xz;
    p.yz = k_rot(t * 0.17) * p.yz;
    float d = box(p, vec3(1.0));
    float sc = 1.0;
    for (int i = 0; i < 3; i++) {
        vec3 a = mod(p * sc, 2.0) - 1.0;
        sc *= 3.0;
        vec3 q = abs(1.0 - 3.0 * abs(a));
        float c = (min(max(q.x, q.y), min(max(q.y, q.z), max(q.z, q.x))) - 1.0) / sc;
        d = max(d, c);
    }
    return d;
}
void main() {
    vec2 uv = (FC.xy * 2.0 - r) / r.y;
    vec3 ro = vec3(0.0, 0.0, -3.5), rd = normalize(vec3(uv, 1.7));
    float dist = 0.0;
    int k;
    for (k = 0; k < 80; k++) { float d = map(ro + rd * dist); if (d < 0.001 || dist > 8.0) break; dist += d; }
    vec3 col = vec3(0.9, 0.85, 0.75) * (0.6 + 0.4 * uv.y);
    if (dist < 8.0) {
        vec3 pos = ro + rd * dist;
        vec2 e = vec2(0.002, 0.0);
        vec3 n = normalize(vec3(map(pos + e.xyy) - map(pos - e.xyy), map(pos + e.yxy) - map(pos - e.yxy), map(pos + e.yyx) - map(pos - e.yyx)));
        float dif = clamp(dot(n, normalize(vec3(0.7, 0.9, -0.4))), 0.0, 1.0);
        col = k_hsv(0.08 + t * 0.02, 0.5, 1.0) * (0.1 + 0.9 * dif) * (1.0 - float(k) / 100.0);
    }
    o = vec4(col, 1.0);
}
