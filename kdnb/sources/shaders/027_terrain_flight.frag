// 027 terrain flight: height-field ray march over fbm mountains with snow, water and sky
float height(vec2 p) { return 1.6 * k_fbm(p * 0.35) - 0.45; }
void main() {
    vec2 uv = (FC.xy * 2.0 - r) / r.y;
    vec3 ro = vec3(t * 0.8, 1.6 + 0.3 * sin(t * 0.3), t * 0.5);
    vec3 rd = normalize(vec3(uv.x, uv.y - 0.25, 1.4));
    rd.xz = k_rot(0.4 * sin(t * 0.1)) * rd.xz;
    float dist = 0.1;
    bool hit = false;
    for (int i = 0; i < 80; i++) {
        vec3 pos = ro + rd * dist;
        float h = pos.y - max(height(pos.xz), 0.0);
        if (h < 0.002 * dist) { hit = true; break; }
        dist += 0.5 * h;
        if (dist > 30.0) break;
    }
    vec3 sky = mix(vec3(0.9, 0.7, 0.5), vec3(0.3, 0.5, 0.85), clamp(rd.y * 3.0 + 0.5, 0.0, 1.0));
    vec3 col = sky;
    if (hit) {
        vec3 pos = ro + rd * dist;
        float h = height(pos.xz);
        vec2 e = vec2(0.02, 0.0);
        vec3 n = normalize(vec3(h - height(pos.xz + e.xy), e.x, h - height(pos.xz + e.yx)));
        vec3 ground = h < 0.0 ? vec3(0.1, 0.25, 0.4) : mix(vec3(0.25, 0.35, 0.15), vec3(0.45, 0.35, 0.25), smoothstep(0.1, 0.5, h));
        ground = mix(ground, vec3(0.95), smoothstep(0.75, 0.85, h + 0.2 * n.y));
        col = ground * (0.3 + 0.7 * clamp(dot(n, normalize(vec3(0.6, 0.7, 0.3))), 0.0, 1.0));
        col = mix(col, sky, 1.0 - exp(-0.004 * dist * dist));
    }
    o = vec4(col, 1.0);
}
