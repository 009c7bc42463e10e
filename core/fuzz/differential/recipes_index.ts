/**
 * Recipes of the operators with integer results or integer index inputs: ArgMax/ArgMin
 * and TopK (int64 indices, cast back to float32 so they can reach an output), Cast (a
 * float through a signed integer type and back: truncation toward zero) and GatherND
 * (constant index tuples after the batch axis). The batch axis 0 is never reduced or
 * indexed, so every model keeps its batch.
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import type { Draft, DraftTensor } from "./draft.ts";
import { count, type Recipe } from "./recipe.ts";

/** ONNX TensorProto element types the recipes cast to. */
const ONNX_FLOAT = 1;
const ONNX_INT16 = 5;
const ONNX_INT32 = 6;

/** A tensor with an axis after the batch of at least two elements, and such an axis. */
function withAxis(d: Draft): { x: DraftTensor; axis: number } | undefined {
  const x = d.pick((t) => t.shape.some((n, i) => i > 0 && n >= 2));
  if (!x) return undefined;
  const axis = d.rng.pick(x.shape.map((_, i) => i).filter((i) => i > 0 && x.shape[i] >= 2));
  return { x, axis };
}

/** `t` (int64) as float32. */
function toFloat(d: Draft, t: DraftTensor): DraftTensor {
  return d.node("Cast", [t], [{ shape: t.shape }], { to: attr.int(ONNX_FLOAT) })[0];
}

function argReduce(opType: "ArgMax" | "ArgMin"): Recipe {
  return (d) => {
    const picked = withAxis(d);
    if (!picked) return false;
    const { x, axis } = picked;
    const keep = d.rng.chance(0.5);
    const shape = keep
      ? x.shape.map((n, i) => (i === axis ? 1 : n))
      : x.shape.filter((_, i) => i !== axis);
    const [index] = d.node(opType, [x], [{ shape, dtype: "int" }], {
      axis: attr.int(d.rng.chance(0.3) ? axis - x.shape.length : axis),
      keepdims: attr.int(keep ? 1 : 0),
    });
    toFloat(d, index);
    return true;
  };
}

const topK: Recipe = (d) => {
  const picked = withAxis(d);
  if (!picked) return false;
  const { x, axis } = picked;
  const k = d.rng.int(1, x.shape[axis]);
  const shape = x.shape.map((n, i) => (i === axis ? k : n));
  const [, indices] = d.node("TopK", [x.name, d.intConst([k])], [
    { shape, positive: x.positive },
    { shape, dtype: "int" },
  ], {
    axis: attr.int(axis),
    largest: attr.int(d.rng.chance(0.7) ? 1 : 0),
    sorted: attr.int(1),
  });
  if (d.rng.chance(0.5)) toFloat(d, indices);
  return true;
};

/**
 * Float → int16 or int32 → float: truncation toward zero. Not int8: a generated value may
 * leave its range, where float-to-integer conversion is undefined in C++ (onnxruntime).
 */
const cast: Recipe = (d) => {
  const x = d.pick(() => true);
  if (!x) return false;
  const to = d.rng.pick([ONNX_INT16, ONNX_INT32]);
  const [i] = d.node("Cast", [x], [{ shape: x.shape, dtype: "int" }], { to: attr.int(to) });
  d.node("Cast", [i], [{ shape: x.shape }], { to: attr.int(ONNX_FLOAT) });
  return true;
};

/**
 * GatherND with `batch_dims` 1: per sample, `m` index tuples into the next `k` axes. The
 * constant indices carry batch 1, so such a model runs at batch 1 only (`config_gen.ts`).
 */
const gatherND: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length >= 2 && count(t.shape) > t.shape[0]);
  if (!x) return false;
  const k = d.rng.int(1, x.shape.length - 1);
  const m = d.rng.int(1, 4);
  const idx: number[] = [];
  for (let j = 0; j < m; j++) {
    for (let a = 1; a <= k; a++) idx.push(d.rng.int(0, x.shape[a] - 1));
  }
  const shape = [x.shape[0], m, ...x.shape.slice(1 + k)];
  d.node("GatherND", [x.name, d.intConst(idx, [1, m, k])], [{ shape, positive: x.positive }], {
    batch_dims: attr.int(1),
  });
  return true;
};

/** Recipes of this file, by operator type. */
export const INDEX_RECIPES: Readonly<Record<string, Recipe>> = {
  ArgMax: argReduce("ArgMax"),
  ArgMin: argReduce("ArgMin"),
  TopK: topK,
  Cast: cast,
  GatherND: gatherND,
};
