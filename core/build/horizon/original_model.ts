/**
 * `<prefix>_original_float_model.onnx` (spec `horizon.md` §3, §6.3): the float model with a
 * pre-processing node at each input, so that the model starts from the intermediate type.
 *
 * Before: `data: float32[1, 3, 224, 224]` (training colour, normalised) → Conv …
 * After:  `data: float32[1, 3, 224, 224]` (intermediate, e.g. RGB − 128) →
 *         `data_preprocess` (one 1×1 Conv in NCHW, MatMul + Add in NHWC) → Conv …
 *
 * The node is one affine map per pixel: `y = scale · (M · (x + 128) + b − mean)` with `M, b`
 * the colour step (identity when the intermediate colour is the training colour) and
 * `mean`/`scale` from `norm_type`; featuremap inputs drop the `+ 128`. A featuremap input
 * with `no_preprocess` gets no node.
 *
 * @module
 */
import type { Model, Node } from "../../ir/graph.ts";
import { f32 } from "../../ir/tensor.ts";
import { NameScope } from "../../ir/names.ts";
import type { HorizonInputPlan } from "./input_plan.ts";

/** The affine map of one input's pre-processing: weights [out][in] and bias [out]. */
export function preprocessAffine(p: HorizonInputPlan): { w: number[][]; b: number[] } {
  const c = p.channels;
  const eye = Array.from({ length: c }, (_, k) => Array.from({ length: c }, (_, j) => +(k === j)));
  const m = p.color ? p.color.m.map((r) => [...r]) : eye;
  const cb = p.color ? [...p.color.b] : new Array<number>(c).fill(0);
  const offset = p.image ? 128 : 0;
  const w = m.map((row, k) => row.map((v) => v * p.scale[k]));
  const b = m.map((row, k) =>
    p.scale[k] * (row.reduce((acc, v) => acc + v * offset, 0) + cb[k] - p.mean[k])
  );
  return { w, b };
}

/** True when the input needs no pre-processing node. */
function isIdentity(p: HorizonInputPlan): boolean {
  return !p.image && !p.color && p.mean.every((m) => m === 0) && p.scale.every((s) => s === 1);
}

/**
 * Insert the pre-processing node of every planned input into `model` (in place).
 *
 * @returns the names of the inserted nodes, by input name
 */
export function insertPreprocessNodes(
  model: Model,
  plans: readonly HorizonInputPlan[],
): Map<string, string> {
  const g = model.graph;
  const names = new NameScope(g);
  const inserted: Node[] = [];
  const made = new Map<string, string>();
  for (const p of plans) {
    if (isIdentity(p)) continue;
    const { w, b } = preprocessAffine(p);
    const c = p.channels;
    const base = `${p.name}_preprocess`;
    const out = names.fresh(`${base}_output`);
    const nodeName = names.fresh(base);
    const bName = names.fresh(`${base}_bias`);
    const wName = names.fresh(`${base}_weight`);
    g.replaceAllUses(p.name, out);
    g.initializers.set(bName, f32([c], b));
    if (p.layoutTrain === "NCHW" && p.shape.length === 4) {
      g.initializers.set(wName, f32([c, c, 1, 1], w.flat()));
      inserted.push({
        name: nodeName,
        opType: "Conv",
        domain: "",
        inputs: [p.name, wName, bName],
        outputs: [out],
        attrs: new Map(),
      });
    } else {
      // channels last: y = x · Wᵀ + b
      const wt = Array.from({ length: c }, (_, j) => w.map((row) => row[j])).flat();
      g.initializers.set(wName, f32([c, c], wt));
      const mm = names.fresh(`${base}_matmul`);
      inserted.push(
        {
          name: `${nodeName}_matmul`,
          opType: "MatMul",
          domain: "",
          inputs: [p.name, wName],
          outputs: [mm],
          attrs: new Map(),
        },
        {
          name: nodeName,
          opType: "Add",
          domain: "",
          inputs: [mm, bName],
          outputs: [out],
          attrs: new Map(),
        },
      );
    }
    made.set(p.name, nodeName);
  }
  g.addNodes(inserted, 0);
  return made;
}
