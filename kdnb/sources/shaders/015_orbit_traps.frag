// 015 orbit traps: Julia iterations coloured by their closest approach to a moving cross and point
void main() {
    vec2 z = k_rot(t * 0.05) * (FC.xy * 2.0 - r) / r.y * 1.4;
    vec2 c = vec2(-0.8 + 0.15 * cos(t * 0.23), 0.156 + 0.1 * sin(t * 0.31));
    vec2 trapPt = 0.5 * vec2(cos(t * 0.4), sin(t * 0.5));
    float dl = 1e3, dp = 1e3;
    for (int i = 0; i < 64; i++) {
        z = vec2(z.x * z.x - z.y * z.y, 2.0 * z.x * z.y) + c;
        if (dot(z, z) > 100.0) break;
        dl = min(dl, min(abs(z.x), abs(z.y)));
        dp = min(dp, length(z - trapPt));
    }
    vec3 col = mix(vec3(0.05, 0.1, 0.2), vec3(1.0, 0.8, 0.3), exp(-dl * 12.0));
    col = mix(col, vec3(0.2, 0.7, 0.9), exp(-dp * 5.0));
    o = vec4(col, 1.0);
}
