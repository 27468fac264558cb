// 014 burning ship: the |Re|,|Im| folded Mandelbrot variant, slowly panning along the ship's mast
void main() {
    vec2 p = (FC.xy * 2.0 - r) / r.y;
    float zoom = 0.08 + 0.06 * sin(t * 0.3);
    vec2 c = vec2(-1.755 + 0.01 * sin(t * 0.21), -0.03 + 0.02 * cos(t * 0.17)) + vec2(p.x, -p.y) * zoom;
    vec2 z = vec2(0.0);
    float n = 0.0;
    for (int i = 0; i < 150; i++) {
        z = abs(z);
        z = vec2(z.x * z.x - z.y * z.y, 2.0 * z.x * z.y) + c;
        if (dot(z, z) > 64.0) break;
        n += 1.0;
    }
    float sm = n - log2(log2(max(dot(z, z), 1.0001)));
    vec3 col = vec3(1.0, 0.5, 0.15) * pow(clamp(sm / 40.0, 0.0, 1.0), 0.6) + vec3(0.2, 0.1, 0.3) * sin(sm * 0.3 + t);
    o = vec4(n > 149.0 ? vec3(0.0) : col, 1.0);
}
