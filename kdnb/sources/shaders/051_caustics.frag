// 051 caustics: bright filaments where a doubly warped sine lattice folds, like light under rippling water
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y * 5.0;
    vec2 q = p;
    for (int n = 0; n < 3; n++) {
        float fn = float(n);
        q += 0.5 * vec2(sin(q.y * 1.3 + t * 0.7 + fn), cos(q.x * 1.1 - t * 0.5 + 2.0 * fn));
    }
    float v = abs(sin(q.x * 1.7) * sin(q.y * 1.7));
    float light = 0.03 / (v + 0.03) + 0.02 / (abs(sin(q.x + q.y)) + 0.05);
    vec3 col = mix(vec3(0.0, 0.22, 0.38), vec3(0.75, 1.0, 0.95), clamp(light * 0.6, 0.0, 1.0));
    col *= 0.8 + 0.2 * k_vnoise(p * 2.0 + t);
    o = vec4(col, 1.0);
}
