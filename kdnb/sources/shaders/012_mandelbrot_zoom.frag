// 012 mandelbrot zoom: smooth-coloured Mandelbrot set zooming into seahorse valley over time
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y;
    float zoom = 1.6 * exp(-0.55 * t);
    vec2 c = vec2(-0.7436439, 0.1318259) + k_rot(t * 0.1) * p * zoom;
    vec2 z = vec2(0.0);
    float n = 0.0;
    for (int i = 0; i < 200; i++) {
        z = vec2(z.x * z.x - z.y * z.y, 2.0 * z.x * z.y) + c;
        if (dot(z, z) > 256.0) break;
        n += 1.0;
    }
    float sm = n - log2(log2(max(dot(z, z), 1.0001))) + 4.0;
    vec3 col = k_pal(sm * 0.025 + t * 0.02, vec3(0.5), vec3(0.5), vec3(1.0), vec3(0.0, 0.33, 0.67));
    o = vec4(n > 199.0 ? vec3(0.02) : col, 1.0);
}
