/**
 * Per-channel statistics of the precision analysis, gathered per sample and summed over
 * samples, so workers can each measure their share and the main thread adds them up:
 *
 * - the collapse check: which codes each channel of a quantized tensor uses under the
 *   tensor's own (per-tensor) parameters, over all samples, and the channel's float range;
 * - the per-channel cosine of an output against the float reference;
 * - for classifier-like outputs, top-1 / top-5 agreement with the float model.
 *
 * The channel axis is axis 1 for rank 4 and more (NCHW) and the last axis for rank 2 and
 * 3 (`[N, classes]`, `[N, tokens, features]`, a detector's `[N, boxes, 4 + classes]`);
 * rank 0 and 1 tensors have no channels.
 *
 * @module
 */
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import { dequantizeTensor, type QParams, quantizeTensor } from "./codes.ts";
import { QRANGE } from "./numeric.ts";
import { wasmKernels } from "../wasm/kernels.ts";
import { type Resident, residentAt, singleDequantization } from "../report/metrics.ts";

/** The channel axis of a tensor of `shape`, or undefined when it has none. */
export function channelAxis(shape: readonly number[]): number | undefined {
  if (shape.length >= 4) return 1;
  if (shape.length >= 2) return shape.length - 1;
  return undefined;
}

/**
 * A row-major tensor of `shape` seen along `axis`: `outer` blocks of `channels` runs of
 * `inner` elements each (element `(o · channels + c) · inner + k` is in channel `c`).
 */
function channelLayout(shape: readonly number[], axis: number) {
  return {
    outer: shape.slice(0, axis).reduce((a, b) => a * b, 1),
    channels: shape[axis],
    inner: shape.slice(axis + 1).reduce((a, b) => a * b, 1),
  };
}

/**
 * Codes used and float range per channel of one tensor, over one sample or several.
 * Codes are marked at 8-bit resolution: one bit per U8/S8 code, one per group of 256
 * codes of a 16-bit type (a 16-bit channel on fewer than 16 such groups has collapsed
 * as an 8-bit one on fewer than 16 codes would).
 */
export interface ChannelCodes {
  /** {@linkcode LEVEL_WORDS} 32-bit words of code marks per channel, channel after channel. */
  marks: Uint32Array;
  /** Smallest and largest float value per channel. */
  min: Float64Array;
  max: Float64Array;
  /** Elements per channel, summed over the samples. */
  elements: number;
  /**
   * Per-channel cosine sums of the codes dequantized against the float values: what the
   * tensor's own quantization loses, channel by channel.
   */
  roundTrip: ChannelCosineSums;
}

const LEVELS = 256;
const LEVEL_WORDS = LEVELS / 32;

/**
 * The codes of `ref` quantized with `p`, marked per channel, each channel's float range
 * and the round trip's per-channel cosine sums.
 *
 * @param codes `ref` already quantized with `p`, when the caller has it
 * @param resident `ref`'s values placed in the kernels' memory (`withResident` of
 *   core/report/metrics.ts),
 *   when the caller compares them more than once
 * @returns undefined for a tensor without channels
 */
export function channelCodes(
  ref: Tensor,
  p: QParams,
  codes?: Tensor,
  resident?: Resident,
): ChannelCodes | undefined {
  const shape = ref.shape;
  const axis = channelAxis(shape);
  if (axis === undefined) return undefined;
  const { min: qmin, max: qmax, bits } = QRANGE[p.qtype];
  const perLevel = (qmax - qmin + 1) / LEVELS;
  const { outer, channels, inner } = channelLayout(shape, axis);
  const v = asFloat32(ref);
  const q = codes ?? quantizeTensor(ref, p);
  const c8 = asFloat32(q);
  // per-tensor codes dequantize inline as dequantizeTensor does, `(code − zero) · scale`
  // rounded once to float32, without a second tensor
  const back = p.channels ? asFloat32(dequantizeTensor(q, p)) : undefined;
  const layout = { outer, channels, inner };
  const stats =
    (bits <= 16 ? wasmChannelStats(v, c8, back, layout, qmin, perLevel, p, resident) : undefined) ??
      scalarChannelStats(v, c8, back, layout, qmin, perLevel, p);
  return { ...stats, elements: ref.size / channels };
}

type ChannelStats = Omit<ChannelCodes, "elements">;
type Layout = ReturnType<typeof channelLayout>;

/**
 * {@linkcode channelCodes}' loop in the wasm kernel `channelCodeStats`
 * (core/wasm/assembly/channel_codes.ts), the tensors copied into the kernels' memory: the
 * same marks and ranges, the round-trip sums in another order (last bits). Undefined on
 * the scalar path.
 */
function wasmChannelStats(
  v: Float32Array,
  c8: Float32Array,
  back: Float32Array | undefined,
  { outer, channels, inner }: Layout,
  qmin: number,
  perLevel: number,
  p: QParams,
  resident: Resident | undefined,
): ChannelStats | undefined {
  const k = wasmKernels();
  if (!k) return undefined;
  const n = v.length;
  const words = channels * LEVEL_WORDS;
  const placed = resident?.values === v ? residentAt(resident, k) : undefined;
  // f64 blocks first (8-byte aligned), then the 4-byte ones
  const bytes = 40 * channels + 4 * words + LEVELS + 4 * n * ((back ? 2 : 1) + (placed ? 0 : 1));
  const ptr = k.heap.alloc(bytes);
  try {
    const range = ptr;
    const sums = range + 16 * channels;
    const marksAt = sums + 24 * channels;
    const flags = marksAt + 4 * words;
    const cAt = flags + LEVELS;
    const bAt = back ? cAt + 4 * n : 0;
    const vAt = placed ?? (back ? bAt : cAt) + 4 * n;
    new Uint8Array(k.heap.memory.buffer, flags, LEVELS).fill(0);
    if (placed === undefined) k.heap.f32(vAt, n).set(v);
    k.heap.f32(cAt, n).set(c8);
    if (back) k.heap.f32(bAt, n).set(back);
    k.fn.channelCodeStats(
      vAt,
      cAt,
      outer,
      channels,
      inner,
      qmin,
      Math.log2(perLevel),
      p.zeroPoint,
      p.scale,
      bAt,
      marksAt,
      range,
      sums,
      flags,
      singleDequantization(p.zeroPoint, p.scale, QRANGE[p.qtype].bits) ? 1 : 0,
    );
    const block = (at: number) => k.heap.f64(at, channels).slice();
    return {
      marks: new Uint32Array(k.heap.memory.buffer, marksAt, words).slice(),
      min: block(range),
      max: block(range + 8 * channels),
      roundTrip: {
        dot: block(sums),
        got: block(sums + 8 * channels),
        ref: block(sums + 16 * channels),
      },
    };
  } finally {
    k.heap.free(ptr);
  }
}

/** {@linkcode channelCodes}' loop in element order (the scalar path and 32-bit codes). */
function scalarChannelStats(
  v: Float32Array,
  c8: Float32Array,
  back: Float32Array | undefined,
  { outer, channels, inner }: Layout,
  qmin: number,
  perLevel: number,
  p: QParams,
): ChannelStats {
  const { zeroPoint, scale } = p;
  const whole = perLevel === 1;
  const marks = new Uint32Array(channels * LEVEL_WORDS);
  const min = new Float64Array(channels).fill(Infinity);
  const max = new Float64Array(channels).fill(-Infinity);
  const roundTrip: ChannelCosineSums = {
    dot: new Float64Array(channels),
    got: new Float64Array(channels),
    ref: new Float64Array(channels),
  };
  for (let c = 0; c < channels; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    let dot = 0;
    let got = 0;
    let want = 0;
    const word = c * LEVEL_WORDS;
    for (let o = 0; o < outer; o++) {
      const start = (o * channels + c) * inner;
      for (let i = start; i < start + inner; i++) {
        const code = c8[i];
        const level = whole ? code - qmin : Math.floor((code - qmin) / perLevel);
        marks[word + (level >> 5)] |= 1 << (level & 31);
        const x = v[i];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        const y = back ? back[i] : Math.fround((code - zeroPoint) * scale);
        dot += y * x;
        got += y * y;
        want += x * x;
      }
    }
    min[c] = lo;
    max[c] = hi;
    roundTrip.dot[c] = dot;
    roundTrip.got[c] = got;
    roundTrip.ref[c] = want;
  }
  return { marks, min, max, roundTrip };
}

/** Channel code statistics over several samples: the codes of both, the wider range. */
export function mergeChannelCodes(a: ChannelCodes, b: ChannelCodes): ChannelCodes {
  return mergeChannelCodesInto(copyChannelCodes(a), b);
}

/** A copy of `a` that {@linkcode mergeChannelCodesInto} may modify. */
export function copyChannelCodes(a: ChannelCodes): ChannelCodes {
  return {
    marks: a.marks.slice(),
    min: a.min.slice(),
    max: a.max.slice(),
    elements: a.elements,
    roundTrip: copyCosineSums(a.roundTrip),
  };
}

/**
 * {@linkcode mergeChannelCodes} into `into` itself (no new arrays: the analysis merges
 * every tensor of every sample).
 *
 * @returns `into`
 */
export function mergeChannelCodesInto(into: ChannelCodes, b: ChannelCodes): ChannelCodes {
  const { marks, min, max } = into;
  for (let i = 0; i < marks.length; i++) marks[i] = (marks[i] | (b.marks[i] ?? 0)) >>> 0;
  for (let c = 0; c < min.length; c++) {
    min[c] = Math.min(min[c], b.min[c] ?? min[c]);
    max[c] = Math.max(max[c], b.max[c] ?? max[c]);
  }
  into.elements += b.elements;
  addCosineSumsInto(into.roundTrip, b.roundTrip);
  return into;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}

/** Distinct codes (8-bit levels) each channel uses. */
export function codesPerChannel(s: ChannelCodes): number[] {
  return Array.from(s.min, (_, c) => {
    let n = 0;
    for (let w = 0; w < LEVEL_WORDS; w++) n += popcount(s.marks[c * LEVEL_WORDS + w] ?? 0);
    return n;
  });
}

/** Verdict of the collapse check on one tensor. */
export interface Collapse {
  /** Widest channel range over the narrowest non-zero one. */
  rangeRatio: number;
  /** Channels using fewer than {@linkcode FEW_CODES} codes. */
  fewCodeChannels: number;
  /** Channels of the tensor. */
  channels: number;
  /** Median distinct codes per channel. */
  medianCodes: number;
  /** Cosine of the tensor's quantization round trip, over all channels and samples. */
  roundTripCosine: number;
  /**
   * Median round-trip cosine of the few-code channels, each over its own values (1 when
   * there are none, or all are zero).
   */
  fewCodeCosine: number;
  /** The tensor is flagged as collapsed. */
  flagged: boolean;
}

/** A channel with fewer codes than this carries little more than its sign. */
export const FEW_CODES = 16;
/** Channel ranges differing by more than this factor cannot share one scale well. */
export const RANGE_RATIO = 100;
/**
 * Fewer elements per channel (over all samples) than this say nothing about its codes: a
 * `[1, 1280, 1, 1]` pooled tensor on 8 samples uses at most 8 codes per channel.
 */
export const MIN_ELEMENTS = 256;
/** A round trip this close to the float tensor has lost nothing worth a flag. */
export const LOSS_COSINE = 0.999;
/** Few-code channels this close to their float values (median) kept what they carried. */
export const FEW_CODE_LOSS_COSINE = 0.99;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The collapse rule: one per-tensor scale serves channels whose ranges differ by more
 * than {@linkcode RANGE_RATIO} (widest over narrowest non-zero range), and most channels
 * (more than half) use fewer than {@linkcode FEW_CODES} codes — the narrow channels have
 * collapsed onto a handful of codes under the wide channels' scale (a detector's scores
 * concatenated with its boxes). Constant channels (range 0) count as few-code channels but
 * not for the ratio: a dead ReLU channel alone is no collapse. Channels with fewer than
 * {@linkcode MIN_ELEMENTS} elements over the samples are never flagged.
 *
 * A flag must also point at damage, measured on the tensor's own quantization (its float
 * values quantized and dequantized with its parameters, over all samples): the whole
 * tensor's round-trip cosine is below {@linkcode LOSS_COSINE}, or the median of the
 * few-code channels' own round-trip cosines is below {@linkcode FEW_CODE_LOSS_COSINE}
 * (each channel on its own: pooled, the widest of them would speak for all). Wide-ranging depthwise
 * outputs whose narrow channels sit on a few codes yet keep their values (mobilenet_v2's
 * Clip outputs, round trip ≥ 0.9999) are not flagged.
 */
export function collapseOf(s: ChannelCodes): Collapse {
  const ranges = s.max.map((m, c) => m - s.min[c]).filter((r) => r > 0 && Number.isFinite(r));
  const rangeRatio = ranges.length ? Math.max(...ranges) / Math.min(...ranges) : 1;
  const codes = codesPerChannel(s);
  const few = codes.map((n) => n < FEW_CODES);
  const fewCodeChannels = few.filter((f) => f).length;
  const channels = codes.length;
  const roundTripCosine = pooledCosine(s.roundTrip);
  const pick = (xs: Float64Array) => xs.filter((_, c) => few[c]);
  const rt = s.roundTrip;
  const fewCodeCosine = cosineSpread({ dot: pick(rt.dot), got: pick(rt.got), ref: pick(rt.ref) })
    .median;
  const damaged = roundTripCosine < LOSS_COSINE || fewCodeCosine < FEW_CODE_LOSS_COSINE;
  return {
    rangeRatio,
    fewCodeChannels,
    channels,
    medianCodes: median(codes),
    roundTripCosine,
    fewCodeCosine,
    flagged: s.elements >= MIN_ELEMENTS && rangeRatio > RANGE_RATIO &&
      fewCodeChannels * 2 > channels && damaged,
  };
}

/** Cosine over all channels of per-channel sums (1 when both sides are zero). */
function pooledCosine(s: ChannelCosineSums): number {
  let dot = 0;
  let got = 0;
  let ref = 0;
  s.dot.forEach((d, c) => {
    dot += d;
    got += s.got[c];
    ref += s.ref[c];
  });
  return got === 0 && ref === 0 ? 1 : got === 0 || ref === 0 ? 0 : dot / Math.sqrt(got * ref);
}

/** Per-channel sums of a cosine: `Σ got·ref`, `Σ got²`, `Σ ref²`. */
export interface ChannelCosineSums {
  dot: Float64Array;
  got: Float64Array;
  ref: Float64Array;
}

/** Per-channel cosine sums of `got` against `ref` on one sample. */
export function channelCosineSums(got: Tensor, ref: Tensor): ChannelCosineSums | undefined {
  const axis = channelAxis(ref.shape);
  if (axis === undefined || got.shape.length !== ref.shape.length) return undefined;
  const { outer, channels, inner } = channelLayout(ref.shape, axis);
  const a = asFloat32(got);
  const b = asFloat32(ref);
  const s: ChannelCosineSums = {
    dot: new Float64Array(channels),
    got: new Float64Array(channels),
    ref: new Float64Array(channels),
  };
  // element order, as the sums were always taken
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const start = (o * channels + c) * inner;
      for (let i = start; i < start + inner; i++) {
        s.dot[c] += a[i] * b[i];
        s.got[c] += a[i] * a[i];
        s.ref[c] += b[i] * b[i];
      }
    }
  }
  return s;
}

/** Sum of two samples' channel cosine sums. */
export function addCosineSums(a: ChannelCosineSums, b: ChannelCosineSums): ChannelCosineSums {
  return addCosineSumsInto(copyCosineSums(a), b);
}

/** A copy of `a` that {@linkcode addCosineSumsInto} may modify. */
export function copyCosineSums(a: ChannelCosineSums): ChannelCosineSums {
  return { dot: a.dot.slice(), got: a.got.slice(), ref: a.ref.slice() };
}

/**
 * {@linkcode addCosineSums} into `into` itself.
 *
 * @returns `into`
 */
export function addCosineSumsInto(
  into: ChannelCosineSums,
  b: ChannelCosineSums,
): ChannelCosineSums {
  for (let c = 0; c < into.dot.length; c++) {
    into.dot[c] += b.dot[c] ?? 0;
    into.got[c] += b.got[c] ?? 0;
    into.ref[c] += b.ref[c] ?? 0;
  }
  return into;
}

/** Minimum and median per-channel cosine; channels zero in both tensors are left out. */
export function cosineSpread(s: ChannelCosineSums): { min: number; median: number } {
  const cos: number[] = [];
  s.dot.forEach((d, c) => {
    const g = s.got[c];
    const r = s.ref[c];
    if (g === 0 && r === 0) return;
    cos.push(g === 0 || r === 0 ? 0 : d / Math.sqrt(g * r));
  });
  return cos.length ? { min: Math.min(...cos), median: median(cos) } : { min: 1, median: 1 };
}

/** Top-1 / top-5 agreement counts of a classifier-like output over its rows. */
export interface ClassAgreement {
  /** Rows compared (batch entries × samples). */
  rows: number;
  /** Rows where no class outscores the float model's top-1 class. */
  top1: number;
  /** Rows whose top-5 classes contain the float model's top-1 class. */
  top5: number;
}

/** A classifier-like output: rank 2 with at least 10 classes. */
export function classifierLike(shape: readonly number[]): boolean {
  return shape.length === 2 && shape[1] >= 10;
}

/**
 * Top-1 / top-5 agreement of `got` with `ref` for a classifier-like output.
 *
 * @returns undefined when the output is not classifier-like
 */
export function classAgreement(got: Tensor, ref: Tensor): ClassAgreement | undefined {
  if (!classifierLike(ref.shape) || got.shape.length !== 2) return undefined;
  const [rows, classes] = ref.shape;
  const a = asFloat32(got);
  const b = asFloat32(ref);
  const out: ClassAgreement = { rows, top1: 0, top5: 0 };
  for (let r = 0; r < rows; r++) {
    const off = r * classes;
    let want = 0;
    for (let k = 1; k < classes; k++) if (b[off + k] > b[off + want]) want = k;
    // the float top-1 is the quantized top-1 when no class scores strictly higher (a tie
    // of codes counts as agreement), and in its top 5 when fewer than 5 do
    let higher = 0;
    for (let k = 0; k < classes; k++) if (a[off + k] > a[off + want]) higher++;
    if (higher === 0) out.top1++;
    if (higher < 5) out.top5++;
  }
  return out;
}
