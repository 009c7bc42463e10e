/**
 * Float kernels rounded the way onnxruntime's CPU execution provider rounds them, for
 * the `qdq` arithmetic: where onnxruntime runs a QDQ node group in float
 * (DequantizeLinear → float operator → QuantizeLinear, e.g. every 16-bit group), a
 * difference of one float32 ulp in the operator's result moves the output code at
 * near-ties of the grid, and 16-bit grids are fine enough for that to happen often.
 * Each kernel here repeats onnxruntime's float32 operation order (MLAS on x86-64 with
 * AVX2/FMA3, the CPU this project measures against):
 *
 * - MatMul, Gemm: MLAS SGEMM — per output, a chain of fused multiply-adds over k from
 *   zero in K slices (128, resized by the shape as MLAS does on one thread; with
 *   several threads MLAS may slice a K above 128 differently), each slice added into
 *   the output with alpha; Gemm's bias, times beta, is the output's starting value. A
 *   single row (or column) goes through MLAS's one-row AVX kernels instead: rounded
 *   products summed in groups of four, or in eight lanes reduced pairwise.
 * - Softmax along the last axis: MLAS's max, its exp polynomial (the FMA3 kernel's
 *   range reduction and coefficients), sums in eight float32 lanes reduced pairwise,
 *   then multiplication by the float32 reciprocal of the sum.
 * - LayerNormalization: one pass of float32 sums of x and x², variance E[x²] − mean²,
 *   `(x − mean) / std · scale + bias`, each step in float32.
 * - Sigmoid and Tanh: MLAS's rational approximations (FMA3 kernels), which also build
 *   onnxruntime's 8-bit lookup tables (QLinearSigmoid).
 *
 * A fused multiply-add is computed in float64 and rounded to float32: the product of
 * two float32 values is exact in float64, the sum is rounded twice, which differs from
 * one rounding only when the float64 sum lands exactly halfway between two float32
 * values (about one in 2^29 operations).
 *
 * @module
 */
import type { Node } from "../ir/graph.ts";
import { attrReader } from "../ir/attribute.ts";
import { asFloat32, Tensor } from "../ir/tensor.ts";
import type { KernelContext } from "../ops/op.ts";
import { parseGemmAttrs } from "../ops/nn/matmul.ts";
import { planMatmul } from "../ops/nn/_matmul_shape.ts";
import { KernelError } from "../errors/mod.ts";

const f = Math.fround;

/** A float kernel: float32 tensors in, float32 tensors out. */
export type FloatRun = (inputs: readonly (Tensor | undefined)[], ctx: KernelContext) => Tensor[];

/** `a · b + c` rounded to float32 (see the module note on double rounding). */
export function fma32(a: number, b: number, c: number): number {
  return f(a * b + c);
}

/** A strided matrix view: element (r, c) is `data[at + r · rows + c · cols]`. */
interface View {
  readonly data: Float32Array;
  readonly at: number;
  readonly rows: number;
  readonly cols: number;
}

/**
 * One SGEMM `C = alpha · op(A) · op(B) + beta · C` as MLAS computes it. `a` views op(A)
 * [m, k] and `b` views op(B) [k, n]; `c` holds the starting C when beta ≠ 0 and
 * receives the result ([m, n], row-major).
 */
interface Sgemm {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: View;
  readonly b: View;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly alpha: number;
  readonly beta: number;
  readonly c: Float32Array;
}

/**
 * MLAS's K slice: 128 (`MLAS_SGEMM_STRIDEK`), halved while the N slice doubles for a
 * small K, doubled while the N slice halves for a small N (single-threaded slicing).
 */
function strideK(n: number, k: number, transA: boolean): number {
  let sn = 128;
  let sk = 128;
  if (n >= k) {
    while (sk / 2 >= k) {
      sn *= 2;
      sk /= 2;
    }
  } else if (!transA) {
    while (sn > 16 && sn / 2 >= n) {
      sk *= 2;
      sn /= 2;
    }
  }
  return sk;
}

/** The general path: per output, FMA chains over K slices added into C. */
function sgemmSliced(g: Sgemm): void {
  const sk = strideK(g.n, g.k, g.transA);
  const { a, b } = g;
  for (let i = 0; i < g.m; i++) {
    for (let j = 0; j < g.n; j++) {
      const at = i * g.n + j;
      let c = g.beta === 0 ? undefined : g.beta === 1 ? g.c[at] : f(g.c[at] * g.beta);
      for (let k0 = 0; k0 < g.k; k0 += sk) {
        const end = Math.min(g.k, k0 + sk);
        let acc = 0;
        let ai = a.at + i * a.rows + k0 * a.cols;
        let bj = b.at + k0 * b.rows + j * b.cols;
        for (let kk = k0; kk < end; kk++) {
          acc = f(a.data[ai] * b.data[bj] + acc);
          ai += a.cols;
          bj += b.rows;
        }
        c = c === undefined ? f(acc * g.alpha) : fma32(acc, g.alpha, c);
      }
      g.c[at] = c ?? 0;
    }
  }
}

/**
 * MLAS's one-row kernel (`SgemmKernelM1Avx`): `out[j] = Σ_k v[k] · w(k, j)` with rounded
 * products, four rows of W summed before each is added to the output, then two, then one.
 */
function m1Kernel(
  v: (k: number) => number,
  w: (k: number, j: number) => number,
  k: number,
  n: number,
  out: (j: number) => number,
  set: (j: number, value: number) => void,
  accumulate: boolean,
): void {
  for (let j = 0; j < n; j++) {
    let c = accumulate ? out(j) : 0;
    let kk = 0;
    for (; kk + 4 <= k; kk += 4) {
      let t = f(f(v(kk) * w(kk, j)) + f(v(kk + 1) * w(kk + 1, j)));
      t = f(f(t + f(v(kk + 2) * w(kk + 2, j))) + f(v(kk + 3) * w(kk + 3, j)));
      c = f(t + c);
    }
    if ((k - kk) & 2) {
      c = f(f(f(v(kk) * w(kk, j)) + f(v(kk + 1) * w(kk + 1, j))) + c);
      kk += 2;
    }
    if ((k - kk) & 1) c = f(f(v(kk) * w(kk, j)) + c);
    set(j, c);
  }
}

/**
 * MLAS's one-row kernel for rows of W (`SgemmKernelM1TransposeBAvx`):
 * `out[j] = Σ_k v[k] · w(j, k)` in eight lanes (k mod 8), the lanes reduced in the
 * order of the kernel's 4-, 2- or 1-row output block the column falls in.
 */
function m1TransposedKernel(
  v: (k: number) => number,
  w: (j: number, k: number) => number,
  k: number,
  n: number,
  out: (j: number) => number,
  set: (j: number, value: number) => void,
  accumulate: boolean,
): void {
  const x = new Float32Array(8);
  const fours = n - (n % 4);
  const twos = fours + (n % 4 >= 2 ? 2 : 0);
  for (let j = 0; j < n; j++) {
    x.fill(0);
    for (let kk = 0; kk < k; kk++) x[kk % 8] += f(v(kk) * w(j, kk));
    let r: number;
    if (j < fours) {
      r = f(f(f(f(x[0] + x[1]) + x[2]) + x[3]) + f(f(f(x[4] + x[5]) + x[6]) + x[7]));
    } else if (j < twos) {
      r = f(f(f(x[0] + x[2]) + f(x[4] + x[6])) + f(f(x[1] + x[3]) + f(x[5] + x[7])));
    } else {
      r = f(f(f(x[0] + x[1]) + f(x[2] + x[3])) + f(f(x[4] + x[5]) + f(x[6] + x[7])));
    }
    set(j, f(r + (accumulate ? out(j) : 0)));
  }
}

/** `MlasSgemmOperation` on one thread: the one-row and one-column kernels, else slices. */
function sgemm(g: Sgemm): void {
  const va = (i: number, kk: number) => g.a.data[g.a.at + i * g.a.rows + kk * g.a.cols];
  const vb = (kk: number, j: number) => g.b.data[g.b.at + kk * g.b.rows + j * g.b.cols];
  const simple = g.alpha === 1 && (g.beta === 0 || g.beta === 1);
  const accumulate = g.beta === 1;
  const get = (at: number) => g.c[at];
  if (g.m === 1 && !g.transA && simple) {
    const v = (kk: number) => va(0, kk);
    const set = (j: number, value: number) => (g.c[j] = value);
    if (g.transB) m1TransposedKernel(v, (j, kk) => vb(kk, j), g.k, g.n, get, set, accumulate);
    else m1Kernel(v, vb, g.k, g.n, get, set, accumulate);
    return;
  }
  if (g.n === 1 && !g.transB && simple) {
    // C = A · b computed as Cᵀ = bᵀ · Aᵀ
    const v = (kk: number) => vb(kk, 0);
    const set = (i: number, value: number) => (g.c[i] = value);
    if (g.transA) m1Kernel(v, (kk, i) => va(i, kk), g.k, g.m, get, set, accumulate);
    else m1TransposedKernel(v, va, g.k, g.m, get, set, accumulate);
    return;
  }
  sgemmSliced(g);
}

/**
 * numpy MatMul of float32 tensors as onnxruntime computes it: one SGEMM per batch, or
 * one over all rows of A when B has no batch dimensions (onnxruntime folds A's batch
 * into M then).
 */
export function matMulOrt(a: Tensor, b: Tensor, ctx: KernelContext): Tensor<"f32"> {
  const plan = planMatmul(a.shape, b.shape, ctx);
  const av = asFloat32(a);
  const bv = asFloat32(b);
  const { n, k } = plan;
  const folded = b.rank <= 2;
  const m = folded ? (k === 0 ? 0 : av.length / k) : plan.m;
  const batches = folded ? 1 : plan.aOffsets.length;
  const out = new Float32Array(batches * m * n);
  for (let batch = 0; batch < batches; batch++) {
    const aBase = folded ? 0 : plan.aOffsets[batch];
    const bBase = folded ? 0 : plan.bOffsets[batch];
    sgemm({
      m,
      n,
      k,
      a: { data: av, at: aBase, rows: k, cols: 1 },
      b: { data: bv, at: bBase, rows: n, cols: 1 },
      transA: false,
      transB: false,
      alpha: 1,
      beta: 0,
      c: out.subarray(batch * m * n, (batch + 1) * m * n),
    });
  }
  return new Tensor("f32", plan.outShape, out);
}

/**
 * Gemm `alpha · op(A) · op(B) + beta · C` as onnxruntime computes it: C broadcast to
 * [M, N] into the output, then one SGEMM with that beta.
 */
function gemmOrt(node: Node): FloatRun {
  const g = parseGemmAttrs(attrReader(node.attrs, node.name || node.opType, node.opType));
  const alpha = f(g.alpha);
  const beta = f(g.beta);
  return (inputs) => {
    const [a, b, c] = inputs;
    if (!a || !b || a.rank !== 2 || b.rank !== 2) {
      throw new KernelError(`Node "${node.name}": Gemm needs 2-D A and B`);
    }
    const [m, k] = g.transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const n = g.transB ? b.shape[0] : b.shape[1];
    const av = asFloat32(a);
    const bv = asFloat32(b);
    const out = new Float32Array(m * n);
    const withC = c !== undefined && beta !== 0;
    if (withC) {
      const cv = asFloat32(c);
      const rows = c.rank === 2 ? c.shape[0] : 1;
      const cols = c.rank === 0 ? 1 : c.shape[c.rank - 1];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          out[i * n + j] = cv[(rows === 1 ? 0 : i) * cols + (cols === 1 ? 0 : j)];
        }
      }
    }
    sgemm({
      m,
      n,
      k,
      a: g.transA ? { data: av, at: 0, rows: 1, cols: m } : { data: av, at: 0, rows: k, cols: 1 },
      b: g.transB ? { data: bv, at: 0, rows: 1, cols: k } : { data: bv, at: 0, rows: n, cols: 1 },
      transA: g.transA,
      transB: g.transB,
      alpha,
      beta: withC ? beta : 0,
      c: out,
    });
    return [new Tensor("f32", [m, n], out)];
  };
}

// MLAS's exp constants (MlasExpConstants, compute.cpp), as float32
const EXP = {
  lower: f(-88.3762626647949),
  roundingBias: 12582912, // 1.5 · 2^23
  log2Reciprocal: f(1.44269504088896341),
  log2High: f(-6.93145752e-1),
  log2Low: f(-1.42860677e-6),
  poly: [0x1694000 / 2 ** 34, 0x1125edc / 2 ** 31, 0x1555b5a / 2 ** 29, 0x1555450 / 2 ** 27],
  poly4: 0x1fffff6 / 2 ** 26,
  maximumExponent: 0x3f800000,
};
const bits = new Int32Array(1);
const bitsF = new Float32Array(bits.buffer);

/** exp(x + negMax) as MLAS's FMA3 sum-of-exp kernel computes one lane. */
function expShifted(x: number, negMax: number): number {
  let v = f(x + negMax);
  if (EXP.lower > v) v = EXP.lower;
  const biased = fma32(v, EXP.log2Reciprocal, EXP.roundingBias);
  const m = f(biased - EXP.roundingBias);
  v = fma32(m, EXP.log2High, v);
  v = fma32(m, EXP.log2Low, v);
  let p = EXP.poly[0];
  for (let i = 1; i < EXP.poly.length; i++) p = fma32(p, v, EXP.poly[i]);
  p = fma32(p, v, EXP.poly4);
  p = fma32(p, v, 1);
  p = fma32(p, v, 1);
  bitsF[0] = biased;
  bits[0] = (bits[0] << 23) + EXP.maximumExponent;
  return f(p * bitsF[0]);
}

/** Softmax over rows of length `d` (the last axis), as MLAS computes it. */
function softmaxRows(x: Float32Array, d: number): Float32Array {
  const out = new Float32Array(x.length);
  const lanes = new Float32Array(8);
  for (let base = 0; base < x.length; base += d) {
    let max = -Infinity;
    for (let i = 0; i < d; i++) if (x[base + i] > max) max = x[base + i];
    const negMax = -max;
    lanes.fill(0);
    for (let i = 0; i < d; i++) {
      const e = expShifted(x[base + i], negMax);
      out[base + i] = e;
      lanes[i % 8] += e;
    }
    // vhaddps twice within each 128-bit half, then the two halves added
    const low = f(f(lanes[0] + lanes[1]) + f(lanes[2] + lanes[3]));
    const high = f(f(lanes[4] + lanes[5]) + f(lanes[6] + lanes[7]));
    const scale = f(1 / f(high + low));
    for (let i = 0; i < d; i++) out[base + i] = out[base + i] * scale;
  }
  return out;
}

/** Softmax along the last axis in MLAS's arithmetic; other axes run on `fallback`. */
function softmaxOrt(node: Node, opset: number, fallback: FloatRun): FloatRun {
  const r = attrReader(node.attrs, node.name || node.opType, node.opType);
  const axis = r.int("axis", opset < 13 ? 1 : -1);
  return (inputs, ctx) => {
    const x = inputs[0];
    if (!x || x.rank === 0 || (axis < 0 ? axis + x.rank : axis) !== x.rank - 1) {
      return fallback(inputs, ctx);
    }
    return [new Tensor("f32", x.shape, softmaxRows(asFloat32(x), x.shape[x.rank - 1]))];
  };
}

function layerNormOrt(node: Node): FloatRun {
  const r = attrReader(node.attrs, node.name || node.opType, node.opType);
  const axis = r.int("axis", -1);
  const eps = f(r.float("epsilon", 1e-5));
  return (inputs) => {
    const [x, scaleT, biasT] = inputs;
    if (!x || !scaleT) throw new KernelError(`Node "${node.name}": LayerNormalization inputs`);
    const a = axis < 0 ? axis + x.rank : axis;
    const n = x.shape.slice(a).reduce((p, v) => p * v, 1);
    const xv = asFloat32(x);
    const scale = asFloat32(scaleT);
    const bias = biasT ? asFloat32(biasT) : undefined;
    if (scale.length !== n || (bias && bias.length !== n)) {
      throw new KernelError(`Node "${node.name}": Scale/B must hold ${n} values`);
    }
    const y = new Float32Array(xv.length);
    for (let base = 0; base < xv.length; base += n) {
      let sum = 0;
      let squares = 0;
      for (let i = base; i < base + n; i++) {
        sum = f(sum + xv[i]);
        squares = f(squares + f(xv[i] * xv[i]));
      }
      const mean = f(sum / n);
      const std = f(Math.sqrt(f(f(f(squares / n) - f(mean * mean)) + eps)));
      for (let i = 0; i < n; i++) {
        const v = f(f(f(xv[base + i] - mean) / std) * scale[i]);
        y[base + i] = bias ? v + bias[i] : v;
      }
    }
    return [new Tensor("f32", x.shape, y)];
  };
}

// MLAS's logistic constants (MlasLogisticConstants), as float32
const LOGISTIC = {
  range: 18,
  alpha: [4.37031012579801e-11, 1.15627324459942e-07, 6.08574864600143e-05, 8.51377133304701e-03]
    .map(f),
  alpha1: f(2.48287947061529e-01),
  beta: [
    6.10247389755681e-13,
    5.76102136993427e-09,
    6.29106785017040e-06,
    1.70198817374094e-03,
    1.16817656904453e-01,
    9.93151921023180e-01,
  ].map(f),
};

/** The logistic function as MLAS's FMA3 kernel: a rational function of x², clamped. */
export function logisticOrt(v: number): number {
  const x = Math.min(LOGISTIC.range, Math.max(-LOGISTIC.range, v));
  const x2 = f(x * x);
  let p = fma32(x2, LOGISTIC.alpha[0], LOGISTIC.alpha[1]);
  for (let i = 2; i < LOGISTIC.alpha.length; i++) p = fma32(p, x2, LOGISTIC.alpha[i]);
  p = fma32(p, x2, LOGISTIC.alpha1);
  let q = fma32(x2, LOGISTIC.beta[0], LOGISTIC.beta[1]);
  for (let i = 2; i < LOGISTIC.beta.length; i++) q = fma32(q, x2, LOGISTIC.beta[i]);
  const y = f(f(f(x * p) / q) + 0.5);
  return y < 0 ? 0 : y;
}

// MLAS's tanh constants (MlasTanhConstants), as float32
const TANH = {
  range: 9,
  alpha: [
    -2.76076847742355e-16,
    2.00018790482477e-13,
    -8.60467152213735e-11,
    5.12229709037114e-08,
    1.48572235717979e-05,
    6.37261928875436e-04,
    4.89352455891786e-03,
  ].map(f),
  beta: [1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03]
    .map(f),
};

/** tanh as MLAS's FMA3 kernel: x·p(x²)/q(x²) on x clamped to [−9, 9]. */
export function tanhOrt(v: number): number {
  const x = Math.min(TANH.range, Math.max(-TANH.range, v));
  const x2 = f(x * x);
  let p = fma32(x2, TANH.alpha[0], TANH.alpha[1]);
  for (let i = 2; i < TANH.alpha.length; i++) p = fma32(p, x2, TANH.alpha[i]);
  let q = fma32(x2, TANH.beta[0], TANH.beta[1]);
  for (let i = 2; i < TANH.beta.length; i++) q = fma32(q, x2, TANH.beta[i]);
  return f(f(p * x) / q);
}

/** An element-wise kernel from a scalar function. */
function elementwise(fn: (v: number) => number): FloatRun {
  return (inputs) => {
    const x = inputs[0]!;
    const v = asFloat32(x);
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = fn(v[i]);
    return [new Tensor("f32", x.shape, out)];
  };
}

/**
 * The onnxruntime-rounded float kernel of a default-domain node, when this module has
 * one (`fallback` runs the cases it does not cover).
 */
export function onnxruntimeFloat(
  node: Node,
  opset: number,
  fallback: FloatRun,
): FloatRun | undefined {
  if (node.domain !== "") return undefined;
  switch (node.opType) {
    case "MatMul":
      return (inputs, ctx) => [matMulOrt(inputs[0]!, inputs[1]!, ctx)];
    case "Gemm":
      return gemmOrt(node);
    case "Softmax":
      return softmaxOrt(node, opset, fallback);
    case "Sigmoid":
      return elementwise(logisticOrt);
    case "Tanh":
      return elementwise(tanhOrt);
    case "LayerNormalization":
      // the Mean and InvStdDev outputs come from the caller's kernel
      return node.outputs.filter((o) => o).length === 1 ? layerNormOrt(node) : undefined;
    default:
      return undefined;
  }
}
