/**
 * A fixed-range histogram of float values, the statistics the Percentile, MSE and KL
 * calibration methods work on. Values outside [lo, hi] fall into the end bins.
 *
 * Float32 values are binned by a wasm kernel when the kernels are loaded (the same
 * float64 arithmetic, so the same bins).
 *
 * @module
 */
import { wasmKernels } from "../wasm/kernels.ts";

/** Histogram over [lo, hi] with `counts.length` equal bins. */
export class Histogram {
  /** Lower edge of the first bin. */
  readonly lo: number;
  /** Upper edge of the last bin. */
  readonly hi: number;
  /** Number of values per bin. */
  readonly counts: Float64Array;
  /** Number of values added. */
  total = 0;

  /**
   * An empty histogram of `bins` equal bins over [lo, hi]; when `hi <= lo` the range
   * becomes [min(lo, 0), min(lo, 0) + 1].
   */
  constructor(lo: number, hi: number, bins = 2048) {
    if (!(hi > lo)) {
      lo = Math.min(lo, 0);
      hi = lo + 1;
    }
    this.lo = lo;
    this.hi = hi;
    this.counts = new Float64Array(bins);
  }

  /** Width of one bin. */
  get binWidth(): number {
    return (this.hi - this.lo) / this.counts.length;
  }

  /** Centre of bin `i`. */
  center(i: number): number {
    return this.lo + (i + 0.5) * this.binWidth;
  }

  /** Add every value of `values` (NaN counts toward `total` but lands in no bin). */
  add(values: ArrayLike<number>): void {
    const n = this.counts.length;
    const inv = n / (this.hi - this.lo);
    const lo = this.lo;
    const c = this.counts;
    const k = wasmKernels();
    if (k && values instanceof Float32Array) {
      const xp = k.heap.put(values);
      const cp = k.heap.alloc(n * 4);
      try {
        k.heap.i32(cp, n).fill(0);
        k.fn.histogram(xp, values.length, lo, inv, n, cp);
        const got = k.heap.i32(cp, n);
        for (let b = 0; b < n; b++) c[b] += got[b];
      } finally {
        k.heap.free(xp);
        k.heap.free(cp);
      }
      this.total += values.length;
      return;
    }
    for (let i = 0; i < values.length; i++) {
      let b = Math.floor((values[i] - lo) * inv);
      if (b < 0) b = 0;
      else if (b >= n) b = n - 1;
      c[b]++;
    }
    this.total += values.length;
  }
}
