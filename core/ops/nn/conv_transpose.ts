/**
 * ConvTranspose: per image and group, `col = Wᵀ·X` on the blocked GEMM, then col2im
 * scatters the columns into the output (2-D fast path, N-d general path).
 *
 * @module
 */
import type { AttrReader } from "../../ir/attribute.ts";
import { asFloat32, fromFloat32 } from "../../ir/tensor.ts";
import type { Dim } from "../../ir/types.ts";
import { KernelError } from "../../errors/mod.ts";
import { defineOp, type ParseContext, type TypedOp } from "../op.ts";
import { required, where } from "../_util.ts";
import { type AutoPad, readAutoPad } from "./_spatial.ts";
import { bump, colBuffer } from "./conv_kernel.ts";
import { gemm } from "./gemm_kernel.ts";

/** Parsed ConvTranspose attributes. */
export interface ConvTransposeAttrs {
  readonly autoPad: AutoPad;
  readonly group: number;
  readonly kernelShape?: readonly number[];
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly outputPadding?: readonly number[];
  readonly outputShape?: readonly number[];
}

/** Parse ConvTranspose's attributes. */
export function parseConvTransposeAttrs(r: AttrReader, ctx: ParseContext): ConvTransposeAttrs {
  const group = r.int("group", 1);
  if (group < 1) throw new KernelError(`${where(ctx)}: group is ${group}, expected >= 1`);
  return {
    autoPad: readAutoPad(r, ctx),
    group,
    kernelShape: r.intsOpt("kernel_shape"),
    strides: r.intsOpt("strides"),
    dilations: r.intsOpt("dilations"),
    pads: r.intsOpt("pads"),
    outputPadding: r.intsOpt("output_padding"),
    outputShape: r.intsOpt("output_shape"),
  };
}

/** Resolved geometry: pads (begin…, end…) and output spatial dims. */
export interface ConvTransposeGeometry {
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilations: number[];
  readonly pads: number[];
  readonly out: number[];
}

/** Strides, dilations, pads and output spatial dims for concrete input and kernel dims. */
export function resolveConvTranspose(
  a: ConvTransposeAttrs,
  input: readonly number[],
  kernel: readonly number[],
): ConvTransposeGeometry {
  const r = input.length;
  const strides = a.strides ? [...a.strides] : new Array<number>(r).fill(1);
  const dilations = a.dilations ? [...a.dilations] : new Array<number>(r).fill(1);
  const adj = a.outputPadding ? [...a.outputPadding] : new Array<number>(r).fill(0);
  const pads = new Array<number>(2 * r).fill(0);
  const out = new Array<number>(r);
  const wanted = a.outputShape ? a.outputShape.slice(-r) : undefined;
  for (let i = 0; i < r; i++) {
    const full = (input[i] - 1) * strides[i] + adj[i] + (kernel[i] - 1) * dilations[i] + 1;
    const same = a.autoPad === "SAME_UPPER" || a.autoPad === "SAME_LOWER";
    if (wanted || same) {
      out[i] = wanted ? wanted[i] : input[i] * strides[i];
      const total = Math.max(0, full - out[i]);
      const half = Math.floor(total / 2);
      pads[i] = a.autoPad === "SAME_UPPER" ? half : total - half;
      pads[i + r] = total - pads[i];
      continue;
    }
    if (a.pads && a.autoPad !== "VALID") {
      pads[i] = a.pads[i];
      pads[i + r] = a.pads[i + r];
    }
    out[i] = full - pads[i] - pads[i + r];
  }
  return { kernel: [...kernel], strides, dilations, pads, out };
}

/** ConvTranspose (opset 1, 11, 22). */
export const convTranspose: TypedOp<ConvTransposeAttrs> = defineOp<ConvTransposeAttrs>({
  opType: "ConvTranspose",
  parse: parseConvTransposeAttrs,
  infer(ctx, a) {
    const x = ctx.inputTypes[0]?.shape;
    const w = ctx.inputTypes[1]?.shape;
    const dtype = ctx.inputTypes[0]?.dtype ?? "f32";
    if (!x) return [{ dtype }];
    const m: Dim = w && typeof w[1] === "number" ? w[1] * a.group : null;
    const kernel = a.kernelShape ??
      (w?.slice(2).every((d) => typeof d === "number") ? (w.slice(2) as number[]) : undefined);
    const sp = x.slice(2);
    const out: Dim[] = sp.map(() => null);
    if (kernel) {
      sp.forEach((d, i) => {
        if (typeof d !== "number") return;
        const one: ConvTransposeAttrs = {
          ...a,
          strides: a.strides ? [a.strides[i]] : undefined,
          dilations: a.dilations ? [a.dilations[i]] : undefined,
          pads: a.pads ? [a.pads[i], a.pads[i + sp.length]] : undefined,
          outputPadding: a.outputPadding ? [a.outputPadding[i]] : undefined,
          outputShape: a.outputShape ? [a.outputShape.slice(-sp.length)[i]] : undefined,
        };
        out[i] = resolveConvTranspose(one, [d], [kernel[i]]).out[0];
      });
    }
    return [{ dtype, shape: [x[0], m, ...out] }];
  },
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const w = required(inputs, 1, ctx);
    const b = inputs[2];
    const r = x.rank - 2;
    if (r < 1 || w.rank !== x.rank || w.shape[0] !== x.shape[1] || x.shape[1] % a.group !== 0) {
      throw new KernelError(
        `${where(ctx)}: X is [${x.shape.join(", ")}] and W [${w.shape.join(", ")}] with group ` +
          `${a.group}, expected W [C, M/group, kernel…] with C = X[1] divisible by group`,
      );
    }
    const g = a.group;
    const n = x.shape[0], c = x.shape[1], cg = c / g, mg = w.shape[1], m = mg * g;
    const inSp = x.shape.slice(2);
    const geo = resolveConvTranspose(a, inSp, w.shape.slice(2));
    const inP = inSp.reduce((p, d) => p * d, 1);
    const kP = geo.kernel.reduce((p, d) => p * d, 1);
    const outP = geo.out.reduce((p, d) => p * d, 1);
    if (b && b.size !== m) {
      throw new KernelError(`${where(ctx)}: bias has ${b.size} elements, expected ${m}`);
    }
    const xv = asFloat32(x), wv = asFloat32(w);
    const y = new Float32Array(n * m * outP);
    const rows = mg * kP;
    const col = colBuffer(rows * inP);
    for (let ni = 0; ni < n; ni++) {
      for (let gi = 0; gi < g; gi++) {
        gemm({
          m: rows,
          n: inP,
          k: cg,
          a: wv,
          aOffset: gi * cg * rows,
          lda: rows,
          transA: true,
          b: xv,
          bOffset: (ni * c + gi * cg) * inP,
          ldb: inP,
          c: col,
          ldc: inP,
        });
        const yOff = (ni * m + gi * mg) * outP;
        if (r === 2) col2im2d(col, y, yOff, mg, inSp, geo);
        else col2imNd(col, y, yOff, mg, inSp, geo);
      }
    }
    if (b) {
      const bv = asFloat32(b);
      for (let i = 0; i < n * m; i++) {
        const bias = bv[i % m];
        for (let j = i * outP; j < (i + 1) * outP; j++) y[j] += bias;
      }
    }
    return [fromFloat32(x.dtype, [n, m, ...geo.out], y)];
  },
});

function col2im2d(
  col: Float32Array,
  y: Float32Array,
  yOff: number,
  mg: number,
  inSp: readonly number[],
  g: ConvTransposeGeometry,
): void {
  const [h, w] = inSp;
  const [kh, kw] = g.kernel;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const pt = g.pads[0], pl = g.pads[1];
  const [oh, ow] = g.out;
  const hw = h * w;
  let row = 0;
  for (let co = 0; co < mg; co++) {
    const yc = yOff + co * oh * ow;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const off = j * dw - pl;
        // Input columns ix with 0 <= ix·sw + off < ow.
        const lo = off >= 0 ? 0 : Math.ceil(-off / sw);
        const hi = Math.min(w, Math.floor((ow - 1 - off) / sw) + 1);
        for (let iy = 0; iy < h; iy++) {
          const oy = iy * sh - pt + i * dh;
          if (oy < 0 || oy >= oh) continue;
          const src = row * hw + iy * w;
          const dst = yc + oy * ow + off;
          for (let ix = lo; ix < hi; ix++) y[dst + ix * sw] += col[src + ix];
        }
      }
    }
  }
}

function col2imNd(
  col: Float32Array,
  y: Float32Array,
  yOff: number,
  mg: number,
  inSp: readonly number[],
  g: ConvTransposeGeometry,
): void {
  const r = inSp.length;
  const inP = inSp.reduce((p, d) => p * d, 1);
  const kP = g.kernel.reduce((p, d) => p * d, 1);
  const outP = g.out.reduce((p, d) => p * d, 1);
  const outStr = new Array<number>(r);
  let acc = 1;
  for (let a = r - 1; a >= 0; a--) {
    outStr[a] = acc;
    acc *= g.out[a];
  }
  const kIdx = new Int32Array(r);
  const iIdx = new Int32Array(r);
  let row = 0;
  for (let co = 0; co < mg; co++) {
    kIdx.fill(0);
    for (let kk = 0; kk < kP; kk++, row++) {
      iIdx.fill(0);
      for (let p = 0; p < inP; p++) {
        let dst = yOff + co * outP;
        let inside = true;
        for (let a = 0; a < r; a++) {
          const pos = iIdx[a] * g.strides[a] - g.pads[a] + kIdx[a] * g.dilations[a];
          if (pos < 0 || pos >= g.out[a]) {
            inside = false;
            break;
          }
          dst += pos * outStr[a];
        }
        if (inside) y[dst] += col[row * inP + p];
        bump(iIdx, inSp);
      }
      bump(kIdx, g.kernel);
    }
  }
}
