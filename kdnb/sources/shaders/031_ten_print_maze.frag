// 031 ten print maze: random diagonal strokes per cell (the 10 PRINT maze), recoloured over time
void main() {
    vec2 p = k_rot(0.1 * sin(t * 0.3)) * (FC.xy - 0.5 * r) / r.y * (8.0 + 4.0 * sin(t * 0.15)) + t * 0.5;
    vec2 id = floor(p), f = fract(p);
    float flip = step(0.5, k_hash12(id + floor(t * 0.5) * 13.0));
    float d = flip > 0.5 ? abs(f.x - f.y) : abs(f.x + f.y - 1.0);
    float line = smoothstep(0.2, 0.1, d);
    vec3 bg = k_hsv(0.6 + 0.2 * sin(t * 0.1), 0.7, 0.35);
    vec3 fg = k_hsv(0.1 + 0.3 * k_hash12(id), 0.4, 1.0);
    o = vec4(mix(bg, fg, line), 1.0);
}
