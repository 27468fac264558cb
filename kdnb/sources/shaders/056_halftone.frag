// 056 halftone: a rotated dot screen whose dot radius follows a moving smooth image
void main() {
    vec2 p = (FC.xy - 0.5 * r) / r.y;
    float img = 0.5 + 0.5 * sin(length(p - 0.3 * vec2(sin(t * 0.5), cos(t * 0.3))) * 8.0 - t);
    img = mix(img, k_fbm(p * 3.0 + t * 0.1), 0.4);
    vec2 q = k_rot(0.4 + 0.1 * t) * p * (14.0 + 6.0 * sin(t * 0.13));
    vec2 f = fract(q) - 0.5;
    float dotR = 0.55 * sqrt(img);
    float ink = smoothstep(dotR + 0.05, dotR - 0.05, length(f));
    vec3 paper = vec3(0.95, 0.92, 0.85), inkc = k_hsv(0.55 + t * 0.03, 0.8, 0.5);
    o = vec4(mix(paper, inkc, ink), 1.0);
}
