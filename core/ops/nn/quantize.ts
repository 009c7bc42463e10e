/**
 * QuantizeLinear, DequantizeLinear (per-tensor and per-axis) and
 * DynamicQuantizeLinear.
 *
 * @module
 */
import type { AttrReader } from "../../ir/attribute.ts";
import { type DType, dtypeFromOnnx, type NumberArray } from "../../ir/dtype.ts";
import { asFloat32, fromFloat32, Tensor } from "../../ir/tensor.ts";
import { UnsupportedOpError } from "../../errors/mod.ts";
import { defineOp, type ParseContext, type RegisteredOp } from "../op.ts";
import { required } from "../_util.ts";
import { numbersOf, quantParams, quantRange, roundHalfEven } from "./_quant.ts";

/** Parsed QuantizeLinear / DequantizeLinear attributes. */
export interface QuantAttrs {
  readonly axis: number;
  /** Requested output type (opset 21 `output_dtype`), when set. */
  readonly outputDType?: DType;
}

/** Parse QuantizeLinear / DequantizeLinear attributes (`block_size` is refused). */
export function parseQuantAttrs(
  r: AttrReader,
  ctx: ParseContext,
): QuantAttrs {
  const block = r.int("block_size", 0);
  if (block !== 0) {
    throw new UnsupportedOpError(
      ctx.node.opType,
      ctx.node.name,
      "with block_size is not supported",
    );
  }
  const code = r.int("output_dtype", 0);
  let outputDType: DType | undefined;
  if (code !== 0) {
    outputDType = dtypeFromOnnx(code);
    if (!outputDType || !["u8", "s8", "u16", "s16", "s32"].includes(outputDType)) {
      throw new UnsupportedOpError(
        ctx.node.opType,
        ctx.node.name,
        `with output_dtype ${code} is not supported (uint8, int8, uint16, int16 only)`,
      );
    }
  }
  return { axis: r.int("axis", 1), outputDType };
}

/** Loop `fn(start, end, channel)` over contiguous runs sharing one channel. */
function forEachRun(
  size: number,
  inner: number,
  channels: number,
  fn: (start: number, end: number, ch: number) => void,
): void {
  if (inner === 0) {
    fn(0, size, 0);
    return;
  }
  for (let start = 0, ch = 0; start < size; start += inner, ch = (ch + 1) % channels) {
    fn(start, start + inner, ch);
  }
}

/** QuantizeLinear (opset 10, 13, 19, 21). */
export const quantizeLinear: RegisteredOp = defineOp<QuantAttrs>({
  opType: "QuantizeLinear",
  parse: parseQuantAttrs,
  infer(ctx, a) {
    const dtype = ctx.inputTypes[2]?.dtype ?? a.outputDType ?? "u8";
    return [{ dtype, shape: ctx.inputTypes[0]?.shape }];
  },
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const scale = required(inputs, 1, ctx);
    const zp = inputs[2];
    const dtype = zp?.dtype ?? a.outputDType ?? "u8";
    const [lo, hi] = quantRange(dtype, ctx);
    const p = quantParams(x.shape, scale, zp, a.axis, ctx);
    const xv = asFloat32(x);
    const y = new Tensor(dtype, x.shape);
    const yd = y.data as NumberArray;
    forEachRun(x.size, p.inner, p.channels, (s, e, ch) => {
      const sc = p.scale[ch];
      const z = p.zeroPoint[ch];
      for (let i = s; i < e; i++) {
        const q = roundHalfEven(Math.fround(xv[i] / sc)) + z;
        yd[i] = q < lo ? lo : q > hi ? hi : q;
      }
    });
    return [y];
  },
});

/** DequantizeLinear (opset 10, 13, 19, 21). */
export const dequantizeLinear: RegisteredOp = defineOp<QuantAttrs>({
  opType: "DequantizeLinear",
  parse: parseQuantAttrs,
  infer(ctx) {
    const s = ctx.inputTypes[1]?.dtype;
    const dtype = s === "f16" || s === "bf16" ? s : "f32";
    return [{ dtype, shape: ctx.inputTypes[0]?.shape }];
  },
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const scale = required(inputs, 1, ctx);
    const p = quantParams(x.shape, scale, inputs[2], a.axis, ctx);
    const xv = numbersOf(x);
    const out = new Float32Array(x.size);
    forEachRun(x.size, p.inner, p.channels, (s, e, ch) => {
      const sc = p.scale[ch];
      const z = p.zeroPoint[ch];
      for (let i = s; i < e; i++) out[i] = (xv[i] - z) * sc;
    });
    const dtype = scale.dtype === "f16" || scale.dtype === "bf16" ? scale.dtype : "f32";
    return [fromFloat32(dtype, x.shape, out)];
  },
});

/** DynamicQuantizeLinear (opset 11): uint8 with scale and zero point from the data range. */
export const dynamicQuantizeLinear: RegisteredOp = defineOp<Record<string, never>>({
  opType: "DynamicQuantizeLinear",
  parse: () => ({}),
  infer(ctx) {
    return [
      { dtype: "u8", shape: ctx.inputTypes[0]?.shape },
      { dtype: "f32", shape: [] },
      { dtype: "u8", shape: [] },
    ];
  },
  run(inputs, _a, ctx) {
    const x = required(inputs, 0, ctx);
    const xv = asFloat32(x);
    let mn = 0, mx = 0;
    for (let i = 0; i < xv.length; i++) {
      const v = xv[i];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    const scale = Math.fround((mx - mn) / 255);
    let zp = 0;
    if (scale !== 0) {
      const z = roundHalfEven(Math.fround(0 - mn / scale));
      zp = z < 0 ? 0 : z > 255 ? 255 : z;
    }
    const y = new Tensor("u8", x.shape);
    for (let i = 0; i < xv.length; i++) {
      const q = scale === 0 ? zp : roundHalfEven(Math.fround(xv[i] / scale)) + zp;
      y.data[i] = q < 0 ? 0 : q > 255 ? 255 : q;
    }
    return [
      y,
      new Tensor("f32", [], Float32Array.of(scale)),
      new Tensor("u8", [], Uint8Array.of(zp)),
    ];
  },
});
