/**
 * Recipes of the data-movement operators (the capability table's `shared` class and
 * Concat): reshapes, transposes, slices, concatenation and splitting (a node with two
 * outputs), depth/space rearrangements, padding, tiling, expansion and gathers. The batch
 * axis 0 is never moved or cut, so every model keeps a batch to compile variants for.
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import type { Draft } from "./draft.ts";
import { count, is4d, type Recipe } from "./recipe.ts";

const reshape: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length >= 2);
  if (!x) return false;
  const [b, ...rest] = x.shape;
  const n = count(rest);
  const divisors = Array.from({ length: n }, (_, i) => i + 1).filter((k) => n % k === 0);
  const forms = [[b, n], [b, d.rng.pick(divisors), -1]];
  if (x.shape.length !== 4) forms.push([b, 1, d.rng.pick(divisors), -1]);
  const target = d.rng.pick(forms);
  const shape = target.map((
    v,
  ) => (v === -1 ? n / target.slice(1, -1).reduce((p, q) => p * q, 1) : v));
  // 0 copies the batch dimension, so the model stays valid for every compiled batch
  const written = [0, ...target.slice(1)];
  d.node("Reshape", [x.name, d.intConst(written)], [{ shape, positive: x.positive }]);
  return true;
};

const flatten: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length >= 3);
  if (!x) return false;
  d.node("Flatten", [x], [{ shape: [x.shape[0], count(x.shape.slice(1))], positive: x.positive }], {
    axis: attr.int(1),
  });
  return true;
};

/** A random permutation of 1..rank-1 after the batch axis 0. */
function innerPerm(d: Draft, rank: number): number[] {
  const rest = Array.from({ length: rank - 1 }, (_, i) => i + 1);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = d.rng.int(0, i);
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  return [0, ...rest];
}

const transpose: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length >= 3);
  if (!x) return false;
  const perm = innerPerm(d, x.shape.length);
  d.node("Transpose", [x], [{ shape: perm.map((p) => x.shape[p]), positive: x.positive }], {
    perm: attr.ints(perm),
  });
  return true;
};

const slice: Recipe = (d) => {
  const x = d.pick((t) => t.shape.some((n, i) => i > 0 && n >= 2));
  if (!x) return false;
  const axes = x.shape.map((_, i) => i).filter((i) => i > 0 && x.shape[i] >= 2);
  const axis = d.rng.pick(axes);
  const n = x.shape[axis];
  const start = d.rng.int(0, n - 1);
  const end = d.rng.int(start + 1, n);
  const step = d.rng.chance(0.3) ? 2 : 1;
  const len = Math.ceil((end - start) / step);
  const shape = x.shape.map((v, i) => (i === axis ? len : v));
  const negative = d.rng.chance(0.3);
  const inputs = [
    x.name,
    d.intConst([negative ? start - n : start]),
    d.intConst([end === n && negative ? 2 ** 31 - 1 : end]),
    d.intConst([negative ? axis - x.shape.length : axis]),
    d.intConst([step]),
  ];
  d.node("Slice", inputs, [{ shape, positive: x.positive }]);
  return true;
};

const concat: Recipe = (d) => {
  const a = d.pick((t) => t.shape.length >= 2);
  if (!a) return false;
  const axis = d.rng.int(1, a.shape.length - 1);
  const fits = (t: { shape: readonly number[] }) =>
    t.shape.length === a.shape.length && t.shape.every((n, i) => i === axis || n === a.shape[i]);
  // another activation, else `a` twice (a constant would fix the batch size)
  const b = d.pick((t) => t !== a && fits(t)) ?? a;
  const parts = [a.name, b.name];
  const extra = b.shape[axis];
  const shape = a.shape.map((n, i) => (i === axis ? n + extra : n));
  d.node("Concat", parts, [{ shape }], { axis: attr.int(axis) });
  return true;
};

const split: Recipe = (d) => {
  const x = d.pick((t) => t.shape.some((n, i) => i > 0 && n >= 2));
  if (!x) return false;
  const axis = d.rng.pick(x.shape.map((_, i) => i).filter((i) => i > 0 && x.shape[i] >= 2));
  const first = d.rng.int(1, x.shape[axis] - 1);
  const sizes = [first, x.shape[axis] - first];
  d.node(
    "Split",
    [x.name, d.intConst(sizes)],
    sizes.map((s) => ({
      shape: x.shape.map((n, i) => (i === axis ? s : n)),
      positive: x.positive,
    })),
    { axis: attr.int(axis) },
  );
  return true;
};

const unsqueeze: Recipe = (d) => {
  const x = d.pick((t) => t.shape.length <= 3);
  if (!x) return false;
  const axis = d.rng.int(1, x.shape.length);
  const shape = [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)];
  d.node("Unsqueeze", [x.name, d.intConst([axis])], [{ shape, positive: x.positive }]);
  return true;
};

const squeeze: Recipe = (d) => {
  const x = d.pick((t) => t.shape.some((n, i) => i > 0 && n === 1) && t.shape.length >= 3);
  if (!x) return false;
  const axis = x.shape.findIndex((n, i) => i > 0 && n === 1);
  const shape = x.shape.filter((_, i) => i !== axis);
  d.node("Squeeze", [x.name, d.intConst([axis])], [{ shape, positive: x.positive }]);
  return true;
};

const depthToSpace: Recipe = (d) => {
  const x = d.pick((t) => is4d(t) && t.shape[1] % 4 === 0);
  if (!x) return false;
  const [b, c, h, w] = x.shape;
  d.node("DepthToSpace", [x], [{ shape: [b, c / 4, h * 2, w * 2], positive: x.positive }], {
    blocksize: attr.int(2),
    mode: attr.string(d.rng.pick(["DCR", "CRD"])),
  });
  return true;
};

const spaceToDepth: Recipe = (d) => {
  const x = d.pick((t) => is4d(t) && t.shape[2] % 2 === 0 && t.shape[3] % 2 === 0);
  if (!x) return false;
  const [b, c, h, w] = x.shape;
  d.node("SpaceToDepth", [x], [{ shape: [b, c * 4, h / 2, w / 2], positive: x.positive }], {
    blocksize: attr.int(2),
  });
  return true;
};

const pad: Recipe = (d) => {
  const x = d.pick(is4d);
  if (!x) return false;
  const p = [0, 0, d.rng.int(0, 2), d.rng.int(0, 2), 0, 0, d.rng.int(0, 2), d.rng.int(0, 2)];
  const shape = x.shape.map((n, i) => n + p[i] + p[i + 4]);
  const inputs = [x.name, d.intConst(p)];
  if (d.rng.chance(0.5)) inputs.push(d.floats([d.rng.pick([0, 0.5, -1])], []));
  d.node("Pad", inputs, [{ shape }], { mode: attr.string("constant") });
  return true;
};

const tile: Recipe = (d) => {
  const x = d.pick((t) => count(t.shape) <= 128);
  if (!x) return false;
  const reps = x.shape.map((_, i) => (i > 0 && d.rng.chance(0.4) ? 2 : 1));
  d.node("Tile", [x.name, d.intConst(reps)], [{
    shape: x.shape.map((n, i) => n * reps[i]),
    positive: x.positive,
  }]);
  return true;
};

const expand: Recipe = (d) => {
  const x = d.pick((t) => t.shape.some((n, i) => i > 0 && n === 1));
  if (!x) return false;
  const shape = x.shape.map((n, i) => (i > 0 && n === 1 ? d.rng.int(1, 4) : n));
  d.node("Expand", [x.name, d.intConst(shape)], [{ shape, positive: x.positive }]);
  return true;
};

const gather: Recipe = (d) => {
  const x = d.pick((t) => t.shape.some((n, i) => i > 0 && n >= 2));
  if (!x) return false;
  const axis = d.rng.pick(x.shape.map((_, i) => i).filter((i) => i > 0 && x.shape[i] >= 2));
  const n = x.shape[axis];
  const k = d.rng.int(1, n);
  const idx = Array.from({ length: k }, () => d.rng.int(-n, n - 1));
  const shape = x.shape.map((v, i) => (i === axis ? k : v));
  d.node("Gather", [x.name, d.intConst(idx)], [{ shape, positive: x.positive }], {
    axis: attr.int(axis),
  });
  return true;
};

const gatherElements: Recipe = (d) => {
  const x = d.pick((t) => t.shape.some((n, i) => i > 0 && n >= 2));
  if (!x) return false;
  const axis = d.rng.pick(x.shape.map((_, i) => i).filter((i) => i > 0 && x.shape[i] >= 2));
  const n = x.shape[axis];
  const shape = x.shape.map((v, i) => (i === axis ? d.rng.int(1, n) : v));
  const idx = Array.from({ length: count(shape) }, () => d.rng.int(-n, n - 1));
  d.node("GatherElements", [x.name, d.intConst(idx, shape)], [{ shape, positive: x.positive }], {
    axis: attr.int(axis),
  });
  return true;
};

const identity: Recipe = (d) => {
  const x = d.pick(() => true);
  if (!x) return false;
  d.node("Identity", [x], [{ shape: x.shape, positive: x.positive }]);
  return true;
};

/** Recipes of this file, by operator type. */
export const MOVE_RECIPES: Readonly<Record<string, Recipe>> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Slice: slice,
  Concat: concat,
  Split: split,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  Pad: pad,
  Tile: tile,
  Expand: expand,
  Gather: gather,
  GatherElements: gatherElements,
  Identity: identity,
};
