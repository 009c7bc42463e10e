/**
 * The error function for tensor loops: a Taylor step of degree 5 from the nearest point
 * of a grid with spacing 1/64 on [0, 6], whose values come from {@linkcode erf}.
 *
 * With `g(x) = e^(−x²)` and `c = 2/√π`, the derivatives of erf are `c·g·q(x)` with
 * `q = 1, −2x, 4x² − 2, −8x³ + 12x, 16x⁴ − 48x² + 12`, so from a grid point x₀
 *
 * `erf(x₀ + h) = erf(x₀) + c·g(x₀)·(h − x₀h² + (2x₀² − 1)/3·h³ + (3x₀ − 2x₀³)/6·h⁴
 *   + (4x₀⁴ − 12x₀² + 3)/30·h⁵)`.
 *
 * For |h| <= 1/128 the first omitted term is below 1e-13 of the value, far inside float32
 * resolution, and the step costs a table read and five multiply-adds instead of the
 * series' dozens of terms and an exponential.
 *
 * @module
 */
import { erf } from "./erf.ts";

const PER_UNIT = 64;
const LIMIT = 6;
const POINTS = LIMIT * PER_UNIT + 1;
const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** Per grid point: erf(x₀) and the five Taylor coefficients. */
let table: Float64Array | undefined;

function buildTable(): Float64Array {
  const t = new Float64Array(POINTS * 6);
  for (let k = 0; k < POINTS; k++) {
    const x = k / PER_UNIT;
    const x2 = x * x;
    const d = TWO_OVER_SQRT_PI * Math.exp(-x2);
    t[6 * k] = erf(x);
    t[6 * k + 1] = d;
    t[6 * k + 2] = -d * x;
    t[6 * k + 3] = d * (2 * x2 - 1) / 3;
    t[6 * k + 4] = d * x * (3 - 2 * x2) / 6;
    t[6 * k + 5] = d * (4 * x2 * x2 - 12 * x2 + 3) / 30;
  }
  return t;
}

/**
 * The grid, six float64 per point (erf(x₀), then the five Taylor coefficients), for
 * kernels that take the same step elsewhere (the wasm Erf and Gelu).
 */
export function erfTable(): Float64Array {
  return table ??= buildTable();
}

/**
 * `erf(x)` to about 1e-13 relative (see the module note); ±1 beyond |x| = 6, NaN for NaN,
 * ±0 for ±0.
 *
 * @example
 * ```ts
 * erfFromTable(0.5); // 0.5204998778130465 within 1e-13
 * ```
 */
export function erfFromTable(x: number): number {
  const ax = Math.abs(x);
  if (!(ax < LIMIT)) return Number.isNaN(x) ? NaN : Math.sign(x);
  if (ax === 0) return x; // keeps the sign of zero
  const t = erfTable();
  const k = Math.round(ax * PER_UNIT);
  const h = ax - k / PER_UNIT;
  const o = 6 * k;
  const v = t[o] + h * (t[o + 1] + h * (t[o + 2] + h * (t[o + 3] + h * (t[o + 4] + h * t[o + 5]))));
  return x < 0 ? -v : v;
}
