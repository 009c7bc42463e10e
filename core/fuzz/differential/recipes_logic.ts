/**
 * Recipes of the boolean operators: two comparisons of an activation joined by And, Or or
 * Xor, or one negated by Not, selecting through Where between the activation and another
 * operand (the draft's bool tensors never reach a graph output).
 *
 * @module
 */
import type { Draft, DraftTensor } from "./draft.ts";
import { operand } from "./recipes_elementwise.ts";
import type { Recipe } from "./recipe.ts";

/** The comparisons every AXera target lists. */
const COMPARISONS = ["Greater", "Less"] as const;

/** `a <cmp> b` for a random comparison and second operand. */
function condition(d: Draft, a: DraftTensor): DraftTensor {
  const b = operand(d, a, -0.5, 0.5);
  return d.node(d.rng.pick(COMPARISONS), [a, b], [{ shape: a.shape, dtype: "bool" }])[0];
}

/** `Where(cond, a, other)` with `a`'s shape. */
function select(d: Draft, cond: DraftTensor, a: DraftTensor): void {
  const other = operand(d, a, -1, 1);
  d.node("Where", [cond, a, other], [{ shape: a.shape }]);
}

/** Two conditions on one activation, joined by `opType`. */
function joined(opType: "And" | "Or" | "Xor"): Recipe {
  return (d) => {
    const a = d.pick(() => true);
    if (!a) return false;
    const [both] = d.node(opType, [condition(d, a), condition(d, a)], [{
      shape: a.shape,
      dtype: "bool",
    }]);
    select(d, both, a);
    return true;
  };
}

const not: Recipe = (d) => {
  const a = d.pick(() => true);
  if (!a) return false;
  const [negated] = d.node("Not", [condition(d, a)], [{ shape: a.shape, dtype: "bool" }]);
  select(d, negated, a);
  return true;
};

/** Recipes of this file, by operator type. */
export const LOGIC_RECIPES: Readonly<Record<string, Recipe>> = {
  And: joined("And"),
  Or: joined("Or"),
  Xor: joined("Xor"),
  Not: not,
};
