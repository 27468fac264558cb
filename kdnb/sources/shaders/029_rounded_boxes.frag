// 029 rounded boxes: a cluster of rounded cubes tumbling in a ring, shaded with ambient occlusion
float rbox(vec3 p, vec3 c, float k) { vec3 d = abs(p) - c; return length(max(d, 0.0)) + min(max(d.x, max(d.y, d.z)), 0.0) - k; }
float map(vec3 p) {
    float d = 1e3;
    for (int i = 0; i < 5; i++) {
        float a = float(i) * 1.2566 + t * 0.4;
        vec3 q = p - vec3(cos(a), sin(a * 2.0) * 0.3, sin(a)) * 1.3;
        q.xy = k_rot(t + float(i)) * q.xy;
        q.yz = k_rot(t * 0.7 + float(i)) * q.yz;
        d = min(d, rbox(q, vec3(0.3), 0.08));
    }
    return min(d, p.y + 1.2);
}
void main() {
    vec2 uv = (FC.xy * 2.0 - r) / r.y;
    vec3 ro = vec3(0.0, 0.9, -4.0), rd = normalize(vec3(uv.x, uv.y - 0.25, 1.8));
    float dist = 0.0;
    for (int i = 0; i < 70; i++) { float d = map(ro + rd * dist); if (d < 0.001 || dist > 12.0) break; dist += d; }
    vec3 pos = ro + rd * dist;
    vec2 e = vec2(0.002, 0.0);
    vec3 n = normalize(vec3(map(pos + e.xyy) - map(pos - e.xyy), map(pos + e.yxy) - map(pos - e.yxy), map(pos + e.yyx) - map(pos - e.yyx)));
    float ao = clamp(map(pos + n * 0.2) / 0.2, 0.0, 1.0);
    vec3 base = pos.y < -1.19 ? vec3(0.6, 0.6, 0.65) : k_hsv(atan(pos.z, pos.x) / 6.2831853 + t * 0.05, 0.7, 1.0);
    vec3 col = base * (0.25 + 0.75 * clamp(dot(n, normalize(vec3(0.5, 1.0, -0.4))), 0.0, 1.0)) * (0.5 + 0.5 * ao);
    col = mix(col, vec3(0.8, 0.85, 0.9), dist > 12.0 ? 1.0 : 0.0);
    o = vec4(col, 1.0);
}
