/**
 * `misc`: the remaining layer types, two inputs (`data` 1×4×6×6 and `gate` 1×4).
 *
 * deconv (Deconvolution 6 outputs, group 2, 3×3/2 pad 1 → 1×6×11×11) → PReLU per channel
 * in place → Crop to data's 6×6 at offset 2 → Upsample ×2 (nearest) → ELU 0.5; Interp
 * zoom 2 (bilinear, corners aligned → 11×11); Normalize per position with per-channel
 * scale, and across space with one scale; Permute (0, 2, 3, 1) → Reshape (0, -1, 6) →
 * InnerProduct axis 2, transposed weight → Softmax axis 2; Scale by the second bottom
 * `gate` at axis 0 with a bias blob, then Bias (blob) → ReLU6 and AbsVal; Flatten axes
 * 1..2; PReLU with channel_shared.
 *
 * The ONNX twin writes Upsample and Interp as MatMul by interpolation matrices built here
 * from the layers' definitions, Normalize with ReduceSumSquare, Crop with Slice, Scale by
 * a bottom with Unsqueeze.
 *
 * @module
 */
import { attr, Fixture } from "./fixture.ts";

/** Row-interpolation matrix (out × in) of Caffe's Interp (align corners). */
function interpMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const r = outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  for (let o = 0; o < outSize; o++) {
    const src = r * o;
    const i0 = Math.floor(src);
    const step = i0 < inSize - 1 ? 1 : 0;
    const l1 = src - i0;
    m[o * inSize + i0] += 1 - l1;
    m[o * inSize + i0 + step] += l1;
  }
  return m;
}

/** Nearest-neighbour ×s matrix (out × in): output i copies input floor(i / s). */
function nearestMatrix(inSize: number, s: number): Float32Array {
  const m = new Float32Array(inSize * s * inSize);
  for (let o = 0; o < inSize * s; o++) m[o * inSize + Math.floor(o / s)] = 1;
  return m;
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
  return t;
}

export function misc(): { prototxt: string; fixture: Fixture; outputs: [string, number[]][] } {
  const f = new Fixture("misc", 404);
  const wd = f.values(4 * 3 * 9, -0.5, 0.5);
  const bd = f.values(6, -0.1, 0.1);
  const slopes = f.values(6, 0.05, 0.3);
  const nscale = f.values(6, 1, 20);
  const nscale2 = [10];
  const wfc = f.values(6 * 3, -0.5, 0.5);
  const bfc = f.values(3, -0.1, 0.1);
  const gbias = f.values(4, -0.5, 0.5);
  const bias = f.values(4, -0.5, 0.5);
  f.caffe("deconv", "Deconvolution", [{ shape: [4, 3, 3, 3], data: wd }, { shape: [6], data: bd }]);
  f.caffe("prelu", "PReLU", [{ shape: [6], data: slopes }]);
  f.caffe("norm", "Normalize", [{ shape: [6], data: nscale }]);
  f.caffe("norm2", "Normalize", [{ shape: [1], data: nscale2 }]);
  f.caffe("fc2", "InnerProduct", [{ shape: [6, 3], data: wfc }, { shape: [3], data: bfc }]);
  f.caffe("gated", "Scale", [{ shape: [1, 4], data: gbias }]);
  f.caffe("biased", "Bias", [{ shape: [4], data: bias }]);
  f.caffe("shared", "PReLU", [{ shape: [1], data: [0.25] }]);
  const prototxt = `name: "misc"
input: "data"
input_shape { dim: 1 dim: 4 dim: 6 dim: 6 }
input: "gate"
input_shape { dim: 1 dim: 4 }
layer {
  name: "deconv" type: "Deconvolution" bottom: "data" top: "deconv"
  convolution_param { num_output: 6 group: 2 kernel_size: 3 stride: 2 pad: 1 }
}
layer { name: "prelu" type: "PReLU" bottom: "deconv" top: "deconv" }
layer {
  name: "crop" type: "Crop" bottom: "deconv" bottom: "data" top: "crop"
  crop_param { axis: 2 offset: 2 }
}
layer { name: "up" type: "Upsample" bottom: "crop" top: "up" upsample_param { scale: 2 } }
layer { name: "elu" type: "ELU" bottom: "up" top: "elu" elu_param { alpha: 0.5 } }
layer { name: "interp" type: "Interp" bottom: "crop" top: "interp" interp_param { zoom_factor: 2 } }
layer {
  name: "norm" type: "Normalize" bottom: "crop" top: "norm"
  norm_param { across_spatial: false channel_shared: false scale_filler { type: "constant" value: 20 } }
}
layer { name: "norm2" type: "Normalize" bottom: "crop" top: "norm2" }
layer { name: "perm" type: "Permute" bottom: "norm" top: "perm" permute_param { order: 0 order: 2 order: 3 order: 1 } }
layer { name: "resh" type: "Reshape" bottom: "perm" top: "resh" reshape_param { shape { dim: 0 dim: -1 dim: 6 } } }
layer {
  name: "fc2" type: "InnerProduct" bottom: "resh" top: "fc2"
  inner_product_param { num_output: 3 axis: 2 transpose: true }
}
layer { name: "sm" type: "Softmax" bottom: "fc2" top: "sm" softmax_param { axis: 2 } }
layer {
  name: "gated" type: "Scale" bottom: "data" bottom: "gate" top: "gated"
  scale_param { axis: 0 bias_term: true }
}
layer { name: "biased" type: "Bias" bottom: "gated" top: "biased" }
layer { name: "r6" type: "ReLU6" bottom: "biased" top: "r6" }
layer { name: "absv" type: "AbsVal" bottom: "biased" top: "absv" }
layer { name: "flat" type: "Flatten" bottom: "crop" top: "flat" flatten_param { axis: 1 end_axis: 2 } }
layer { name: "shared" type: "PReLU" bottom: "flat" top: "shared" prelu_param { channel_shared: true } }
`;
  const dc = f.op("ConvTranspose", ["data", f.const([4, 3, 3, 3], wd), f.const([6], bd)], "dc", {
    kernel_shape: attr.ints([3, 3]),
    strides: attr.ints([2, 2]),
    pads: attr.ints([1, 1, 1, 1]),
    group: attr.int(2),
  });
  const pr = f.op("PRelu", [dc, f.const([6, 1, 1], slopes)], "pr");
  const crop = f.op("Slice", [pr, f.ints([2, 2]), f.ints([8, 8]), f.ints([2, 3])], "crop_v");
  const nm = nearestMatrix(6, 2);
  const upRows = f.op("MatMul", [f.const([12, 6], nm), crop], "up_rows");
  const up = f.op("MatMul", [upRows, f.const([6, 12], transpose(nm, 12, 6))], "up");
  f.op("Elu", [up], "elu", { alpha: attr.float(0.5) });
  const im = interpMatrix(6, 11);
  const inRows = f.op("MatMul", [f.const([11, 6], im), crop], "interp_rows");
  f.op("MatMul", [inRows, f.const([6, 11], transpose(im, 11, 6))], "interp");
  const eps = f.const([], [1e-10]);
  const l2 = (axes: number[], out: string) => {
    const ss = f.op("ReduceSumSquare", [crop], `${out}_ss`, {
      axes: attr.ints(axes),
      keepdims: attr.int(1),
    });
    return f.op(
      "Div",
      [crop, f.op("Sqrt", [f.op("Add", [ss, eps], `${out}_sse`)], `${out}_n`)],
      `${out}_u`,
    );
  };
  const norm = f.op("Mul", [l2([1], "norm"), f.const([6, 1, 1], nscale)], "norm_v");
  f.op("Mul", [l2([1, 2, 3], "norm2"), f.const([], nscale2)], "norm2");
  const perm = f.op("Transpose", [norm], "perm", { perm: attr.ints([0, 2, 3, 1]) });
  const resh = f.op("Reshape", [perm, f.ints([1, 36, 6])], "resh");
  const fc = f.op(
    "Add",
    [f.op("MatMul", [resh, f.const([6, 3], wfc)], "fc_mm"), f.const([3], bfc)],
    "fc2",
  );
  f.op("Softmax", [fc], "sm", { axis: attr.int(2) });
  const gate4 = f.op("Unsqueeze", ["gate", f.ints([2, 3])], "gate4");
  const gated = f.op(
    "Add",
    [f.op("Mul", ["data", gate4], "gmul"), f.const([1, 4, 1, 1], gbias)],
    "gated",
  );
  const biased = f.op("Add", [gated, f.const([4, 1, 1], bias)], "biased");
  f.op("Clip", [biased, f.const([], [0]), f.const([], [6])], "r6");
  f.op("Abs", [biased], "absv");
  const flat = f.op("Reshape", [crop, f.ints([1, 36, 6])], "flat");
  f.op("PRelu", [flat, f.const([1], [0.25])], "shared");
  return {
    prototxt,
    fixture: f,
    outputs: [
      ["elu", [1, 6, 12, 12]],
      ["interp", [1, 6, 11, 11]],
      ["norm2", [1, 6, 6, 6]],
      ["sm", [1, 36, 3]],
      ["r6", [1, 4, 6, 6]],
      ["absv", [1, 4, 6, 6]],
      ["shared", [1, 36, 6]],
    ],
  };
}
