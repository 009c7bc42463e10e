/**
 * Pointwise activations: Relu, LeakyRelu, Elu, Selu, Celu, Sigmoid, HardSigmoid,
 * HardSwish, Tanh, Softplus, Softsign, ThresholdedRelu, Shrink, Gelu, Mish, and the
 * non-standard NPU ops Silu, Swish and InverseSigmoid (registered in the default
 * domain because AXera graphs use them there).
 *
 * Attribute defaults follow the ONNX spec. Sigmoid and Softplus use the overflow-free
 * forms (`e^x/(1+e^x)` for x < 0, `max(x,0) + log1p(e^-|x|)`).
 *
 * @module
 */
import type { RegisteredOp, TypedOp } from "../op.ts";
import { UnsupportedOpError } from "../../errors/mod.ts";
import { type BigUnaryLoop, defineUnary, noParams, type UnaryLoop } from "./_unary.ts";
import { erf } from "./erf.ts";
import { erfFromTable } from "./erf_table.ts";
import { erfWasm } from "./_erf_wasm.ts";
import { mapF32 } from "../../wasm/map.ts";

/** One `alpha` parameter. */
export interface Alpha {
  readonly alpha: number;
}
/** `alpha` and `beta` (HardSigmoid). */
export interface AlphaBeta {
  readonly alpha: number;
  readonly beta: number;
}

/** Numerically stable logistic function. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** Numerically stable `log(1 + e^v)`. */
export function softplus(v: number): number {
  return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
}

/** NaN passes through, as in onnxruntime. */
const reluN: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = x[i] < 0 ? 0 : x[i];
};
const reluB: BigUnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0n ? x[i] : 0n;
};
const leakyF: UnaryLoop<Alpha> = (x, y, p) => {
  const a = p.alpha;
  for (let i = 0; i < x.length; i++) y[i] = x[i] >= 0 ? x[i] : a * x[i];
};
const eluF: UnaryLoop<Alpha> = (x, y, p) => {
  const a = p.alpha;
  for (let i = 0; i < x.length; i++) y[i] = x[i] >= 0 ? x[i] : a * Math.expm1(x[i]);
};
/** Selu parameters. */
export interface SeluParams {
  readonly alpha: number;
  readonly gamma: number;
}
const seluF: UnaryLoop<SeluParams> = (x, y, p) => {
  const { alpha, gamma } = p;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? gamma * v : gamma * alpha * Math.expm1(v);
  }
};
const celuF: UnaryLoop<Alpha> = (x, y, p) => {
  const a = p.alpha;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = Math.max(0, v) + Math.min(0, a * Math.expm1(v / a));
  }
};
const sigmoidF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = sigmoid(x[i]);
};
const hardSigmoidF: UnaryLoop<AlphaBeta> = (x, y, p) => {
  const { alpha, beta } = p;
  for (let i = 0; i < x.length; i++) y[i] = Math.max(0, Math.min(1, alpha * x[i] + beta));
};
const hardSwishF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v * Math.max(0, Math.min(1, v / 6 + 0.5));
  }
};
const tanhF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
};
const softplusF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = softplus(x[i]);
};
const softsignF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = x[i] / (1 + Math.abs(x[i]));
};
const thresholdedF: UnaryLoop<Alpha> = (x, y, p) => {
  const a = p.alpha;
  for (let i = 0; i < x.length; i++) y[i] = x[i] > a ? x[i] : 0;
};
/** Shrink parameters. */
export interface ShrinkParams {
  readonly bias: number;
  readonly lambd: number;
}
const shrinkN: UnaryLoop<ShrinkParams> = (x, y, p) => {
  const { bias, lambd } = p;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v < -lambd ? v + bias : v > lambd ? v - bias : 0;
  }
};
/** Gelu parameters. */
export interface GeluParams {
  readonly tanh: boolean;
}
const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const geluF: UnaryLoop<GeluParams> = (x, y, p) => {
  if (p.tanh) {
    // Computed in double. onnxruntime's float32 kernel uses a polynomial tanh and
    // differs by up to ~2e-7 absolute where 1 + tanh cancels (x < -3).
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
    }
  } else {
    // float64 keeps the series' precision; narrower types take the table step (erf_table.ts)
    const e = y instanceof Float64Array ? erf : erfFromTable;
    for (let i = 0; i < x.length; i++) y[i] = 0.5 * x[i] * (1 + e(x[i] * SQRT1_2));
  }
};
const mishF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = x[i] * Math.tanh(softplus(x[i]));
};
const swishF: UnaryLoop<Alpha> = (x, y, p) => {
  const a = p.alpha;
  for (let i = 0; i < x.length; i++) y[i] = x[i] * sigmoid(a * x[i]);
};
/** InverseSigmoid parameters. */
export interface EpsParams {
  readonly eps: number;
}
const inverseSigmoidF: UnaryLoop<EpsParams> = (x, y, p) => {
  const eps = p.eps;
  for (let i = 0; i < x.length; i++) {
    const v = Math.min(1, Math.max(0, x[i]));
    y[i] = Math.log(Math.max(v, eps) / Math.max(1 - v, eps));
  }
};

const SIGNED_FOR_RELU = ["s8", "s16", "s32", "s64"] as const;

/** Relu: `max(x, 0)` (floats and, since opset 14, signed integers). */
export const relu: RegisteredOp = defineUnary({
  opType: "Relu",
  parse: noParams,
  float: reluN,
  f32: (x) => mapF32(x, (fn, p, n) => fn.relu(p, p, n)),
  int: reluN,
  big: reluB,
  intTypes: SIGNED_FOR_RELU,
});
/** LeakyRelu: `x >= 0 ? x : alpha*x`, alpha 0.01. */
export const leakyRelu: RegisteredOp = defineUnary<Alpha>({
  opType: "LeakyRelu",
  parse: (r) => ({ alpha: r.float("alpha", 0.01) }),
  float: leakyF,
});
/** Elu: `x >= 0 ? x : alpha*(e^x - 1)`, alpha 1. */
export const elu: RegisteredOp = defineUnary<Alpha>({
  opType: "Elu",
  parse: (r) => ({ alpha: r.float("alpha", 1) }),
  float: eluF,
});
/** Selu with the spec's default alpha and gamma. */
export const selu: RegisteredOp = defineUnary<SeluParams>({
  opType: "Selu",
  parse: (r) => ({
    alpha: r.float("alpha", 1.67326319217681884765625),
    gamma: r.float("gamma", 1.05070102214813232421875),
  }),
  float: seluF,
});
/** Celu: `max(0,x) + min(0, alpha*(e^(x/alpha) - 1))`, alpha 1. */
export const celu: RegisteredOp = defineUnary<Alpha>({
  opType: "Celu",
  parse: (r) => ({ alpha: r.float("alpha", 1) }),
  float: celuF,
});
/** Sigmoid: `1/(1+e^-x)`. */
export const sigmoidOp: RegisteredOp = defineUnary({
  opType: "Sigmoid",
  parse: noParams,
  float: sigmoidF,
});
/** HardSigmoid: `clamp(alpha*x + beta, 0, 1)`, alpha 0.2, beta 0.5. */
export const hardSigmoid: RegisteredOp = defineUnary<AlphaBeta>({
  opType: "HardSigmoid",
  parse: (r) => ({ alpha: r.float("alpha", 0.2), beta: r.float("beta", 0.5) }),
  float: hardSigmoidF,
});
/** HardSwish: `x * clamp(x/6 + 1/2, 0, 1)`. */
export const hardSwish: RegisteredOp = defineUnary({
  opType: "HardSwish",
  parse: noParams,
  float: hardSwishF,
});
/** Tanh. */
export const tanh: RegisteredOp = defineUnary({ opType: "Tanh", parse: noParams, float: tanhF });
/** Softplus: `log(1 + e^x)`. */
export const softplusOp: RegisteredOp = defineUnary({
  opType: "Softplus",
  parse: noParams,
  float: softplusF,
});
/** Softsign: `x / (1 + |x|)`. */
export const softsign: RegisteredOp = defineUnary({
  opType: "Softsign",
  parse: noParams,
  float: softsignF,
});
/** ThresholdedRelu: `x > alpha ? x : 0`, alpha 1. */
export const thresholdedRelu: RegisteredOp = defineUnary<Alpha>({
  opType: "ThresholdedRelu",
  parse: (r) => ({ alpha: r.float("alpha", 1) }),
  float: thresholdedF,
});
/** Shrink: `x < -lambd ? x+bias : x > lambd ? x-bias : 0` (bias 0, lambd 0.5). */
export const shrink: RegisteredOp = defineUnary<ShrinkParams>({
  opType: "Shrink",
  parse: (r) => ({ bias: r.float("bias", 0), lambd: r.float("lambd", 0.5) }),
  float: shrinkN,
  int: shrinkN,
});
/** Gelu (opset 20): exact (`approximate="none"`) or the tanh approximation. */
export const gelu: TypedOp<GeluParams> = defineUnary<GeluParams>({
  opType: "Gelu",
  parse: (r, ctx) => {
    const a = r.string("approximate", "none");
    if (a !== "none" && a !== "tanh") {
      throw new UnsupportedOpError("Gelu", ctx.node.name, `approximate="${a}" is not none or tanh`);
    }
    return { tanh: a === "tanh" };
  },
  float: geluF,
  f32: (x, p) => p.tanh ? undefined : erfWasm(x, "gelu"),
});
/** Mish: `x * tanh(softplus(x))`. */
export const mish: RegisteredOp = defineUnary({ opType: "Mish", parse: noParams, float: mishF });
/** Silu (non-standard): `x * sigmoid(x)`. */
export const silu: RegisteredOp = defineUnary<Alpha>({
  opType: "Silu",
  parse: () => ({ alpha: 1 }),
  float: swishF,
});
/** Swish: `x * sigmoid(alpha*x)`, alpha 1 (ONNX opset 24 and AXera's NPU op). */
export const swish: RegisteredOp = defineUnary<Alpha>({
  opType: "Swish",
  parse: (r) => ({ alpha: r.float("alpha", 1) }),
  float: swishF,
});
/**
 * InverseSigmoid (non-standard): `log(x1/x2)` with `x` clamped to [0,1],
 * `x1 = max(x, eps)`, `x2 = max(1-x, eps)`; `eps` attribute, default 1e-5 — the
 * convention of mmcv/DETR-family `inverse_sigmoid`, which these graphs come from.
 */
export const inverseSigmoid: RegisteredOp = defineUnary<EpsParams>({
  opType: "InverseSigmoid",
  parse: (r) => ({ eps: r.float("eps", 1e-5) }),
  float: inverseSigmoidF,
});
