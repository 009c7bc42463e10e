/**
 * Float32 convolution kernels over NC(spatial) tensors.
 *
 * Paths, fastest first: depthwise (one input channel per group) as a direct loop with
 * precomputed valid column ranges; 1×1 stride-1 unpadded as a plain GEMM on the input;
 * 2-D im2col + GEMM; N-d (3-D, …) im2col + GEMM through generic index arithmetic.
 * 1-D runs as 2-D with one row. Bias is written into the output first and the GEMM
 * accumulates onto it.
 *
 * With the wasm kernels loaded, 1-D and 2-D convolutions run whole in WebAssembly
 * (core/wasm/assembly/conv.ts, depthwise.ts): the patch matrix is gathered straight into
 * the GEMM's packed panels, and constant weights are packed once and kept beside the
 * kernels. The TypeScript loops below are the reference of the exact `simd` path: the
 * same sums in the same order, so both give the same bits (see gemm_kernel.ts for the
 * rounding contract). The default `relaxed-simd` path fuses each multiply-add and is
 * held to float32 rounding of the exact sums instead (core/wasm/kernels.ts).
 *
 * @module
 */
import { gemm } from "./gemm_kernel.ts";
import { type ActivationEpilogue, applyEpilogue, applyEpilogueWasm } from "../epilogue.ts";
import type { Window } from "./_spatial.ts";
import { type WasmKernels, wasmKernels } from "../../wasm/kernels.ts";

/** Shapes of one convolution call. */
export interface ConvShape {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly group: number;
  /** Input spatial dims. */
  readonly inSpatial: readonly number[];
  /** Resolved window (kernel, strides, dilations, pads, output dims). */
  readonly window: Window;
}

let colScratch = new Float32Array(0);

/** Reusable im2col buffer of at least `n` floats. */
export function colBuffer(n: number): Float32Array {
  if (colScratch.length < n) colScratch = new Float32Array(n);
  return colScratch;
}

/** Options of {@linkcode convF32}. */
export interface ConvOptions {
  /**
   * `w` is a constant (an initializer) that is never modified: its packed form is kept
   * for the array's lifetime instead of being rebuilt on every call.
   */
  readonly constantWeights?: boolean;
  /** Apply this epilogue to the output (as its own node would). */
  readonly epilogue?: ActivationEpilogue;
}

/**
 * Convolve `x` [N, C, …] with `w` [M, C/group, …kernel] (+ `bias` [M]).
 *
 * @returns the output [N, M, …outShape] as a new Float32Array
 */
export function convF32(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  s: ConvShape,
  opts: ConvOptions = {},
): Float32Array {
  const win = s.window;
  const outP = win.outShape.reduce((a, b) => a * b, 1);
  const size = s.batch * s.outChannels * outP;
  const r = s.inSpatial.length;
  const k = wasmKernels();
  if (k && outP > 0 && (r === 1 || r === 2)) {
    const g = r === 2 ? to2d(s) : to2dFrom1d(s);
    return convWasm(k, x, w, bias, g, size, opts);
  }
  const out = new Float32Array(size);
  if (outP === 0) return out;
  if (bias) {
    for (let n = 0; n < s.batch; n++) {
      for (let m = 0; m < s.outChannels; m++) {
        const o = (n * s.outChannels + m) * outP;
        out.fill(bias[m], o, o + outP);
      }
    }
  }
  if (r === 1 || r === 2) {
    const g2 = r === 2 ? to2d(s) : to2dFrom1d(s);
    if (g2.cg === 1 && s.group === s.inChannels) depthwise2d(x, w, out, g2);
    else conv2d(x, w, out, g2);
  } else {
    convNd(x, w, out, s);
  }
  if (opts.epilogue) applyEpilogue(out, opts.epilogue);
  return out;
}

/** Bytes a sub-block of the scratch block takes: aligned, with room for the reads past its end. */
function subBlock(bytes: number): number {
  return Math.ceil((bytes + 64) / 64) * 64;
}

/**
 * The 2-D convolution in WebAssembly; returns the `size` output floats. The per-call
 * operands (geometry, bias, GEMM work area, input, output) share one scratch block, so a
 * call costs one allocation; constant weights stay packed (or, for depthwise, copied)
 * beside the kernels.
 */
function convWasm(
  k: WasmKernels,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | undefined,
  g: Geo2d,
  size: number,
  opts: ConvOptions,
): Float32Array {
  const { heap, fn } = k;
  const constantWeights = opts.constantWeights ?? false;
  const depthwise = g.cg === 1 && g.g === g.c;
  const kdim = g.cg * g.kh * g.kw;
  const groupBytes = fn.packedABytes(g.mg, kdim);
  const packWeights = (dst: number) => {
    const raw = heap.put(w);
    for (let gi = 0; gi < g.g; gi++) {
      fn.packA(dst + gi * groupBytes, raw + gi * g.mg * kdim * 4, kdim, 1, g.mg, kdim, 1);
    }
    heap.free(raw);
  };
  const copyWeights = (dst: number) => heap.f32(dst, w.length).set(w);
  let wp: number;
  if (constantWeights) {
    wp = depthwise
      ? heap.resident(w, `depthwise ${w.length}`, w.byteLength, copyWeights)
      : heap.resident(w, `conv ${g.m}x${kdim}/${g.g}`, g.g * groupBytes, packWeights);
  } else if (depthwise) wp = heap.put(w);
  else {
    wp = heap.alloc(g.g * groupBytes);
    packWeights(wp);
  }
  // depthwise adds every tap onto the output, which starts as the bias; conv2d reads the
  // bias (zeros for none) and a work area
  const geoAt = 0;
  const biasAt = geoAt + subBlock(GEOMETRY_FIELDS * 4);
  const workAt = biasAt + (depthwise ? 0 : subBlock(g.m * 4));
  const xAt = workAt + (depthwise ? 0 : subBlock(fn.convWorkBytes()));
  const yAt = xAt + subBlock(x.byteLength);
  const block = heap.alloc(yAt + size * 4);
  try {
    writeGeometry(heap.i32(block + geoAt, GEOMETRY_FIELDS), g);
    heap.f32(block + xAt, x.length).set(x);
    const y = heap.f32(block + yAt, size);
    if (depthwise) {
      const plane = g.oh * g.ow;
      if (bias) {
        for (let i = 0; i < g.n * g.m; i++) y.fill(bias[i % g.m], i * plane, (i + 1) * plane);
      } else y.fill(0);
      fn.depthwise2d(block + xAt, wp, block + yAt, block + geoAt);
    } else {
      const b = heap.f32(block + biasAt, g.m);
      if (bias) b.set(bias);
      else b.fill(0);
      fn.conv2d(block + xAt, wp, block + biasAt, block + yAt, block + geoAt, block + workAt);
    }
    if (opts.epilogue) applyEpilogueWasm(fn, block + yAt, size, opts.epilogue);
    // slice() measured 6-13 % faster than new Float32Array + set() on outputs of 0.2-2 MB
    return y.slice();
  } finally {
    heap.free(block);
    if (!constantWeights) heap.free(wp);
  }
}

/**
 * The geometry block the wasm convolution kernels read, 1-D lifted to 2-D: n, c, h, w,
 * m, group, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow (core/wasm/assembly/conv.ts).
 */
export function wasmGeometry(s: ConvShape): Int32Array {
  return geometryBlock(s.inSpatial.length === 2 ? to2d(s) : to2dFrom1d(s));
}

/** Int32 fields of the geometry block. */
const GEOMETRY_FIELDS = 16;

function geometryBlock(g: Geo2d): Int32Array {
  const block = new Int32Array(GEOMETRY_FIELDS);
  writeGeometry(block, g);
  return block;
}

function writeGeometry(d: Int32Array, g: Geo2d): void {
  d[0] = g.n;
  d[1] = g.c;
  d[2] = g.h;
  d[3] = g.w;
  d[4] = g.m;
  d[5] = g.g;
  d[6] = g.kh;
  d[7] = g.kw;
  d[8] = g.sh;
  d[9] = g.sw;
  d[10] = g.dh;
  d[11] = g.dw;
  d[12] = g.pt;
  d[13] = g.pl;
  d[14] = g.oh;
  d[15] = g.ow;
}

/** Flattened 2-D parameters. */
interface Geo2d {
  n: number;
  c: number;
  h: number;
  w: number;
  m: number;
  g: number;
  cg: number;
  mg: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
  oh: number;
  ow: number;
}

function to2d(s: ConvShape): Geo2d {
  const win = s.window;
  return {
    n: s.batch,
    c: s.inChannels,
    h: s.inSpatial[0],
    w: s.inSpatial[1],
    m: s.outChannels,
    g: s.group,
    cg: s.inChannels / s.group,
    mg: s.outChannels / s.group,
    kh: win.kernel[0],
    kw: win.kernel[1],
    sh: win.strides[0],
    sw: win.strides[1],
    dh: win.dilations[0],
    dw: win.dilations[1],
    pt: win.pads[0],
    pl: win.pads[1],
    oh: win.outShape[0],
    ow: win.outShape[1],
  };
}

function to2dFrom1d(s: ConvShape): Geo2d {
  const win = s.window;
  return {
    n: s.batch,
    c: s.inChannels,
    h: 1,
    w: s.inSpatial[0],
    m: s.outChannels,
    g: s.group,
    cg: s.inChannels / s.group,
    mg: s.outChannels / s.group,
    kh: 1,
    kw: win.kernel[0],
    sh: 1,
    sw: win.strides[0],
    dh: 1,
    dw: win.dilations[0],
    pt: 0,
    pl: win.pads[0],
    oh: 1,
    ow: win.outShape[0],
  };
}

/** First output column whose tap `j` lands inside [0, w): ceil((pl − j·dw)/sw), ≥ 0. */
function firstValid(pl: number, off: number, sw: number): number {
  const v = pl - off;
  return v <= 0 ? 0 : Math.ceil(v / sw);
}

/** One past the last output column whose tap lands inside [0, w), ≤ ow. */
function endValid(w: number, pl: number, off: number, sw: number, ow: number): number {
  const v = w - 1 + pl - off;
  if (v < 0) return 0;
  return Math.min(ow, Math.floor(v / sw) + 1);
}

function depthwise2d(x: Float32Array, wt: Float32Array, out: Float32Array, g: Geo2d): void {
  const { h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, mg } = g;
  const hw = h * w;
  const ohw = oh * ow;
  for (let n = 0; n < g.n; n++) {
    for (let m = 0; m < g.m; m++) {
      const ci = (m / mg) | 0;
      const xBase = (n * g.c + ci) * hw;
      const yBase = (n * g.m + m) * ohw;
      const wBase = m * kh * kw;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const wv = wt[wBase + i * kw + j];
          const colOff = j * dw - pl;
          const lo = firstValid(pl, j * dw, sw);
          const hi = endValid(w, pl, j * dw, sw, ow);
          if (lo >= hi) continue;
          for (let y = 0; y < oh; y++) {
            const ih = y * sh - pt + i * dh;
            if (ih < 0 || ih >= h) continue;
            const xRow = xBase + ih * w + colOff;
            const yRow = yBase + y * ow;
            if (sw === 1) {
              for (let xo = lo; xo < hi; xo++) out[yRow + xo] += wv * x[xRow + xo];
            } else {
              for (let xo = lo; xo < hi; xo++) out[yRow + xo] += wv * x[xRow + xo * sw];
            }
          }
        }
      }
    }
  }
}

function conv2d(x: Float32Array, wt: Float32Array, out: Float32Array, g: Geo2d): void {
  const { h, w, kh, kw, cg, mg, oh, ow } = g;
  const hw = h * w;
  const p = oh * ow;
  const kdim = cg * kh * kw;
  const pointwise = kh === 1 && kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 &&
    g.pl === 0 && oh === h && ow === w;
  const col = pointwise ? undefined : colBuffer(kdim * p);
  for (let n = 0; n < g.n; n++) {
    for (let gi = 0; gi < g.g; gi++) {
      const xOff = (n * g.c + gi * cg) * hw;
      const yOff = (n * g.m + gi * mg) * p;
      if (col) im2col2d(x, xOff, col, g);
      gemm({
        m: mg,
        n: p,
        k: kdim,
        a: wt,
        aOffset: gi * mg * kdim,
        lda: kdim,
        b: col ?? x,
        bOffset: col ? 0 : xOff,
        ldb: p,
        c: out,
        cOffset: yOff,
        ldc: p,
        accumulate: true,
      });
    }
  }
}

/** Write the [cg·kh·kw, oh·ow] patch matrix of one group of one image into `col`. */
function im2col2d(x: Float32Array, xOff: number, col: Float32Array, g: Geo2d): void {
  const { h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow, cg } = g;
  const p = oh * ow;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const xc = xOff + c * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const lo = firstValid(pl, j * dw, sw);
        const hi = Math.max(lo, endValid(w, pl, j * dw, sw, ow));
        const colOff = j * dw - pl;
        let d = row * p;
        for (let y = 0; y < oh; y++, d += ow) {
          const ih = y * sh - pt + i * dh;
          if (ih < 0 || ih >= h) {
            col.fill(0, d, d + ow);
            continue;
          }
          const src = xc + ih * w + colOff;
          for (let xo = 0; xo < lo; xo++) col[d + xo] = 0;
          if (sw === 1) { for (let xo = lo; xo < hi; xo++) col[d + xo] = x[src + xo]; }
          else for (let xo = lo; xo < hi; xo++) col[d + xo] = x[src + xo * sw];
          for (let xo = hi; xo < ow; xo++) col[d + xo] = 0;
        }
      }
    }
  }
}

/** Generic N-d convolution through im2col + GEMM. */
function convNd(x: Float32Array, wt: Float32Array, out: Float32Array, s: ConvShape): void {
  const win = s.window;
  const cg = s.inChannels / s.group;
  const mg = s.outChannels / s.group;
  const inP = s.inSpatial.reduce((a, b) => a * b, 1);
  const kP = win.kernel.reduce((a, b) => a * b, 1);
  const outP = win.outShape.reduce((a, b) => a * b, 1);
  const kdim = cg * kP;
  const col = colBuffer(kdim * outP);
  for (let n = 0; n < s.batch; n++) {
    for (let gi = 0; gi < s.group; gi++) {
      im2colNd(x, (n * s.inChannels + gi * cg) * inP, s, col);
      gemm({
        m: mg,
        n: outP,
        k: kdim,
        a: wt,
        aOffset: gi * mg * kdim,
        lda: kdim,
        b: col,
        ldb: outP,
        c: out,
        cOffset: (n * s.outChannels + gi * mg) * outP,
        ldc: outP,
        accumulate: true,
      });
    }
  }
}

/**
 * Write the [C/group·prod(kernel), prod(out)] patch matrix of the group starting at
 * element `xOff` of `x` into `col` (any spatial rank).
 */
export function im2col(x: Float32Array, xOff: number, s: ConvShape, col: Float32Array): void {
  const r = s.inSpatial.length;
  if (r === 2) im2col2d(x, xOff, col, to2d(s));
  else if (r === 1) im2col2d(x, xOff, col, to2dFrom1d(s));
  else im2colNd(x, xOff, s, col);
}

function im2colNd(x: Float32Array, xOff: number, s: ConvShape, col: Float32Array): void {
  const win = s.window;
  const r = s.inSpatial.length;
  const cg = s.inChannels / s.group;
  const inP = s.inSpatial.reduce((a, b) => a * b, 1);
  const kP = win.kernel.reduce((a, b) => a * b, 1);
  const outP = win.outShape.reduce((a, b) => a * b, 1);
  const inStrides = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    inStrides[i] = acc;
    acc *= s.inSpatial[i];
  }
  const kIdx = new Int32Array(r);
  const oIdx = new Int32Array(r);
  let row = 0;
  for (let c = 0; c < cg; c++) {
    kIdx.fill(0);
    for (let kk = 0; kk < kP; kk++, row++) {
      oIdx.fill(0);
      const d = row * outP;
      for (let o = 0; o < outP; o++) {
        let src = xOff + c * inP;
        let inside = true;
        for (let a = 0; a < r; a++) {
          const pos = oIdx[a] * win.strides[a] - win.pads[a] + kIdx[a] * win.dilations[a];
          if (pos < 0 || pos >= s.inSpatial[a]) {
            inside = false;
            break;
          }
          src += pos * inStrides[a];
        }
        col[d + o] = inside ? x[src] : 0;
        bump(oIdx, win.outShape);
      }
      bump(kIdx, win.kernel);
    }
  }
}

/** Advance a row-major multi-index over `dims` by one. */
export function bump(idx: Int32Array, dims: readonly number[]): void {
  for (let a = idx.length - 1; a >= 0; a--) {
    if (++idx[a] < dims[a]) return;
    idx[a] = 0;
  }
}
