/**
 * A model under construction for the differential generator: the float tensors made so far
 * (with their static shapes, which the recipes read to choose valid attributes), the nodes
 * and the constants. Activations are float32, except a comparison's or a logical
 * operator's bool result and an integer result (ArgMax's and TopK's int64 indices, a Cast
 * to an integer type), which the recipes turn back into float32 (Where, Cast) before a
 * graph output; shapes and indices are integer constants.
 *
 * @module
 */
import type { Attribute } from "../../ir/attribute.ts";
import { buildModel, type NodeSpec } from "../../ir/builder.ts";
import type { Model } from "../../ir/graph.ts";
import { f32, s64, type Tensor } from "../../ir/tensor.ts";
import type { Rng } from "../rng.ts";

/** A float tensor of the draft. */
export interface DraftTensor {
  readonly name: string;
  readonly shape: readonly number[];
  /** True when every value is > 0 (a guard for Sqrt, Log, Reciprocal). */
  readonly positive: boolean;
  /** A comparison's result is bool, an index or integer cast "int"; everything else f32. */
  readonly dtype: DraftDType;
}

/** Element types of draft tensors. */
export type DraftDType = "f32" | "bool" | "int";

/** The opset the generated models declare (onnxruntime-node 1.22 runs it). */
export const DRAFT_OPSET = 17;

/** A model being generated. */
export class Draft {
  readonly inputs: DraftTensor[] = [];
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Record<string, Tensor> = {};
  readonly #tensors: DraftTensor[] = [];
  readonly #uses = new Map<string, number>();

  constructor(readonly rng: Rng) {}

  /** Declare a graph input. */
  input(shape: readonly number[]): DraftTensor {
    const t: DraftTensor = {
      name: `in${this.inputs.length}`,
      shape: [...shape],
      positive: false,
      dtype: "f32",
    };
    this.inputs.push(t);
    this.#tensors.push(t);
    return t;
  }

  /** Every float tensor made so far. */
  get tensors(): readonly DraftTensor[] {
    return this.#tensors;
  }

  /** A random float tensor satisfying `fits`, preferring ones nothing reads yet. */
  pick(fits: (t: DraftTensor) => boolean): DraftTensor | undefined {
    const all = this.#tensors.filter((t) => t.dtype === "f32" && fits(t));
    if (all.length === 0) return undefined;
    const unused = all.filter((t) => !this.#uses.has(t.name));
    return this.rng.pick(unused.length > 0 && this.rng.chance(0.8) ? unused : all);
  }

  /** A float constant of `shape`, uniform in [lo, hi). */
  floatConst(shape: readonly number[], lo = -1, hi = 1): string {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.#constant(
      f32(shape, Array.from({ length: n }, () => lo + (hi - lo) * this.rng.float())),
    );
  }

  /** A float constant holding `values`. */
  floats(values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.#constant(f32(shape, values));
  }

  /** An int64 constant. */
  intConst(values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.#constant(s64(shape, values));
  }

  #constant(t: Tensor): string {
    const name = `c${Object.keys(this.initializers).length}`;
    this.initializers[name] = t;
    return name;
  }

  /**
   * Add a node reading `inputs` (tensor or constant names, "" for an absent optional
   * input) and making one float output per entry of `outputs`.
   */
  node(
    opType: string,
    inputs: readonly (DraftTensor | string)[],
    outputs: readonly {
      shape: readonly number[];
      positive?: boolean;
      dtype?: Exclude<DraftDType, "f32">;
    }[],
    attrs: Record<string, Attribute> = {},
  ): DraftTensor[] {
    const index = this.nodes.length;
    const names = inputs.map((i) => (typeof i === "string" ? i : i.name));
    for (const n of names) if (n !== "") this.#uses.set(n, (this.#uses.get(n) ?? 0) + 1);
    const made = outputs.map((o, k): DraftTensor => ({
      name: `t${index}_${k}`,
      shape: [...o.shape],
      positive: o.positive ?? false,
      dtype: o.dtype ?? "f32",
    }));
    this.nodes.push({
      opType,
      name: `${opType.toLowerCase()}_${index}`,
      inputs: names,
      outputs: made.map((t) => t.name),
      attrs,
    });
    this.#tensors.push(...made);
    return made;
  }

  /** Float tensors no node reads (the natural graph outputs). */
  leaves(): DraftTensor[] {
    return this.#tensors.filter((t) =>
      t.dtype === "f32" && !this.#uses.has(t.name) && !this.inputs.includes(t)
    );
  }

  /** Inputs no node reads. */
  unusedInputs(): DraftTensor[] {
    return this.inputs.filter((t) => !this.#uses.has(t.name));
  }

  /** The ONNX model whose outputs are `outputs`. */
  toModel(name: string, outputs: readonly DraftTensor[]): Model {
    return buildModel({
      name,
      opset: DRAFT_OPSET,
      inputs: this.inputs.map((t) => ({ name: t.name, dtype: "f32", shape: [...t.shape] })),
      outputs: outputs.map((t) => ({ name: t.name, dtype: "f32", shape: [...t.shape] })),
      nodes: this.nodes,
      initializers: this.initializers,
    });
  }
}
