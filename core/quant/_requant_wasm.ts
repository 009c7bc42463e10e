/**
 * The emulator's requantizations in WebAssembly: float64 accumulators, or int32 sums plus
 * a bias, to codes in the `npu` or `qdq` arithmetic, the same codes the reference
 * (`requantizeReference` in int_kernels.ts) computes.
 *
 * @module
 */
import type { Multiplier, QdqAdditionConstants, RequantTarget } from "./int_kernels.ts";
import { type WasmKernels, wasmKernels } from "../wasm/kernels.ts";

/** The constants of a wasm requantization: one arithmetic, its per-channel numbers. */
export type RequantPlan =
  | { readonly kind: "npu"; readonly params: Float64Array }
  | { readonly kind: "qdq"; readonly params: Float32Array };

/**
 * The wasm form of `fps` over `channels` channels when every multiplier tells its form
 * and all share one arithmetic; undefined otherwise.
 */
export function requantPlan(channels: number, fps: readonly Multiplier[]): RequantPlan | undefined {
  const forms = fps.map((f) => f.form);
  const kind = forms[0]?.arithmetic;
  if (!kind || forms.some((f) => f?.arithmetic !== kind)) return undefined;
  const per = (c: number) => forms[fps.length === 1 ? 0 : c]!;
  if (kind === "npu") {
    const params = new Float64Array(4 * channels);
    for (let c = 0; c < channels; c++) {
      const f = per(c);
      if (f.arithmetic !== "npu") return undefined;
      const { multiplier: m, shift } = f.fixedPoint;
      // the same constants applyFixedPoint derives
      const hi = Math.floor(m / 65536);
      params.set(
        [hi, m - hi * 65536, 2 ** (shift >= 16 ? shift - 16 : shift), shift >= 16 ? 1 : 0],
        4 * c,
      );
    }
    return { kind, params };
  }
  const params = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const f = per(c);
    if (f.arithmetic !== "qdq") return undefined;
    params[c] = f.m;
  }
  return { kind, params };
}

/** Requantize the `n` float64 accumulators at `acc` (laid out [outer, channels, inner]). */
export function requantAt(
  k: WasmKernels,
  acc: number,
  n: number,
  channels: number,
  inner: number,
  plan: RequantPlan,
  t: RequantTarget,
): Float32Array {
  const { heap, fn } = k;
  const pp = heap.put(plan.params);
  const op = heap.alloc(n * 4);
  try {
    const outer = n / (channels * inner);
    const run = plan.kind === "npu" ? fn.requantNpu : fn.requantQdq;
    run(acc, op, outer, channels, inner, pp, t.zeroPoint, t.lo, t.hi);
    return heap.f32(op, n).slice();
  } finally {
    heap.free(pp);
    heap.free(op);
  }
}

/**
 * {@linkcode requantize} in wasm when every multiplier tells its form and all share one
 * arithmetic; undefined otherwise.
 */
export function requantizeWasm(
  acc: Float64Array,
  channels: number,
  inner: number,
  fps: readonly Multiplier[],
  t: RequantTarget,
): Float32Array | undefined {
  const k = wasmKernels();
  if (!k || acc.length === 0) return undefined;
  const plan = requantPlan(channels, fps);
  if (!plan) return undefined;
  const ap = k.heap.put(acc);
  try {
    return requantAt(k, ap, acc.length, channels, inner, plan, t);
  } finally {
    k.heap.free(ap);
  }
}

/**
 * Requantization of the int32 sums at `sums` (laid out [outer, channels, inner]) plus
 * `bias` per channel; frees `sums`.
 */
export function requantSumsAt(
  k: WasmKernels,
  sums: number,
  outer: number,
  channels: number,
  inner: number,
  bias: Int32Array | undefined,
  plan: RequantPlan,
  t: RequantTarget,
): Float32Array {
  const { heap, fn } = k;
  const n = outer * channels * inner;
  const bp = bias ? heap.put(bias) : 0;
  const pp = heap.put(plan.params);
  const op = heap.alloc(n * 4);
  try {
    const run = plan.kind === "npu" ? fn.requantNpuI32 : fn.requantQdqI32;
    run(sums, bp, op, outer, channels, inner, pp, t.zeroPoint, t.lo, t.hi);
    return heap.f32(op, n).slice();
  } finally {
    for (const p of [sums, pp, op]) heap.free(p);
    if (bp) heap.free(bp);
  }
}

/**
 * {@linkcode qdqAddition} over two equally long code arrays, clamped to `t`'s bounds, in
 * wasm; undefined on the scalar path or when a bound is beyond float32's integers.
 */
export function addQdqWasm(
  a: Float32Array,
  b: Float32Array,
  c: QdqAdditionConstants,
  t: RequantTarget,
): Float32Array | undefined {
  const k = wasmKernels();
  const n = a.length;
  if (!k || n === 0 || !(Math.abs(t.lo) <= 2 ** 24 && Math.abs(t.hi) <= 2 ** 24)) {
    return undefined;
  }
  const { heap, fn } = k;
  const ap = heap.put(a);
  const bp = heap.put(b);
  const op = heap.alloc(n * 4);
  try {
    fn.addQdq(ap, bp, op, n, c.ra, c.rb, c.k, t.lo, t.hi);
    return heap.f32(op, n).slice();
  } finally {
    for (const p of [ap, bp, op]) heap.free(p);
  }
}
