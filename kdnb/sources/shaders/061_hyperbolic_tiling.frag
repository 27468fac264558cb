// 061 hyperbolic tiling: {7,3}-like Poincare-disk tiling by repeated reflections in a circle and two lines
void main() {
    vec2 z = (FC.xy * 2.0 - r) / r.y * 1.02;
    z = k_rot(t * 0.1) * z;
    float N = 7.0, K = 3.0;
    float ca = cos(3.1415926 / N), sa = sin(3.1415926 / N), cb = cos(3.1415926 / K);
    float dd = sqrt(1.0 / (1.0 - sa * sa / (cb * cb)) ) ;
    float cr = dd * sa / cb;
    vec2 cc = vec2(dd, 0.0);
    float flips = 0.0;
    if (dot(z, z) > 1.0) { o = vec4(vec3(0.05), 1.0); return; }
    for (int i = 0; i < 40; i++) {
        bool moved = false;
        float a = atan(z.y, z.x);
        float sector = 6.2831853 / N;
        float k = floor(a / sector + 0.5);
        if (abs(k) > 0.0) { z = k_rot(-k * sector) * z; flips += 1.0; moved = true; }
        if (z.y < 0.0) { z.y = -z.y; flips += 1.0; moved = true; }
        vec2 dz = z - cc;
        float l2 = dot(dz, dz);
        if (l2 < cr * cr) { z = cc + dz * (cr * cr / l2); flips += 1.0; moved = true; }
        if (!moved) break;
    }
    vec3 col = k_hsv(mod(flips, 5.0) / 5.0 + t * 0.03, 0.6, 0.9);
    col *= smoothstep(0.0, 0.02, z.y) * 0.4 + 0.6;
    o = vec4(col, 1.0);
}
