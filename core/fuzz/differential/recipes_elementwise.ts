/**
 * Recipes of the element-wise operators: binary arithmetic with broadcasting (two
 * activations or an activation and a constant), the bounds activations Relu and Clip,
 * PRelu, comparisons feeding Where, and a generic one-input recipe that serves every
 * operator the capability table marks as a lookup table (`lut`), with random attributes
 * where the operator has some.
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import type { Attribute } from "../../ir/attribute.ts";
import type { Draft, DraftTensor } from "./draft.ts";
import type { Recipe } from "./recipe.ts";

/** True when `b` broadcasts into `a` unchanged (numpy rules, `a`'s shape wins). */
function broadcastsInto(b: readonly number[], a: readonly number[]): boolean {
  if (b.length > a.length) return false;
  const off = a.length - b.length;
  return b.every((n, i) => n === a[off + i] || n === 1);
}

/** A random shape that broadcasts into `a`: full, per-channel, trailing axes, or one value. */
function broadcastShape(d: Draft, a: readonly number[]): number[] {
  const form = d.rng.int(0, 3);
  if (form === 0) return [...a];
  if (form === 1 && a.length >= 3) return [a[1], ...a.slice(2).map(() => 1)];
  if (form === 2) return a.slice(d.rng.int(1, a.length));
  return d.rng.chance(0.5) ? [1] : [];
}

/**
 * The second operand: another activation of the same rank that broadcasts into `a` (same
 * rank, so both keep their batch on axis 0), else a constant.
 */
export function operand(d: Draft, a: DraftTensor, lo: number, hi: number): DraftTensor | string {
  if (d.rng.chance(0.5)) {
    const b = d.pick((t) =>
      t !== a && t.shape.length === a.shape.length && broadcastsInto(t.shape, a.shape)
    );
    if (b) return b;
  }
  return d.floatConst(broadcastShape(d, a.shape), lo, hi);
}

function binary(opType: string): Recipe {
  return (d) => {
    const a = d.pick(() => true);
    if (!a) return false;
    const b = operand(d, a, -1, 1);
    const swap = typeof b === "string" && d.rng.chance(0.3);
    d.node(opType, swap ? [b, a] : [a, b], [{ shape: a.shape }]);
    return true;
  };
}

/** A tensor of values > 0: `x` itself, or Sigmoid of it. */
function positive(d: Draft, x: DraftTensor): DraftTensor {
  return x.positive ? x : d.node("Sigmoid", [x], [{ shape: x.shape, positive: true }])[0];
}

const div: Recipe = (d) => {
  const a = d.pick(() => true);
  if (!a) return false;
  if (d.rng.chance(0.6)) {
    const c = d.floatConst(broadcastShape(d, a.shape), 0.5, 2);
    d.node("Div", [a, c], [{ shape: a.shape }]);
    return true;
  }
  const b =
    d.pick((t) =>
      t !== a && t.shape.length === a.shape.length && broadcastsInto(t.shape, a.shape)
    ) ?? a;
  d.node("Div", [a, positive(d, b)], [{ shape: a.shape }]);
  return true;
};

const pow: Recipe = (d) => {
  const x = d.pick(() => true);
  if (!x) return false;
  const e = d.rng.pick([2, 3, 0.5]);
  const base = e === 0.5 ? positive(d, x) : x;
  d.node("Pow", [base.name, d.floats([e], [])], [{ shape: x.shape, positive: e === 0.5 }]);
  return true;
};

const clip: Recipe = (d) => {
  const x = d.pick(() => true);
  if (!x) return false;
  const lo = d.rng.chance(0.8) ? d.floats([d.rng.pick([0, -0.5, -1])], []) : "";
  const hi = d.rng.chance(0.8) ? d.floats([d.rng.pick([6, 1, 0.5])], []) : "";
  const inputs = hi !== "" ? [x.name, lo, hi] : lo !== "" ? [x.name, lo] : [x.name];
  d.node("Clip", inputs, [{ shape: x.shape }]);
  return true;
};

const prelu: Recipe = (d) => {
  const x = d.pick(() => true);
  if (!x) return false;
  const shape = x.shape.length === 4 && d.rng.chance(0.7) ? [x.shape[1], 1, 1] : [1];
  d.node("PRelu", [x.name, d.floatConst(shape, 0, 0.5)], [{ shape: x.shape }]);
  return true;
};

/** `Where(a <op> b, a, other)`: a comparison, sometimes combined by a logical operator. */
function compare(opType: string): Recipe {
  return (d) => {
    const a = d.pick(() => true);
    if (!a) return false;
    const b = operand(d, a, -0.5, 0.5);
    const [cond] = d.node(opType, [a, b], [{ shape: a.shape, dtype: "bool" }]);
    const other = operand(d, a, -1, 1);
    d.node("Where", [cond.name, a.name, typeof other === "string" ? other : other.name], [{
      shape: a.shape,
    }]);
    return true;
  };
}

/** Random attributes of the one-input operators that have some. */
const UNARY_ATTRS: Readonly<Record<string, (d: Draft) => Record<string, Attribute>>> = {
  LeakyRelu: (d) => ({ alpha: attr.float(0.01 + 0.3 * d.rng.float()) }),
  Elu: (d) => ({ alpha: attr.float(0.5 + d.rng.float()) }),
  Celu: (d) => ({ alpha: attr.float(0.5 + d.rng.float()) }),
  HardSigmoid: (d) => ({
    alpha: attr.float(d.rng.pick([0.2, 1 / 6])),
    beta: attr.float(0.5),
  }),
  ThresholdedRelu: (d) => ({ alpha: attr.float(d.rng.float()) }),
  Shrink: (d) => ({
    lambd: attr.float(0.5 * d.rng.float()),
    bias: attr.float(0.2 * d.rng.float()),
  }),
};

/** Operators defined only for inputs > 0: fed through Sigmoid unless already positive. */
const POSITIVE_DOMAIN = new Set(["Sqrt", "Log", "Reciprocal"]);
/** Operators whose outputs are > 0. */
const POSITIVE_RANGE = new Set(["Sigmoid", "Exp", "Softplus"]);

/** The recipe of a one-input element-wise operator. */
export function unary(opType: string): Recipe {
  return (d) => {
    const picked = d.pick(() => true);
    if (!picked) return false;
    const x = POSITIVE_DOMAIN.has(opType) ? positive(d, picked) : picked;
    const attrs = UNARY_ATTRS[opType]?.(d) ?? {};
    d.node(opType, [x], [{ shape: x.shape, positive: POSITIVE_RANGE.has(opType) }], attrs);
    return true;
  };
}

/** Recipes of this file, by operator type (one-input operators come from {@linkcode unary}). */
export const ELEMENTWISE_RECIPES: Readonly<Record<string, Recipe>> = {
  Add: binary("Add"),
  Sub: binary("Sub"),
  Mul: binary("Mul"),
  Max: binary("Max"),
  Min: binary("Min"),
  Div: div,
  Pow: pow,
  Clip: clip,
  PRelu: prelu,
  Relu: unary("Relu"),
  Greater: compare("Greater"),
  GreaterOrEqual: compare("GreaterOrEqual"),
  Less: compare("Less"),
  LessOrEqual: compare("LessOrEqual"),
  Equal: compare("Equal"),
  Where: compare("Greater"),
};
