/**
 * The differential generator's models: a few nodes over the operators a target accepts,
 * with random input shapes (one to three inputs, some broadcastable against the first),
 * random attributes, branches (a tensor read by several nodes), fusible chains (a
 * convolution or product followed by Relu/Clip) and several outputs.
 *
 * Which operators: those the target's legality does not call unlisted (asked through the
 * `Target` contract with a probe node), that have a recipe here or are one-input lookup
 * tables in the capability table (`core/quant/op_capabilities.ts`), less
 * {@linkcode NOT_GENERATED} (each with its reason).
 *
 * @module
 */
import type { Model } from "../../ir/graph.ts";
import type { NodeSpec } from "../../ir/builder.ts";
import { listedCapabilities, opCapabilities } from "../../quant/op_capabilities.ts";
import type { Target } from "../../../targets/target.ts";
import type { Rng } from "../rng.ts";
import { Draft, DRAFT_OPSET, type DraftTensor } from "./draft.ts";
import type { Recipe } from "./recipe.ts";
import { ELEMENTWISE_RECIPES, unary } from "./recipes_elementwise.ts";
import { MOVE_RECIPES } from "./recipes_move.ts";
import { NN_RECIPES } from "./recipes_nn.ts";
import { LOGIC_RECIPES } from "./recipes_logic.ts";
import { INDEX_RECIPES } from "./recipes_index.ts";

/** Operators of the AXera lists the generator does not make, and why. */
export const NOT_GENERATED: Readonly<Record<string, string>> = {
  Silu: "AXera custom operator: not in ONNX, onnxruntime cannot run the float model",
  Swish: "AXera custom operator: not in ONNX, onnxruntime cannot run the float model",
  InverseSigmoid: "AXera custom operator: not in ONNX, onnxruntime cannot run the float model",
  Bevpool: "AXera custom operator: not in ONNX, onnxruntime cannot run the float model",
  SpatialTransformer: "AXera custom operator: not in ONNX, onnxruntime cannot run the float model",
  Gelu: `ONNX opset 20; the generated models declare opset ${DRAFT_OPSET}`,
  Mish: `ONNX opset 18; the generated models declare opset ${DRAFT_OPSET}`,
  GroupNormalization: `ONNX opset 18; the generated models declare opset ${DRAFT_OPSET}`,
  RMSNormalization: `ONNX opset 23; the generated models declare opset ${DRAFT_OPSET}`,
  RotaryEmbedding: `ONNX opset 23; the generated models declare opset ${DRAFT_OPSET}`,
  Constant: "folded into an initializer by the frontend before quantization",
  ConstantOfShape: "folded into an initializer by the frontend before quantization",
  ScatterElements: "index tensors of their own layout: not generated yet",
  ScatterND: "index tensors of their own layout: not generated yet",
  GridSample: "sampling grids: not generated yet",
  RoiAlign: "regions of interest: not generated yet",
  LSTM: "recurrent weights and states: not generated yet",
};

const RECIPES: Readonly<Record<string, Recipe>> = {
  ...NN_RECIPES,
  ...ELEMENTWISE_RECIPES,
  ...MOVE_RECIPES,
  ...LOGIC_RECIPES,
  ...INDEX_RECIPES,
};

function recipeOf(op: string): Recipe | undefined {
  if (Object.hasOwn(NOT_GENERATED, op)) return undefined;
  if (Object.hasOwn(RECIPES, op)) return RECIPES[op];
  return opCapabilities(op).lut ? unary(op) : undefined;
}

/** Operator types that have a recipe (explicit or the capability table's lookup tables). */
export function generatableOps(): string[] {
  const luts = listedCapabilities().filter(([, c]) => c.lut).map(([op]) => op);
  return [...new Set([...Object.keys(RECIPES), ...luts])]
    .filter((op) => recipeOf(op) !== undefined)
    .sort();
}

/** Whether `target` lists `op` (its legality does not answer "unlisted" for a probe node). */
function targetLists(target: Target, op: string): boolean {
  const node = {
    name: "probe",
    opType: op,
    domain: "",
    inputs: [],
    outputs: [],
    attrs: new Map(),
  };
  try {
    const l = target.legality(node, {
      inputTypes: [],
      outputTypes: [],
      constantInputs: [],
      opset: DRAFT_OPSET,
    });
    return l.action === "npu" || l.cause !== "unlisted";
  } catch {
    // a rule that needs the node's inputs ran: the operator has a row
    return true;
  }
}

/** The operators the generator makes for `target`, with their recipes. */
export function targetRecipes(target: Target): Map<string, Recipe> {
  const out = new Map<string, Recipe>();
  for (const op of generatableOps()) {
    const r = recipeOf(op);
    if (r && targetLists(target, op)) out.set(op, r);
  }
  return out;
}

/** One generated model. */
export interface GeneratedModel {
  readonly model: Model;
  /** Graph inputs with their (static) shapes. */
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[] }[];
  /** Operator types of the nodes, in order. */
  readonly ops: readonly string[];
  /** Per graph output, the operator types of the nodes it depends on (graph reachability). */
  readonly upstream: Readonly<Record<string, readonly string[]>>;
}

const FUSIBLE_TAILS = ["Relu", "Clip"];

/** Input shapes: the first 4-D, others like it, broadcastable against it, or 2-D/3-D. */
function inputShapes(rng: Rng): number[][] {
  let c = rng.int(1, 8);
  let h = rng.int(2, 10);
  let w = rng.int(2, 10);
  while (c * h * w > 400) {
    if (h > 2) h--;
    if (w > 2) w--;
    if (c > 1) c--;
  }
  const first = [1, c, h, w];
  const shapes = [first];
  const n = rng.pick([1, 1, 1, 2, 2, 3]);
  for (let i = 1; i < n; i++) {
    shapes.push(rng.pick([
      first,
      [1, c, 1, 1],
      [1, 1, h, w],
      [1, rng.int(1, 16)],
      [1, rng.int(2, 6), rng.int(2, 8)],
    ]));
  }
  return shapes;
}

/**
 * Generate one model over `recipes` (from {@linkcode targetRecipes}).
 *
 * @param rng the case's random stream
 * @param recipes operators to draw from
 * @param name the model's name
 */
export function generateModel(
  rng: Rng,
  recipes: ReadonlyMap<string, Recipe>,
  name: string,
): GeneratedModel {
  const d = new Draft(rng);
  for (const shape of inputShapes(rng)) d.input(shape);
  const ops = [...recipes.keys()];
  const target = rng.int(2, 6);
  let tries = 0;
  while (d.nodes.length < target && tries++ < 60) {
    const op = rng.pick(ops);
    const before = d.nodes.length;
    if (!recipes.get(op)!(d)) continue;
    const made = d.nodes[d.nodes.length - 1];
    // a fusible chain: the producer's output straight into a bounds activation
    const fuses = opCapabilities(made.opType).integer?.fusesActivation ?? false;
    if (d.nodes.length === before + 1 && fuses && rng.chance(0.5)) {
      const tail = rng.pick(FUSIBLE_TAILS.filter((t) => recipes.has(t)));
      if (tail) fuseTail(d, made.outputs[0], tail);
    }
  }
  // every input is read; an unread one feeds an Add with a tensor of its shape, or a Relu
  for (const t of d.unusedInputs()) {
    const same = d.tensors.find((u) => u !== t && sameShape(u, t));
    if (same) d.node("Add", [t, same], [{ shape: t.shape }]);
    else d.node("Relu", [t], [{ shape: t.shape }]);
  }
  const outputs = d.leaves();
  const inner = d.tensors.filter((t) =>
    t.dtype === "f32" && !outputs.includes(t) && !d.inputs.includes(t)
  );
  if (inner.length > 0 && rng.chance(0.3)) outputs.push(rng.pick(inner));
  return {
    model: d.toModel(name, outputs),
    inputs: d.inputs.map((t) => ({ name: t.name, shape: t.shape })),
    ops: d.nodes.map((n) => n.opType),
    upstream: Object.fromEntries(outputs.map((t) => [t.name, upstreamOps(d, t.name)])),
  };
}

/** Operator types of the nodes `tensor` depends on, sorted and without repeats. */
function upstreamOps(d: Draft, tensor: string): string[] {
  const producer = new Map<string, NodeSpec>();
  for (const n of d.nodes) for (const o of n.outputs) producer.set(o, n);
  const seen = new Set<NodeSpec>();
  const types = new Set<string>();
  const stack = [tensor];
  while (stack.length > 0) {
    const n = producer.get(stack.pop()!);
    if (!n || seen.has(n)) continue;
    seen.add(n);
    types.add(n.opType);
    stack.push(...n.inputs);
  }
  return [...types].sort();
}

function sameShape(a: DraftTensor, b: DraftTensor): boolean {
  return a.shape.length === b.shape.length && a.shape.every((n, i) => n === b.shape[i]);
}

function fuseTail(d: Draft, tensor: string, op: string): void {
  const t = d.tensors.find((x) => x.name === tensor)!;
  if (op === "Relu") {
    d.node("Relu", [t], [{ shape: t.shape }]);
    return;
  }
  d.node("Clip", [t.name, d.floats([0], []), d.floats([6], [])], [{ shape: t.shape }]);
}
