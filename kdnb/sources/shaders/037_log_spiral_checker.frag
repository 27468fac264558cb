// 037 log spiral checker: a shaded checkerboard in log-polar coordinates, an endlessly zooming spiral tiling
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y;
    float lr = log(length(p) + 1e-4), a = atan(p.y, p.x);
    vec2 q = vec2(a * 6.0 / 3.1415926 + lr * 3.0, lr * 4.0 - a * 2.0 / 3.1415926 - t * 1.5);
    vec2 id = floor(q), f = fract(q);
    float chk = mod(id.x + id.y, 2.0);
    vec3 col = mix(k_hsv(0.75 + t * 0.02 + 0.05 * k_hash12(id), 0.7, 0.95), k_hsv(0.15 + t * 0.02, 0.8, 0.9), chk);
    col *= 0.55 + 0.45 * f.y;
    col *= smoothstep(0.0, 0.1, length(p)) * (0.6 + 0.4 * smoothstep(0.0, 1.0, length(p)));
    o = vec4(col, 1.0);
}
