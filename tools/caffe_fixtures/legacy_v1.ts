/**
 * `legacy_v1`: the old `layers { type: CONVOLUTION }` form with `input_dim`, and a
 * caffemodel whose V1 layers store blobs with the legacy num/channels/height/width fields.
 * Input 1×4×9×9. conv1: kernel_h 3 / kernel_w 2, pad_h 1, stride_h 2, group 2, 6 outputs
 * → 1×6×5×8; leaky ReLU (0.1) in place; LRN (3, α 0.5, β 0.75, k 2); SLICE at channel 2;
 * SPLIT; SIGMOID and TANH; CONCAT (concat_dim); POWER (x·0.5 + 1)²; DROPOUT in place;
 * INNER_PRODUCT 5 (its weight stored as 1×1×5×K); SOFTMAX.
 *
 * @module
 */
import { attr, Fixture } from "./fixture.ts";

export function legacyV1(): { prototxt: string; fixture: Fixture; outputs: [string, number[]][] } {
  const f = new Fixture("legacy_v1", 303);
  const w1 = f.values(6 * 2 * 3 * 2, -0.5, 0.5);
  const b1 = f.values(6, -0.1, 0.1);
  const K = 10 * 5 * 8;
  const wfc = f.values(5 * K, -0.1, 0.1);
  const bfc = f.values(5, -0.1, 0.1);
  f.layers.push(
    {
      name: "conv1",
      blobs: [{ shape: [6, 2, 3, 2], data: w1, legacy: true }, {
        shape: [6],
        data: b1,
        legacy: true,
      }],
    },
    {
      name: "fc",
      blobs: [{ shape: [5, K], data: wfc, legacy: true }, { shape: [5], data: bfc, legacy: true }],
    },
  );
  const prototxt = `name: "legacy_v1"
input: "data"
input_dim: 1
input_dim: 4
input_dim: 9
input_dim: 9
layers {
  name: "conv1"
  type: CONVOLUTION
  bottom: "data"
  top: "conv1"
  blobs_lr: 1
  blobs_lr: 2
  weight_decay: 1
  weight_decay: 0
  convolution_param {
    num_output: 6
    kernel_h: 3
    kernel_w: 2
    pad_h: 1
    stride_h: 2
    stride_w: 1
    group: 2
    weight_filler { type: "gaussian" std: 0.01 }
    bias_filler { type: "constant" value: 0 }
  }
}
layers { name: "relu1" type: RELU bottom: "conv1" top: "conv1" relu_param { negative_slope: 0.1 } }
layers {
  name: "norm1" type: LRN bottom: "conv1" top: "norm1"
  lrn_param { local_size: 3 alpha: 0.5 beta: 0.75 k: 2 }
}
layers {
  name: "slice1" type: SLICE bottom: "norm1" top: "s1" top: "s2"
  slice_param { slice_dim: 1 slice_point: 2 }
}
layers { name: "split1" type: SPLIT bottom: "s2" top: "s2a" top: "s2b" }
layers { name: "sig" type: SIGMOID bottom: "s2a" top: "sig" }
layers { name: "th" type: TANH bottom: "s2b" top: "th" }
layers {
  name: "cat" type: CONCAT bottom: "s1" bottom: "sig" bottom: "th" top: "cat"
  concat_param { concat_dim: 1 }
}
layers {
  name: "pow" type: POWER bottom: "cat" top: "pow"
  power_param { power: 2 scale: 0.5 shift: 1 }
}
layers {
  name: "drop" type: DROPOUT bottom: "pow" top: "pow"
  dropout_param { dropout_ratio: 0.5 }
}
layers {
  name: "fc" type: INNER_PRODUCT bottom: "pow" top: "fc"
  inner_product_param { num_output: 5 }
}
layers { name: "prob" type: SOFTMAX bottom: "fc" top: "prob" }
layers {
  name: "acc" type: ACCURACY bottom: "fc" bottom: "label" top: "acc"
  include: { phase: TRAIN }
}
`;
  const c1 = f.op("Conv", ["data", f.const([6, 2, 3, 2], w1), f.const([6], b1)], "c1", {
    kernel_shape: attr.ints([3, 2]),
    strides: attr.ints([2, 1]),
    pads: attr.ints([1, 0, 1, 0]),
    group: attr.int(2),
  });
  const r1 = f.op("LeakyRelu", [c1], "r1", { alpha: attr.float(0.1) });
  const n1 = f.op("LRN", [r1], "n1", {
    size: attr.int(3),
    alpha: attr.float(0.5),
    beta: attr.float(0.75),
    bias: attr.float(2),
  });
  const s1 = f.op("Slice", [n1, f.ints([0]), f.ints([2]), f.ints([1])], "s1");
  const s2 = f.op("Slice", [n1, f.ints([2]), f.ints([6]), f.ints([1])], "s2");
  const cat = f.op("Concat", [s1, f.op("Sigmoid", [s2], "sig"), f.op("Tanh", [s2], "th")], "cat", {
    axis: attr.int(1),
  });
  const lin = f.op(
    "Add",
    [f.op("Mul", [cat, f.const([], [0.5])], "half"), f.const([], [1])],
    "lin",
  );
  const sq = f.op("Mul", [lin, lin], "sq");
  const flat = f.op("Reshape", [sq, f.ints([1, K])], "flat");
  const fc = f.op("Gemm", [flat, f.const([5, K], wfc), f.const([5], bfc)], "fc", {
    transB: attr.int(1),
  });
  f.op("Softmax", [fc], "prob", { axis: attr.int(1) });
  return { prototxt, fixture: f, outputs: [["prob", [1, 5]]] };
}
