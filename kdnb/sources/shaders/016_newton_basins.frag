// 016 newton basins: Newton's method on z^3 = a with rotating a; basins tinted per root, shaded by speed
vec2 cmul(vec2 a, vec2 c) { return vec2(a.x * c.x - a.y * c.y, a.x * c.y + a.y * c.x); }
vec2 cdiv(vec2 a, vec2 c) { return vec2(a.x * c.x + a.y * c.y, a.y * c.x - a.x * c.y) / dot(c, c); }
void main() {
    vec2 z = (FC.xy * 2.0 - r) / r.y * (1.2 + 0.5 * sin(t * 0.2));
    vec2 a = vec2(cos(t * 0.3), sin(t * 0.3));
    float n = 0.0;
    for (int i = 0; i < 40; i++) {
        vec2 z2 = cmul(z, z);
        vec2 dz = cdiv(cmul(z2, z) - a, 3.0 * z2 + vec2(1e-6, 0.0));
        z -= dz;
        if (dot(dz, dz) < 1e-6) break;
        n += 1.0;
    }
    float root = floor(mod((atan(z.y, z.x) - t * 0.1) / 2.0943951 + 0.5, 3.0));
    vec3 col = k_hsv(root / 3.0 + t * 0.03, 0.7, 1.0) * (1.0 - n / 40.0);
    o = vec4(col, 1.0);
}
