/**
 * `pool_ceil`: Caffe's pooling arithmetic. Input 1×3×11×11 (Input layer); conv1 3×3/2
 * pad 1 → 6×6, in-place ReLU; conv2 2×2 → 5×5. Pools, with their Caffe output sizes
 * worked out by hand:
 *
 * - pool_max: MAX 3/2 on 6×6: ceil(3/2)+1 = 3 (floor would give 2).
 * - pool_floor: the same with round_mode FLOOR: 2.
 * - pool_ave_pad: AVE 3/2 pad 1 on 6×6: ceil(5/2)+1 = 4; windows start -1, 1, 3, 5 and
 *   end at min(start+3, 7) = 2, 4, 6, 7, so divisors per axis 3, 3, 3, 2.
 * - pool_ave_nopad: AVE 3/2 on 6×6: 3; the last window covers rows 4..5 only (divisor 2).
 * - pool_clip_ave / pool_clip_max: 2/2 pad 1 on 5×5: ceil(5/2)+1 = 4, but the 4th window
 *   would start at 6-1 = 5 ≥ 5, so Caffe drops it: 3; all windows lie within the padding.
 * - pool_global: global average on conv2.
 *
 * The ONNX twin writes each pool differently from the converter: ceil_mode for the
 * unpadded ones (onnxruntime's own ceil arithmetic), a depthwise ones-kernel Conv divided
 * by the enumerated divisor map for pool_ave_pad, floor pools with pad 1 for the clipped
 * ones, ReduceMean for the global one.
 *
 * @module
 */
import { attr, Fixture } from "./fixture.ts";

export function poolCeil(): { prototxt: string; fixture: Fixture; outputs: [string, number[]][] } {
  const f = new Fixture("pool_ceil", 101);
  const w1 = f.values(4 * 3 * 9, -0.5, 0.5);
  const b1 = f.values(4, -0.1, 0.1);
  const w2 = f.values(4 * 4 * 4, -0.5, 0.5);
  const b2 = f.values(4, -0.1, 0.1);
  f.caffe("conv1", "Convolution", [{ shape: [4, 3, 3, 3], data: w1 }, { shape: [4], data: b1 }]);
  f.caffe("conv2", "Convolution", [{ shape: [4, 4, 2, 2], data: w2 }, { shape: [4], data: b2 }]);
  const prototxt = `name: "pool_ceil"
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape: { dim: 1 dim: 3 dim: 11 dim: 11 } }
}
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "conv1"
  param { lr_mult: 1 decay_mult: 1 }
  param { lr_mult: 2 decay_mult: 0 }
  convolution_param {
    num_output: 4
    kernel_size: 3
    stride: 2
    pad: 1
    weight_filler { type: "msra" }
  }
}
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer {
  name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
  convolution_param { num_output: 4 kernel_size: 2 }
}
layer {
  name: "pool_max" type: "Pooling" bottom: "conv1" top: "pool_max"
  pooling_param { pool: MAX kernel_size: 3 stride: 2 }
}
layer {
  name: "pool_floor" type: "Pooling" bottom: "conv1" top: "pool_floor"
  pooling_param { pool: MAX kernel_size: 3 stride: 2 round_mode: FLOOR }
}
layer {
  name: "pool_ave_pad" type: "Pooling" bottom: "conv1" top: "pool_ave_pad"
  pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 }
}
layer {
  name: "pool_ave_nopad" type: "Pooling" bottom: "conv1" top: "pool_ave_nopad"
  pooling_param { pool: AVE kernel_h: 3 kernel_w: 3 stride_h: 2 stride_w: 2 }
}
layer {
  name: "pool_clip_ave" type: "Pooling" bottom: "conv2" top: "pool_clip_ave"
  pooling_param { pool: AVE kernel_size: 2 stride: 2 pad: 1 }
}
layer {
  name: "pool_clip_max" type: "Pooling" bottom: "conv2" top: "pool_clip_max"
  pooling_param { pool: MAX kernel_size: 2 stride: 2 pad_h: 1 pad_w: 1 }
}
layer {
  name: "pool_global" type: "Pooling" bottom: "conv2" top: "pool_global"
  pooling_param { pool: AVE global_pooling: true }
}
`;
  const c1 = f.op("Conv", ["data", f.const([4, 3, 3, 3], w1), f.const([4], b1)], "c1", {
    kernel_shape: attr.ints([3, 3]),
    strides: attr.ints([2, 2]),
    pads: attr.ints([1, 1, 1, 1]),
  });
  const r1 = f.op("Relu", [c1], "r1");
  const c2 = f.op("Conv", [r1, f.const([4, 4, 2, 2], w2), f.const([4], b2)], "c2", {
    kernel_shape: attr.ints([2, 2]),
  });
  const k3s2 = { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) };
  f.op("MaxPool", [r1], "pool_max", { ...k3s2, ceil_mode: attr.int(1) });
  f.op("MaxPool", [r1], "pool_floor", k3s2);
  // Sum of each window over zero padding (1 before, 2 after: enough for 4 windows), then
  // divide by Caffe's divisor: rows/cols inside [-1, 6 + 1) of each window.
  const ones = f.const([4, 1, 3, 3], new Float32Array(36).fill(1));
  const sums = f.op("Conv", [r1, ones], "ave_sums", {
    ...k3s2,
    group: attr.int(4),
    pads: attr.ints([1, 1, 2, 2]),
  });
  const d = [0, 1, 2, 3].map((o) => {
    let n = 0;
    for (let t = 2 * o - 1; t < 2 * o - 1 + 3; t++) if (t >= -1 && t < 7) n++;
    return n;
  });
  const div = new Float32Array(16);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) div[i * 4 + j] = d[i] * d[j];
  f.op("Div", [sums, f.const([1, 1, 4, 4], div)], "pool_ave_pad");
  f.op("AveragePool", [r1], "pool_ave_nopad", { ...k3s2, ceil_mode: attr.int(1) });
  const k2s2p1 = {
    kernel_shape: attr.ints([2, 2]),
    strides: attr.ints([2, 2]),
    pads: attr.ints([1, 1, 1, 1]),
  };
  f.op("AveragePool", [c2], "pool_clip_ave", { ...k2s2p1, count_include_pad: attr.int(1) });
  f.op("MaxPool", [c2], "pool_clip_max", k2s2p1);
  f.op("ReduceMean", [c2], "pool_global", { axes: attr.ints([2, 3]), keepdims: attr.int(1) });
  return {
    prototxt,
    fixture: f,
    outputs: [
      ["pool_max", [1, 4, 3, 3]],
      ["pool_floor", [1, 4, 2, 2]],
      ["pool_ave_pad", [1, 4, 4, 4]],
      ["pool_ave_nopad", [1, 4, 3, 3]],
      ["pool_clip_ave", [1, 4, 3, 3]],
      ["pool_clip_max", [1, 4, 3, 3]],
      ["pool_global", [1, 4, 1, 1]],
    ],
  };
}
