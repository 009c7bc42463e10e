/**
 * Similarity metrics between two tensors of equal size, in float64:
 * cosine similarity, mean squared error, and the largest absolute difference.
 *
 * Float32 arrays of at least {@linkcode WASM_MIN} elements are summed by the wasm kernels
 * (`core/wasm/assembly/compare.ts`) in four interleaved partial sums, not in element
 * order: the sums move in the last bits, the precision table (5 decimals) does not
 * (mobilenet_v2 and resnet18, checked 2026-12). The scalar path (`AXB_KERNELS=scalar`)
 * sums in element order.
 *
 * @module
 */
import { type KernelExports, type WasmKernels, wasmKernels } from "../wasm/kernels.ts";

/** Metrics of `actual` against `expected`. */
export interface Similarity {
  cosine: number;
  mse: number;
  maxAbs: number;
}

/**
 * Compare two equally sized arrays. Cosine of two all-zero arrays is 1; of one all-zero
 * and one non-zero array, 0.
 */
export function similarity(actual: ArrayLike<number>, expected: ArrayLike<number>): Similarity {
  if (actual.length !== expected.length) {
    throw new RangeError(
      `Cannot compare arrays of ${actual.length} and ${expected.length} elements`,
    );
  }
  // float32 tensors (the precision analysis compares millions of elements per sample) take
  // a loop that only ever sees Float32Array, so the engine compiles it for that one type;
  // both loops sum in the same order, so the results are the same bits
  if (actual instanceof Float32Array && expected instanceof Float32Array) {
    const s = wasmSums(actual, expected, (fn, a, b, n, out) => fn.similaritySums(a, b, n, out));
    return summarise(s ?? sumsF32(actual, expected), actual.length);
  }
  return summarise(sums(actual, expected), actual.length);
}

/**
 * Smallest array the wasm kernels sum: shorter ones stay in the loop, where the call's
 * fixed cost (allocation, copies) would dominate.
 */
export const WASM_MIN = 64;

/**
 * Float32 values compared several times ({@linkcode withResident}): on the wasm path
 * they sit once in the kernels' memory at `at`, and each comparison copies only the other
 * operand.
 */
export interface Resident {
  /** The values. */
  readonly values: Float32Array;
  /** Their copy in the kernels' memory, when the comparisons run there. */
  readonly at?: { readonly kernels: WasmKernels; readonly ptr: number };
}

/**
 * Run `body` with `values` copied once into the kernels' memory (when the comparisons of
 * arrays that long run there), freeing the copy after: {@linkcode similarityOfCodes} and
 * `channelCodes` (core/quant/precision_channels.ts) given the handle read that copy.
 */
export function withResident<T>(values: Float32Array, body: (r: Resident) => T): T {
  const k = wasmKernels();
  if (!k || values.length < WASM_MIN) return body({ values });
  const ptr = k.heap.put(values);
  try {
    return body({ values, at: { kernels: k, ptr } });
  } finally {
    k.heap.free(ptr);
  }
}

/** The address of `r`'s copy in the kernels `k`, if it has one there. */
export function residentAt(r: Resident | undefined, k: WasmKernels): number | undefined {
  return r?.at?.kernels === k ? r.at.ptr : undefined;
}

/**
 * The five sums of a wasm kernel over `a` and `b` copied into the kernels' memory (`b`
 * read from its resident copy when it has one), or undefined on the scalar path and for
 * short arrays.
 */
function wasmSums(
  a: Float32Array,
  b: Float32Array | Resident,
  kernel: (fn: KernelExports, a: number, b: number, n: number, out: number) => void,
): Sums | undefined {
  const k = wasmKernels();
  const n = a.length;
  if (!k || n < WASM_MIN) return undefined;
  const bAt = b instanceof Float32Array ? undefined : residentAt(b, k);
  // the operands, then the five float64 sums 8-byte aligned
  const sumsOffset = 8 * Math.ceil(((bAt === undefined ? 2 : 1) * n) / 2);
  const ptr = k.heap.alloc(sumsOffset + 40);
  try {
    k.heap.f32(ptr, n).set(a);
    if (bAt === undefined) k.heap.f32(ptr + 4 * n, n).set(b instanceof Float32Array ? b : b.values);
    const out = ptr + sumsOffset;
    kernel(k.fn, ptr, bAt ?? ptr + 4 * n, n, out);
    const [dot, na, nb, se, maxAbs] = k.heap.f64(out, 5);
    return { dot, na, nb, se, maxAbs };
  } finally {
    k.heap.free(ptr);
  }
}

interface Sums {
  dot: number;
  na: number;
  nb: number;
  se: number;
  maxAbs: number;
}

function sums(actual: ArrayLike<number>, expected: ArrayLike<number>): Sums {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let se = 0;
  let maxAbs = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    dot += a * b;
    na += a * a;
    nb += b * b;
    const d = a - b;
    se += d * d;
    const ad = Math.abs(d);
    if (ad > maxAbs || Number.isNaN(ad)) maxAbs = ad;
  }
  return { dot, na, nb, se, maxAbs };
}

function sumsF32(actual: Float32Array, expected: Float32Array): Sums {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let se = 0;
  let maxAbs = 0;
  const n = actual.length;
  for (let i = 0; i < n; i++) {
    const a = actual[i];
    const b = expected[i];
    dot += a * b;
    na += a * a;
    nb += b * b;
    const d = a - b;
    se += d * d;
    const ad = Math.abs(d);
    if (ad > maxAbs || ad !== ad) maxAbs = ad;
  }
  return { dot, na, nb, se, maxAbs };
}

function summarise(s: Sums, length: number): Similarity {
  const { dot, na, nb } = s;
  const cosine = na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  return { cosine, mse: length ? s.se / length : 0, maxAbs: s.maxAbs };
}

/**
 * {@linkcode similarity} of integer codes against float values, the codes dequantized on
 * the fly as `(code − zeroPoint) · scale` rounded once to float32 — the value a
 * per-tensor DequantizeLinear gives — without building the dequantized tensor.
 */
export function similarityOfCodes(
  codes: Float32Array,
  zeroPoint: number,
  scale: number,
  reference: Float32Array | Resident,
  opts: CodeOptions = {},
): Similarity {
  const expected = reference instanceof Float32Array ? reference : reference.values;
  if (codes.length !== expected.length) {
    throw new RangeError(
      `Cannot compare arrays of ${codes.length} and ${expected.length} elements`,
    );
  }
  const n = codes.length;
  const fast = wasmSums(
    codes,
    reference,
    (fn, c, b, len, out) =>
      fn.codeSimilaritySums(
        c,
        zeroPoint,
        scale,
        b,
        len,
        out,
        singleDequantization(zeroPoint, scale, opts.bits ?? 32) ? 1 : 0,
      ),
  );
  if (fast) return summarise(fast, n);
  let dot = 0;
  let na = 0;
  let nb = 0;
  let se = 0;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.fround((codes[i] - zeroPoint) * scale);
    const b = expected[i];
    dot += a * b;
    na += a * a;
    nb += b * b;
    const d = a - b;
    se += d * d;
    const ad = Math.abs(d);
    if (ad > maxAbs || ad !== ad) maxAbs = ad;
  }
  return summarise({ dot, na, nb, se, maxAbs }, n);
}

/** Options of {@linkcode similarityOfCodes}. */
export interface CodeOptions {
  /** Bits of the codes' type (default 32), when known: 16 or fewer dequantize faster. */
  bits?: number;
}

/**
 * Whether codes of `bits` bits dequantize exactly the same in float32 arithmetic (the
 * kernels' `single` flag): a float32 scale, an integer zero point and codes and zero
 * point of at most 16 bits, so that `code − zeroPoint` is exact in float32.
 */
export function singleDequantization(zeroPoint: number, scale: number, bits: number): boolean {
  return bits <= 16 && Math.fround(scale) === scale && Number.isInteger(zeroPoint) &&
    Math.abs(zeroPoint) <= 65536;
}
