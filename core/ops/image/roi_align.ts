/**
 * RoiAlign (opsets 10, 16) and MaxRoiPool.
 *
 * RoiAlign averages (or maxes) bilinear samples on a regular grid inside each bin.
 * `coordinate_transformation_mode` (opset 16, default `half_pixel`) shifts ROI corners by
 * −0.5 pixel and allows ROIs smaller than one pixel; `output_half_pixel` (and opset 10)
 * keeps the legacy unshifted corners with a minimum ROI size of 1. Samples beyond one
 * pixel outside the image contribute 0. In max mode each sample contributes the largest
 * of its four weighted corner values, as onnxruntime does.
 *
 * @module
 */
import { defineOp, type RegisteredOp, type TypedOp } from "../op.ts";
import { intsOf, required, where } from "../_util.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import { numericSource, tensorFromF64 } from "../reduce/_numeric.ts";

/** Parsed attributes of RoiAlign. */
export interface RoiAlignAttrs {
  readonly mode: "avg" | "max";
  readonly outH: number;
  readonly outW: number;
  readonly samplingRatio: number;
  readonly spatialScale: number;
  readonly halfPixel: boolean;
}

function checkImage(x: Tensor, what: string): [number, number, number, number] {
  if (x.rank !== 4) {
    throw new KernelError(`${what}: X must be 4-D [N, C, H, W], got [${x.shape.join(", ")}]`);
  }
  return [x.shape[0], x.shape[1], x.shape[2], x.shape[3]];
}

/** Bilinear sample of one (y, x): four offsets into a plane and their weights. */
interface Sample {
  o: [number, number, number, number];
  w: [number, number, number, number];
}

function sampleAt(y: number, x: number, h: number, w: number): Sample {
  if (y < -1 || y > h || x < -1 || x > w) return { o: [0, 0, 0, 0], w: [0, 0, 0, 0] };
  if (y <= 0) y = 0;
  if (x <= 0) x = 0;
  let y0 = Math.floor(y);
  let x0 = Math.floor(x);
  let y1 = y0 + 1;
  let x1 = x0 + 1;
  if (y0 >= h - 1) {
    y0 = y1 = h - 1;
    y = y0;
  }
  if (x0 >= w - 1) {
    x0 = x1 = w - 1;
    x = x0;
  }
  const ly = y - y0, lx = x - x0, hy = 1 - ly, hx = 1 - lx;
  return {
    o: [y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1],
    w: [hy * hx, hy * lx, ly * hx, ly * lx],
  };
}

/** RoiAlign(X, rois, batch_indices) → [num_rois, C, output_height, output_width]. */
export const roiAlign: TypedOp<RoiAlignAttrs> = defineOp<RoiAlignAttrs>({
  opType: "RoiAlign",
  parse(a, ctx) {
    const mode = a.string("mode", "avg");
    if (mode !== "avg" && mode !== "max") {
      throw new UnsupportedOpError(
        "RoiAlign",
        ctx.node.name,
        `has mode "${mode}", expected "avg" or "max"`,
      );
    }
    const ctm = ctx.opset >= 16
      ? a.string("coordinate_transformation_mode", "half_pixel")
      : "output_half_pixel";
    if (ctm !== "half_pixel" && ctm !== "output_half_pixel") {
      throw new UnsupportedOpError(
        "RoiAlign",
        ctx.node.name,
        `has coordinate_transformation_mode "${ctm}", expected "half_pixel" or "output_half_pixel"`,
      );
    }
    return {
      mode,
      outH: a.int("output_height", 1),
      outW: a.int("output_width", 1),
      samplingRatio: a.int("sampling_ratio", 0),
      spatialScale: a.float("spatial_scale", 1),
      halfPixel: ctm === "half_pixel",
    };
  },
  infer(ctx, at) {
    const x = ctx.inputTypes[0];
    const r = ctx.inputTypes[1];
    if (!x) return [undefined];
    return [{
      dtype: x.dtype,
      shape: [r?.shape?.[0] ?? null, x.shape?.[1] ?? null, at.outH, at.outW],
    }];
  },
  run(inputs, at, ctx) {
    const x = required(inputs, 0, ctx);
    const rois = required(inputs, 1, ctx);
    const bi = intsOf(required(inputs, 2, ctx));
    const [n, c, h, w] = checkImage(x, where(ctx));
    const nr = rois.shape[0] ?? 0;
    if (rois.rank !== 2 || rois.shape[1] !== 4 || bi.length !== nr) {
      throw new KernelError(
        `${where(ctx)}: rois [${rois.shape.join(", ")}] and batch_indices [${bi.length}] must be ` +
          `[R, 4] and [R]`,
      );
    }
    const src = numericSource(x, where(ctx));
    const r = numericSource(rois, where(ctx));
    const { outH, outW } = at;
    const out = new Float64Array(nr * c * outH * outW);
    const off = at.halfPixel ? 0.5 : 0;
    const plane = h * w;
    for (let k = 0; k < nr; k++) {
      const b = bi[k];
      if (b < 0 || b >= n) {
        throw new KernelError(`${where(ctx)}: batch_indices[${k}] = ${b} is outside [0, ${n})`);
      }
      const sx = r[k * 4] * at.spatialScale - off;
      const sy = r[k * 4 + 1] * at.spatialScale - off;
      let rw = r[k * 4 + 2] * at.spatialScale - off - sx;
      let rh = r[k * 4 + 3] * at.spatialScale - off - sy;
      if (!at.halfPixel) {
        rw = Math.max(rw, 1);
        rh = Math.max(rh, 1);
      }
      const bh = rh / outH, bw = rw / outW;
      const gh = at.samplingRatio > 0 ? at.samplingRatio : Math.ceil(rh / outH);
      const gw = at.samplingRatio > 0 ? at.samplingRatio : Math.ceil(rw / outW);
      const count = Math.max(gh * gw, 1);
      // Sample tables are shared by every channel of this ROI.
      const samples: Sample[] = [];
      for (let ph = 0; ph < outH; ph++) {
        for (let pw = 0; pw < outW; pw++) {
          for (let iy = 0; iy < gh; iy++) {
            const y = sy + ph * bh + ((iy + 0.5) * bh) / gh;
            for (let ix = 0; ix < gw; ix++) {
              samples.push(sampleAt(y, sx + pw * bw + ((ix + 0.5) * bw) / gw, h, w));
            }
          }
        }
      }
      const per = gh * gw;
      for (let ch = 0; ch < c; ch++) {
        const pb = (b * c + ch) * plane;
        const ob = (k * c + ch) * outH * outW;
        for (let bin = 0; bin < outH * outW; bin++) {
          let acc = 0;
          for (let s = 0; s < per; s++) {
            const { o, w: sw } = samples[bin * per + s];
            if (at.mode === "avg") {
              acc += sw[0] * src[pb + o[0]] + sw[1] * src[pb + o[1]] + sw[2] * src[pb + o[2]] +
                sw[3] * src[pb + o[3]];
            } else {
              const v = Math.max(
                sw[0] * src[pb + o[0]],
                sw[1] * src[pb + o[1]],
                sw[2] * src[pb + o[2]],
                sw[3] * src[pb + o[3]],
              );
              acc = s === 0 ? v : Math.max(acc, v);
            }
          }
          out[ob + bin] = at.mode === "avg" ? acc / count : acc;
        }
      }
    }
    return [tensorFromF64(x.dtype, [nr, c, outH, outW], out)];
  },
});

/** Parsed attributes of MaxRoiPool. */
export interface MaxRoiPoolAttrs {
  readonly pooledH: number;
  readonly pooledW: number;
  readonly spatialScale: number;
}

/** Round half away from zero (C `round`). */
function roundC(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** MaxRoiPool(X, rois[R, 5] as (batch, x1, y1, x2, y2)) → [R, C, ph, pw]. */
export const maxRoiPool: RegisteredOp = defineOp<MaxRoiPoolAttrs>({
  opType: "MaxRoiPool",
  parse(a, ctx) {
    const ps = a.ints("pooled_shape", []);
    if (ps.length !== 2) {
      throw new KernelError(`${where(ctx)}: pooled_shape must have 2 values, got ${ps.length}`);
    }
    return { pooledH: ps[0], pooledW: ps[1], spatialScale: a.float("spatial_scale", 1) };
  },
  infer(ctx, at) {
    const x = ctx.inputTypes[0];
    if (!x) return [undefined];
    const r = ctx.inputTypes[1];
    return [{
      dtype: x.dtype,
      shape: [r?.shape?.[0] ?? null, x.shape?.[1] ?? null, at.pooledH, at.pooledW],
    }];
  },
  run(inputs, at, ctx) {
    const x = required(inputs, 0, ctx);
    const rois = required(inputs, 1, ctx);
    const [n, c, h, w] = checkImage(x, where(ctx));
    if (rois.rank !== 2 || rois.shape[1] !== 5) {
      throw new KernelError(`${where(ctx)}: rois must be [R, 5], got [${rois.shape.join(", ")}]`);
    }
    const nr = rois.shape[0];
    const src = numericSource(x, where(ctx));
    const r = numericSource(rois, where(ctx));
    const { pooledH: ph, pooledW: pw } = at;
    const out = new Float64Array(nr * c * ph * pw);
    for (let k = 0; k < nr; k++) {
      const b = Math.trunc(r[k * 5]);
      if (b < 0 || b >= n) {
        throw new KernelError(`${where(ctx)}: rois[${k}] batch index ${b} is outside [0, ${n})`);
      }
      const x1 = roundC(r[k * 5 + 1] * at.spatialScale);
      const y1 = roundC(r[k * 5 + 2] * at.spatialScale);
      const x2 = roundC(r[k * 5 + 3] * at.spatialScale);
      const y2 = roundC(r[k * 5 + 4] * at.spatialScale);
      const bh = Math.max(y2 - y1 + 1, 1) / ph;
      const bw = Math.max(x2 - x1 + 1, 1) / pw;
      for (let ch = 0; ch < c; ch++) {
        const pb = (b * c + ch) * h * w;
        const ob = (k * c + ch) * ph * pw;
        for (let i = 0; i < ph; i++) {
          const hs = Math.min(Math.max(Math.floor(i * bh) + y1, 0), h);
          const he = Math.min(Math.max(Math.ceil((i + 1) * bh) + y1, 0), h);
          for (let j = 0; j < pw; j++) {
            const ws = Math.min(Math.max(Math.floor(j * bw) + x1, 0), w);
            const we = Math.min(Math.max(Math.ceil((j + 1) * bw) + x1, 0), w);
            let m = -Infinity;
            for (let yy = hs; yy < he; yy++) {
              for (let xx = ws; xx < we; xx++) m = Math.max(m, src[pb + yy * w + xx]);
            }
            out[ob + i * pw + j] = he <= hs || we <= ws ? 0 : m;
          }
        }
      }
    }
    return [tensorFromF64(x.dtype, [nr, c, ph, pw], out)];
  },
});
