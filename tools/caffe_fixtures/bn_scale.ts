/**
 * `bn_scale`: BatchNorm + Scale and Eltwise. Input via legacy `input` + `input_shape`
 * (1×3×8×8). conv1 (no bias) → BatchNorm in place (moving-average factor 7.5, eps 1e-3)
 * → Scale with bias in place → ReLU in place; conv2 1×1 → BatchNorm to a new blob with
 * factor 0 (Caffe then uses zero statistics; eps 4 keeps x / sqrt(eps) moderate) → Scale without bias. Then Eltwise SUM with
 * coefficients 0.5 and -2, PROD, and MAX of three.
 *
 * The ONNX twin spells batch normalisation out as `(x - mean/f) / sqrt(var/f + eps)` with
 * Sub/Div/Mul/Add on the raw blobs, not ONNX BatchNormalization.
 *
 * @module
 */
import { attr, Fixture } from "./fixture.ts";

export function bnScale(): { prototxt: string; fixture: Fixture; outputs: [string, number[]][] } {
  const f = new Fixture("bn_scale", 202);
  const C = 6;
  const w1 = f.values(C * 3 * 9, -0.5, 0.5);
  const mean1 = f.values(C, -2, 2);
  const var1 = f.values(C, 1, 8);
  const factor1 = 7.5;
  const gamma1 = f.values(C, 0.5, 1.5);
  const beta1 = f.values(C, -0.5, 0.5);
  const w2 = f.values(C * C, -0.5, 0.5);
  const b2 = f.values(C, -0.1, 0.1);
  const mean2 = f.values(C, -1, 1);
  const var2 = f.values(C, 1, 2);
  const gamma2 = f.values(C, 0.5, 1.5);
  f.caffe("conv1", "Convolution", [{ shape: [C, 3, 3, 3], data: w1 }]);
  f.caffe("bn1", "BatchNorm", [
    { shape: [C], data: mean1 },
    { shape: [C], data: var1 },
    { shape: [1], data: [factor1] },
  ]);
  f.caffe("scale1", "Scale", [{ shape: [C], data: gamma1 }, { shape: [C], data: beta1 }]);
  f.caffe("conv2", "Convolution", [{ shape: [C, C, 1, 1], data: w2 }, { shape: [C], data: b2 }]);
  f.caffe("bn2", "BatchNorm", [
    { shape: [C], data: mean2 },
    { shape: [C], data: var2 },
    { shape: [1], data: [0] },
  ]);
  f.caffe("scale2", "Scale", [{ shape: [C], data: gamma2 }]);
  const prototxt = `name: "bn_scale"
input: "data"
input_shape {
  dim: 1
  dim: 3
  dim: 8
  dim: 8
}
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "conv1"
  convolution_param { num_output: ${C} bias_term: false pad: 1 kernel_size: 3 }
}
layer {
  name: "bn1"
  type: "BatchNorm"
  bottom: "conv1"
  top: "conv1"
  batch_norm_param { use_global_stats: true eps: 0.001 }
}
layer {
  name: "scale1"
  type: "Scale"
  bottom: "conv1"
  top: "conv1"
  scale_param { bias_term: true }
}
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer {
  name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
  convolution_param { num_output: ${C} kernel_size: 1 }
}
layer {
  name: "bn2" type: "BatchNorm" bottom: "conv2" top: "bn2"
  batch_norm_param { eps: 4 }
}
layer { name: "scale2" type: "Scale" bottom: "bn2" top: "scale2" }
layer {
  name: "sum" type: "Eltwise" bottom: "conv1" bottom: "scale2" top: "sum"
  eltwise_param { operation: SUM coeff: 0.5 coeff: -2 }
}
layer {
  name: "prod" type: "Eltwise" bottom: "conv1" bottom: "scale2" top: "prod"
  eltwise_param { operation: PROD }
}
layer {
  name: "emax" type: "Eltwise" bottom: "conv1" bottom: "scale2" bottom: "sum" top: "emax"
  eltwise_param { operation: MAX }
}
`;
  const chan = (v: ArrayLike<number>) => f.const([C, 1, 1], v);
  const bn = (
    x: string,
    mean: Float32Array,
    variance: Float32Array,
    factor: number,
    eps: number,
    out: string,
  ) => {
    const k = factor === 0 ? 0 : 1 / factor;
    const centered = f.op("Sub", [x, chan(mean.map((m) => m * k))], `${out}_centered`);
    const std = f.op("Sqrt", [chan(variance.map((v) => v * k + eps))], `${out}_std`);
    return f.op("Div", [centered, std], out);
  };
  const c1 = f.op("Conv", ["data", f.const([C, 3, 3, 3], w1)], "c1", {
    kernel_shape: attr.ints([3, 3]),
    pads: attr.ints([1, 1, 1, 1]),
  });
  const n1 = bn(c1, mean1, var1, factor1, 0.001, "n1");
  const s1 = f.op("Add", [f.op("Mul", [n1, chan(gamma1)], "s1_mul"), chan(beta1)], "s1");
  const r1 = f.op("Relu", [s1], "r1");
  const c2 = f.op("Conv", [r1, f.const([C, C, 1, 1], w2), f.const([C], b2)], "c2", {
    kernel_shape: attr.ints([1, 1]),
  });
  const n2 = bn(c2, mean2, var2, 0, 4, "n2");
  const s2 = f.op("Mul", [n2, chan(gamma2)], "s2");
  const sum = f.op("Add", [
    f.op("Mul", [r1, f.const([], [0.5])], "half"),
    f.op("Mul", [s2, f.const([], [-2])], "minus_two"),
  ], "sum");
  f.op("Mul", [r1, s2], "prod");
  f.op("Max", [r1, s2, sum], "emax");
  return {
    prototxt,
    fixture: f,
    outputs: [["prod", [1, C, 8, 8]], ["emax", [1, C, 8, 8]]],
  };
}
