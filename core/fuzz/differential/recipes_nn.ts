/**
 * Recipes of the weighted, pooling, normalization and resampling operators: Conv,
 * ConvTranspose, Gemm, MatMul, the pools, the reductions, Softmax, the normalizations and
 * Resize. Attributes are drawn within the ONNX rules for the input's shape; whether the
 * chip accepts them is the target's legality to decide (an illegal node runs on the CPU).
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import type { Draft, DraftTensor } from "./draft.ts";
import { is4d, type Recipe, windowOut } from "./recipe.ts";

/** Spatial attributes of one window: kernel, stride, pads, dilation per axis. */
interface Window {
  k: number[];
  s: number[];
  p: number[];
  dil: number[];
  out: number[];
}

function window(
  d: Draft,
  hw: readonly number[],
  maxK: number,
  dilate: boolean,
): Window | undefined {
  const k: number[] = [];
  const s: number[] = [];
  const pb: number[] = [];
  const pe: number[] = [];
  const dil: number[] = [];
  const out: number[] = [];
  for (const size of hw) {
    const kk = d.rng.int(1, Math.min(maxK, size));
    const ss = d.rng.int(1, 2);
    const dd = dilate && kk > 1 && size >= 2 * kk - 1 && d.rng.chance(0.2) ? 2 : 1;
    const b = d.rng.int(0, Math.floor(kk / 2));
    const e = d.rng.int(0, Math.floor(kk / 2));
    const o = windowOut(size, kk, ss, b, e, dd);
    if (o < 1) return undefined;
    k.push(kk);
    s.push(ss);
    pb.push(b);
    pe.push(e);
    dil.push(dd);
    out.push(o);
  }
  return { k, s, p: [...pb, ...pe], dil, out };
}

const conv: Recipe = (d) => {
  const x = d.pick(is4d);
  if (!x) return false;
  const c = x.shape[1];
  const w = window(d, x.shape.slice(2), 3, true);
  if (!w) return false;
  const depthwise = c > 1 && d.rng.chance(0.25);
  const group = depthwise ? c : 1;
  const outC = depthwise ? c * d.rng.int(1, 2) : d.rng.int(1, 8);
  const inputs = [x.name, d.floatConst([outC, c / group, ...w.k], -0.5, 0.5)];
  if (d.rng.chance(0.7)) inputs.push(d.floatConst([outC], -0.3, 0.3));
  d.node("Conv", inputs, [{ shape: [x.shape[0], outC, ...w.out] }], {
    kernel_shape: attr.ints(w.k),
    strides: attr.ints(w.s),
    pads: attr.ints(w.p),
    dilations: attr.ints(w.dil),
    group: attr.int(group),
  });
  return true;
};

const convTranspose: Recipe = (d) => {
  const x = d.pick((t) => is4d(t) && t.shape[2] * t.shape[3] <= 36);
  if (!x) return false;
  const c = x.shape[1];
  const outC = d.rng.int(1, 4);
  const k = d.rng.int(1, 3);
  const s = d.rng.int(1, 2);
  const p = d.rng.int(0, Math.floor((k - 1) / 2));
  const op = s > 1 && p > 0 && d.rng.chance(0.3) ? 1 : 0;
  const out = x.shape.slice(2).map((n) => (n - 1) * s - 2 * p + k + op);
  if (out.some((n) => n < 1)) return false;
  const inputs = [x.name, d.floatConst([c, outC, k, k], -0.5, 0.5)];
  if (d.rng.chance(0.6)) inputs.push(d.floatConst([outC], -0.3, 0.3));
  d.node("ConvTranspose", inputs, [{ shape: [x.shape[0], outC, ...out] }], {
    kernel_shape: attr.ints([k, k]),
    strides: attr.ints([s, s]),
    pads: attr.ints([p, p, p, p]),
    output_padding: attr.ints([op, op]),
  });
  return true;
};

const gemm: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length === 2 && t.shape[1] <= 256);
  if (!x) return false;
  const n = d.rng.int(1, 16);
  const k = x.shape[1];
  const transB = d.rng.chance(0.5);
  const inputs = [x.name, d.floatConst(transB ? [n, k] : [k, n], -0.5, 0.5)];
  if (d.rng.chance(0.7)) inputs.push(d.floatConst(d.rng.chance(0.5) ? [n] : [1, n], -0.3, 0.3));
  const attrs = { transB: attr.int(transB ? 1 : 0) };
  if (d.rng.chance(0.15)) Object.assign(attrs, { alpha: attr.float(0.5) });
  d.node("Gemm", inputs, [{ shape: [x.shape[0], n] }], attrs);
  return true;
};

const matmul: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length >= 2 && t.shape.length <= 4);
  if (!x) return false;
  const k = x.shape[x.shape.length - 1];
  const n = d.rng.int(1, 12);
  const lead = x.shape.slice(0, -1);
  // a second activation [batch…, k, n] (same rank, so the batch stays on axis 0)
  const other = d.rng.chance(0.4) && x.shape.length >= 3
    ? d.pick((t) =>
      t !== x && t.shape.length === x.shape.length && t.shape[t.shape.length - 2] === k &&
      t.shape.slice(0, -2).every((v, i) => v === x.shape[i])
    )
    : undefined;
  if (other) {
    d.node("MatMul", [x, other], [{ shape: [...lead, other.shape[other.shape.length - 1]] }]);
    return true;
  }
  d.node("MatMul", [x.name, d.floatConst([k, n], -0.5, 0.5)], [{ shape: [...lead, n] }]);
  return true;
};

function pool(opType: "MaxPool" | "AveragePool"): Recipe {
  return (d) => {
    const x = d.pick(is4d);
    if (!x) return false;
    const w = window(d, x.shape.slice(2), 3, false);
    if (!w) return false;
    const attrs = {
      kernel_shape: attr.ints(w.k),
      strides: attr.ints(w.s),
      pads: attr.ints(w.p),
    };
    if (opType === "AveragePool") {
      Object.assign(attrs, { count_include_pad: attr.int(d.rng.chance(0.7) ? 1 : 0) });
    }
    d.node(opType, [x], [{ shape: [x.shape[0], x.shape[1], ...w.out] }], attrs);
    return true;
  };
}

function globalPool(opType: string): Recipe {
  return (d) => {
    const x = d.pick(is4d);
    if (!x) return false;
    d.node(opType, [x], [{ shape: [x.shape[0], x.shape[1], 1, 1] }]);
    return true;
  };
}

/** Random reduction axes (never the batch axis) and the reduced shape. */
function reduction(d: Draft, x: DraftTensor) {
  const axes = x.shape.map((_, i) => i).filter((i) => i > 0 && d.rng.chance(0.5));
  if (axes.length === 0) axes.push(x.shape.length - 1);
  const keep = d.rng.chance(0.6);
  const shape = x.shape.flatMap((n, i) => (axes.includes(i) ? (keep ? [1] : []) : [n]));
  return { axes, keep, shape };
}

function reduce(opType: string): Recipe {
  return (d) => {
    const x = d.pick((t) => t.shape.length >= 2);
    if (!x) return false;
    const r = reduction(d, x);
    const keepdims = attr.int(r.keep ? 1 : 0);
    // opset 13+ ReduceSum reads its axes from an input; the others from an attribute
    if (opType === "ReduceSum") {
      d.node(opType, [x.name, d.intConst(r.axes)], [{ shape: r.shape }], { keepdims });
    } else {
      d.node(opType, [x], [{ shape: r.shape }], { axes: attr.ints(r.axes), keepdims });
    }
    return true;
  };
}

function softmax(opType: "Softmax" | "LogSoftmax"): Recipe {
  return (d) => {
    const x = d.pick((t) => t.shape.length >= 2);
    if (!x) return false;
    const axis = d.rng.chance(0.6) ? -1 : d.rng.int(1, x.shape.length - 1);
    const positive = opType === "Softmax";
    d.node(opType, [x], [{ shape: x.shape, positive }], { axis: attr.int(axis) });
    return true;
  };
}

const lpNormalization: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length >= 2);
  if (!x) return false;
  const axis = d.rng.int(1, x.shape.length - 1);
  d.node("LpNormalization", [x], [{ shape: x.shape }], {
    axis: attr.int(axis),
    p: attr.int(d.rng.pick([1, 2])),
  });
  return true;
};

const cumSum: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length >= 2);
  if (!x) return false;
  const axis = d.rng.int(1, x.shape.length - 1);
  d.node("CumSum", [x.name, d.intConst([axis], [])], [{ shape: x.shape }], {
    exclusive: attr.int(d.rng.chance(0.3) ? 1 : 0),
    reverse: attr.int(d.rng.chance(0.3) ? 1 : 0),
  });
  return true;
};

const layerNormalization: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length >= 2 && t.shape[t.shape.length - 1] >= 2);
  if (!x) return false;
  const last = x.shape[x.shape.length - 1];
  const inputs = [x.name, d.floatConst([last], 0.5, 1.5)];
  if (d.rng.chance(0.7)) inputs.push(d.floatConst([last], -0.5, 0.5));
  d.node("LayerNormalization", inputs, [{ shape: x.shape }], { axis: attr.int(-1) });
  return true;
};

const instanceNormalization: Recipe = (d) => {
  const x = d.pick((t) => is4d(t) && t.shape[2] * t.shape[3] >= 2);
  if (!x) return false;
  const c = x.shape[1];
  d.node("InstanceNormalization", [x.name, d.floatConst([c], 0.5, 1.5), d.floatConst([c])], [{
    shape: x.shape,
  }]);
  return true;
};

const batchNormalization: Recipe = (d) => {
  const x = d.pick(is4d);
  if (!x) return false;
  const c = x.shape[1];
  const inputs = [
    x.name,
    d.floatConst([c], 0.5, 1.5),
    d.floatConst([c], -0.5, 0.5),
    d.floatConst([c], -0.2, 0.2),
    d.floatConst([c], 0.5, 2),
  ];
  d.node("BatchNormalization", inputs, [{ shape: x.shape }], { epsilon: attr.float(1e-5) });
  return true;
};

const resize: Recipe = (d) => {
  const x = d.pick((t) => is4d(t) && t.shape[2] * t.shape[3] <= 64);
  if (!x) return false;
  const s = d.rng.pick([2, 2, 3]);
  const mode = d.rng.pick(["nearest", "linear"]);
  const attrs = { mode: attr.string(mode) };
  if (mode === "linear") {
    const ct = d.rng.pick(["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"]);
    Object.assign(attrs, { coordinate_transformation_mode: attr.string(ct) });
  } else {
    Object.assign(attrs, { coordinate_transformation_mode: attr.string("asymmetric") });
    Object.assign(attrs, { nearest_mode: attr.string("floor") });
  }
  const scales = d.floats([1, 1, s, s]);
  const out = [x.shape[0], x.shape[1], x.shape[2] * s, x.shape[3] * s];
  d.node("Resize", [x.name, "", scales], [{ shape: out }], attrs);
  return true;
};

/** Recipes of this file, by operator type. */
export const NN_RECIPES: Readonly<Record<string, Recipe>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  Gemm: gemm,
  MatMul: matmul,
  MaxPool: pool("MaxPool"),
  AveragePool: pool("AveragePool"),
  GlobalAveragePool: globalPool("GlobalAveragePool"),
  GlobalMaxPool: globalPool("GlobalMaxPool"),
  ReduceMax: reduce("ReduceMax"),
  ReduceMin: reduce("ReduceMin"),
  ReduceMean: reduce("ReduceMean"),
  ReduceSum: reduce("ReduceSum"),
  ReduceL2: reduce("ReduceL2"),
  Softmax: softmax("Softmax"),
  LogSoftmax: softmax("LogSoftmax"),
  LpNormalization: lpNormalization,
  CumSum: cumSum,
  LayerNormalization: layerNormalization,
  InstanceNormalization: instanceNormalization,
  BatchNormalization: batchNormalization,
  Resize: resize,
};
