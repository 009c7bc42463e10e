/**
 * Quantized tensors as the emulator carries them: float32 tensors holding integer codes.
 *
 * @module
 */
import { asFloat32, Tensor } from "../ir/tensor.ts";
import type { ActivationQuant, ConstQuant } from "./quant_model.ts";
import { QRANGE, roundHalfEven } from "./numeric.ts";
import { KernelError } from "../errors/mod.ts";
import { mapF32 } from "../wasm/map.ts";
import { wasmKernels } from "../wasm/kernels.ts";

/** Parameters of a quantized activation. */
export type QParams = Extract<ActivationQuant, { kind: "quant" }>;

/**
 * Quantize a float tensor to codes as ONNX QuantizeLinear does in onnxruntime: the
 * float32 quotient `x / scale` (not a product with the reciprocal, which rounds
 * differently at ties of fine 16-bit grids), rounded half to even, plus the zero point,
 * saturated. Codes of at most 16 bits run in the wasm kernels (the same bits, see
 * `quantize` in core/wasm/assembly/requant.ts).
 */
export function quantizeTensor(t: Tensor, p: QParams): Tensor<"f32"> {
  const v = asFloat32(t);
  const { min, max, bits } = QRANGE[p.qtype];
  const scale = Math.fround(p.scale);
  const scaleOf = p.channels ? channelScale(t.shape, p) : undefined;
  if (bits <= 16 && !scaleOf) {
    const codes = mapF32(v, (fn, ptr, n) => fn.quantize(ptr, n, scale, p.zeroPoint, min, max));
    if (codes) return new Tensor("f32", t.shape, codes);
  }
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    let c = roundHalfEven(Math.fround(v[i] / (scaleOf ? scaleOf(i) : scale))) + p.zeroPoint;
    if (c < min) c = min;
    else if (c > max) c = max;
    out[i] = c;
  }
  return new Tensor("f32", t.shape, out);
}

/**
 * Dequantize codes to float32: `(code − zeroPoint) · scale` rounded once. Integer codes
 * with a float32 scale run in the wasm kernels (the same bits, see `dequantize` in
 * core/wasm/assembly/requant.ts).
 */
export function dequantizeTensor(t: Tensor, p: QParams): Tensor<"f32"> {
  const v = asFloat32(t);
  const k = wasmKernels();
  const exact = Math.fround(p.scale) === p.scale && Number.isInteger(p.zeroPoint) &&
    Math.abs(p.zeroPoint) < 2 ** 24;
  if (k && exact && !p.channels) {
    const ptr = k.heap.put(v);
    try {
      if (k.fn.dequantize(ptr, v.length, p.zeroPoint, p.scale) >= 0) {
        return new Tensor("f32", t.shape, k.heap.f32(ptr, v.length).slice());
      }
    } finally {
      k.heap.free(ptr);
    }
  }
  const out = new Float32Array(v.length);
  if (!p.channels) {
    for (let i = 0; i < v.length; i++) out[i] = (v[i] - p.zeroPoint) * p.scale;
    return new Tensor("f32", t.shape, out);
  }
  const scaleOf = channelScale(t.shape, p);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] - p.zeroPoint) * scaleOf(i);
  return new Tensor("f32", t.shape, out);
}

/** The float32 scale of element `i` of a tensor of `shape` quantized per channel. */
function channelScale(shape: readonly number[], p: QParams): (i: number) => number {
  const ch = p.channels!;
  if (shape[ch.axis] !== ch.scales.length) {
    throw new KernelError(
      `Per-channel activation parameters have ${ch.scales.length} scales for axis ${ch.axis}, ` +
        `but the tensor has shape [${shape.join(", ")}]`,
    );
  }
  const inner = shape.slice(ch.axis + 1).reduce((a, b) => a * b, 1);
  const n = ch.scales.length;
  return (i) => ch.scales[Math.floor(i / inner) % n];
}

/**
 * The float values of a coded constant as DequantizeLinear computes them in
 * onnxruntime: per channel along `axis`, `float(code − zeroPoint) · scale` in float32
 * (int32 codes beyond 2^24 round when converted, as there).
 */
export function dequantizeConstant(shape: readonly number[], c: ConstQuant): Tensor<"f32"> {
  const f = Math.fround;
  const out = new Float32Array(c.codes.length);
  const channels = c.scales.length;
  const inner = c.axis === undefined
    ? c.codes.length
    : shape.slice(c.axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < out.length; i++) {
    const ch = c.axis === undefined ? 0 : Math.floor(i / inner) % channels;
    out[i] = f(c.codes[i] - c.zeroPoints[ch]) * c.scales[ch];
  }
  return new Tensor("f32", shape, out);
}
