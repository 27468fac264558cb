// 019 bit sierpinski: AND / XOR of integer pixel coordinates (Sierpinski and xor textures), scrolling and zooming
void main() {
    vec2 p = k_rot(0.2 * sin(t * 0.2)) * (FC.xy - 0.5 * r) / r.y;
    float sc = exp2(5.0 + 2.0 * fract(t * 0.1));
    ivec2 q = ivec2(floor(p * sc + vec2(t * 13.0, t * 7.0) + 64.0));
    int a = (q.x & q.y) & 63, x = q.x ^ q.y;
    float level = float(x & 63) / 63.0;
    vec3 col = a == 0 ? k_hsv(level * 0.5 + t * 0.04, 0.7, 1.0) : vec3(0.08, 0.05, 0.12) + 0.2 * level;
    o = vec4(col, 1.0);
}
