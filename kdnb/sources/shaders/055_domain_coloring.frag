// 055 domain colouring: phase and log-modulus contours of a rational complex function with moving zeros/poles
vec2 cmul(vec2 a, vec2 c) { return vec2(a.x * c.x - a.y * c.y, a.x * c.y + a.y * c.x); }
vec2 cdiv(vec2 a, vec2 c) { return vec2(a.x * c.x + a.y * c.y, a.y * c.x - a.x * c.y) / dot(c, c); }
void main() {
    vec2 z = (FC.xy * 2.0 - r) / r.y * 2.0;
    vec2 z1 = vec2(cos(t * 0.3), sin(t * 0.5)), z2 = vec2(-0.8, 0.3 * sin(t * 0.4));
    vec2 p1 = vec2(0.5 * sin(t * 0.2), -0.9), p2 = vec2(-0.3, 0.7 * cos(t * 0.35));
    vec2 w = cdiv(cmul(z - z1, z - z2), cmul(z - p1, z - p2) + vec2(1e-5, 0.0));
    float ph = atan(w.y, w.x) / 6.2831853, lm = log(length(w) + 1e-6);
    vec3 col = k_hsv(ph, 0.8, 0.7 + 0.3 * fract(lm * 1.5));
    col *= 0.8 + 0.2 * smoothstep(0.0, 0.1, abs(fract(ph * 12.0) - 0.5));
    o = vec4(col, 1.0);
}
