// 035 weave: over-under basket weave of two thread colours, with shading showing which strand is on top
void main() {
    vec2 p = k_rot(0.3 * sin(t * 0.1)) * (FC.xy - 0.5 * r) / r.y * (6.0 + 2.0 * sin(t * 0.25)) + t * 0.2;
    vec2 id = floor(p), f = fract(p);
    float over = mod(id.x + id.y, 2.0);
    float sx = sin(f.y * 3.1415926), sy = sin(f.x * 3.1415926);
    vec3 ca = k_hsv(0.05 + t * 0.02, 0.7, 0.9), cb = k_hsv(0.55 + t * 0.02, 0.6, 0.8);
    vec3 col = over > 0.5 ? ca * (0.4 + 0.6 * sx) : cb * (0.4 + 0.6 * sy);
    col *= 0.85 + 0.15 * sin((over > 0.5 ? f.x : f.y) * 40.0);
    o = vec4(col, 1.0);
}
