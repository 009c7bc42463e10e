/**
 * Unary math operators: Abs, Neg, Sign (all numeric types), Ceil, Floor, Round (half to
 * even), Sqrt, Reciprocal, Exp, Log, trigonometric and hyperbolic functions, Erf, IsNaN
 * and IsInf. Float32 inputs are computed in double and rounded once on store.
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import type { RegisteredOp } from "../op.ts";
import { type BigUnaryLoop, defineUnary, noParams, type UnaryLoop } from "./_unary.ts";
import { erf } from "./erf.ts";
import { erfFromTable } from "./erf_table.ts";
import { erfWasm } from "./_erf_wasm.ts";

const SIGNED: readonly DType[] = ["s8", "s16", "s32", "s64"];

const absN: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]);
};
const absB: BigUnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = x[i] < 0n ? -x[i] : x[i];
};
const negN: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = -x[i];
};
const negB: BigUnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = -x[i];
};
const signN: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v > 0 ? 1 : v < 0 ? -1 : v; // keeps NaN and ±0
  }
};
const signB: BigUnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = x[i] > 0n ? 1n : x[i] < 0n ? -1n : 0n;
};

/** Round half to even (banker's rounding), as numpy and onnxruntime do. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

const roundF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = roundHalfEven(x[i]);
};
const ceilF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.ceil(x[i]);
};
const floorF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.floor(x[i]);
};
const sqrtF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.sqrt(x[i]);
};
const recipF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = 1 / x[i];
};
const expF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]);
};
const logF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]);
};
const sinF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.sin(x[i]);
};
const cosF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.cos(x[i]);
};
const tanF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.tan(x[i]);
};
const asinF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.asin(x[i]);
};
const acosF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.acos(x[i]);
};
const atanF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.atan(x[i]);
};
const sinhF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.sinh(x[i]);
};
const coshF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.cosh(x[i]);
};
const asinhF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.asinh(x[i]);
};
const acoshF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.acosh(x[i]);
};
const atanhF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Math.atanh(x[i]);
};
// float64 tensors keep the series' double precision; float32 (and narrower) take the
// table step, whose 1e-13 error vanishes in the float32 rounding.
const erfF: UnaryLoop<null> = (x, y) => {
  if (y instanceof Float64Array) {
    for (let i = 0; i < x.length; i++) y[i] = erf(x[i]);
    return;
  }
  for (let i = 0; i < x.length; i++) y[i] = erfFromTable(x[i]);
};
const isNanF: UnaryLoop<null> = (x, y) => {
  for (let i = 0; i < x.length; i++) y[i] = Number.isNaN(x[i]) ? 1 : 0;
};

/** Parsed attributes of IsInf. */
export interface IsInfAttrs {
  readonly positive: boolean;
  readonly negative: boolean;
}
const isInfF: UnaryLoop<IsInfAttrs> = (x, y, p) => {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = (v === Infinity && p.positive) || (v === -Infinity && p.negative) ? 1 : 0;
  }
};

function floatOp(opType: string, float: UnaryLoop<null>): RegisteredOp {
  return defineUnary({ opType, parse: noParams, float });
}

/** Abs: `|x|` (integers wrap: abs(-128) of int8 stays -128, as in C). */
export const abs: RegisteredOp = defineUnary({
  opType: "Abs",
  parse: noParams,
  float: absN,
  int: absN,
  big: absB,
});
/** Neg: `-x` for floats and signed integers. */
export const neg: RegisteredOp = defineUnary({
  opType: "Neg",
  parse: noParams,
  float: negN,
  int: negN,
  big: negB,
  intTypes: SIGNED,
});
/** Sign: -1, 0 or 1 (NaN stays NaN). */
export const sign: RegisteredOp = defineUnary({
  opType: "Sign",
  parse: noParams,
  float: signN,
  int: signN,
  big: signB,
});
/** Ceil. */
export const ceil: RegisteredOp = floatOp("Ceil", ceilF);
/** Floor. */
export const floor: RegisteredOp = floatOp("Floor", floorF);
/** Round: to nearest, ties to even. */
export const round: RegisteredOp = floatOp("Round", roundF);
/** Sqrt. */
export const sqrt: RegisteredOp = floatOp("Sqrt", sqrtF);
/** Reciprocal: `1/x`. */
export const reciprocal: RegisteredOp = floatOp("Reciprocal", recipF);
/** Exp. */
export const exp: RegisteredOp = floatOp("Exp", expF);
/** Log: natural logarithm. */
export const log: RegisteredOp = floatOp("Log", logF);
/** Sin. */
export const sin: RegisteredOp = floatOp("Sin", sinF);
/** Cos. */
export const cos: RegisteredOp = floatOp("Cos", cosF);
/** Tan. */
export const tan: RegisteredOp = floatOp("Tan", tanF);
/** Asin. */
export const asin: RegisteredOp = floatOp("Asin", asinF);
/** Acos. */
export const acos: RegisteredOp = floatOp("Acos", acosF);
/** Atan. */
export const atan: RegisteredOp = floatOp("Atan", atanF);
/** Sinh. */
export const sinh: RegisteredOp = floatOp("Sinh", sinhF);
/** Cosh. */
export const cosh: RegisteredOp = floatOp("Cosh", coshF);
/** Asinh. */
export const asinh: RegisteredOp = floatOp("Asinh", asinhF);
/** Acosh. */
export const acosh: RegisteredOp = floatOp("Acosh", acoshF);
/** Atanh. */
export const atanh: RegisteredOp = floatOp("Atanh", atanhF);
/** Erf: the error function (see erf.ts and erf_table.ts for the methods). */
export const erfOp: RegisteredOp = defineUnary({
  opType: "Erf",
  parse: noParams,
  float: erfF,
  f32: (x) => erfWasm(x, "erf"),
});
/** IsNaN: bool mask of NaN elements. */
export const isNaNOp: RegisteredOp = defineUnary({
  opType: "IsNaN",
  parse: noParams,
  float: isNanF,
  bool: true,
});
/** IsInf: bool mask of infinities, filtered by `detect_positive`/`detect_negative`. */
export const isInf: RegisteredOp = defineUnary<IsInfAttrs>({
  opType: "IsInf",
  parse: (r) => ({
    positive: r.int("detect_positive", 1) !== 0,
    negative: r.int("detect_negative", 1) !== 0,
  }),
  float: isInfF,
  bool: true,
});
