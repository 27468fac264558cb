// 025 gyroid cave: flying through the sheet of a gyroid minimal surface, coloured by position and depth
float map(vec3 p) {
    float g = dot(sin(p * 1.3), cos(p.zxy * 1.3));
    return (abs(g) - 0.25) / 2.0;
}
void main() {
    vec2 uv = (FC.xy * 2.0 - r) / r.y;
    vec3 ro = vec3(0.5, 0.3, t * 0.8);
    vec3 rd = normalize(vec3(uv, 1.3));
    rd.xy = k_rot(t * 0.15) * rd.xy;
    float dist = 0.0;
    int k;
    for (k = 0; k < 64; k++) { float d = map(ro + rd * dist); if (d < 0.002 || dist > 12.0) break; dist += d; }
    vec3 pos = ro + rd * dist;
    vec2 e = vec2(0.003, 0.0);
    vec3 n = normalize(vec3(map(pos + e.xyy) - map(pos - e.xyy), map(pos + e.yxy) - map(pos - e.yxy), map(pos + e.yyx) - map(pos - e.yyx)));
    vec3 col = k_pal(pos.z * 0.1 + length(pos.xy) * 0.2, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.0, 0.15, 0.3));
    col *= (0.2 + 0.8 * clamp(dot(n, -rd), 0.0, 1.0)) * (1.0 - float(k) / 64.0);
    col *= 0.7 + 0.3 * sin(pos.x * 20.0) * sin(pos.y * 20.0) * sin(pos.z * 20.0);
    col = mix(col, vec3(0.02, 0.02, 0.05), 1.0 - exp(-0.02 * dist * dist));
    o = vec4(col, 1.0);
}
