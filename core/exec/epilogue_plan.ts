/**
 * Which node after a kernel can run as that kernel's epilogue: the one table of fusable
 * consumers (elementwise, and a last-axis Softmax; see {@linkcode Epilogue}), and the
 * plan of a graph's epilogues (a bias Add followed by an exact Gelu fuses as one).
 *
 * A consumer qualifies only when everything but the kernel's output is a constant the
 * plan can read now: Clip bounds from attributes or float32-exact scalar initializers,
 * an Add's bias an initializer of float32 values that varies only along the last axis.
 * A Softmax carries its axis; the kernel fuses it only along its output's last axis.
 * Initializers that are also graph inputs can be fed, so they do not count.
 *
 * @module
 */
import { type Graph, type Node, nodeDependencies } from "../ir/graph.ts";
import { normalizeDomain } from "../ir/opset.ts";
import { readNumber, type Tensor } from "../ir/tensor.ts";
import type { Epilogue, EpilogueKind } from "../ops/epilogue.ts";
import { clip } from "../ops/elementwise/clip.ts";
import { gelu } from "../ops/elementwise/activations.ts";
import { softmax } from "../ops/reduce/softmax.ts";
import { parseNodeAttrs } from "../ops/op.ts";

/** Reads the epilogue a node `next` applies to the value `y`, or undefined. */
type EpilogueReader = (
  next: Node,
  y: string,
  graph: Graph,
  opset: number,
) => Epilogue | undefined;

/** A constant initializer (not overridable by a feed). */
function constant(graph: Graph, name: string | undefined): Tensor | undefined {
  if (!name || graph.inputs.some((v) => v.name === name)) return undefined;
  return graph.initializers.get(name);
}

/** A Clip bound: ±∞ when absent, undefined when not a float32-exact constant. */
function clipBound(graph: Graph, name: string | undefined, absent: number): number | undefined {
  if (!name) return absent;
  const t = constant(graph, name);
  if (!t || t.size !== 1 || t.dtype !== "f32") return undefined;
  return readNumber(t, 0);
}

const fromFloat = (v: number | undefined, absent: number) =>
  v === undefined ? absent : Math.fround(v) === v ? v : undefined;

/** The epilogue readers by op type (ai.onnx). */
const EPILOGUES: Readonly<Record<string, EpilogueReader>> = {
  Relu: (next, y) =>
    next.inputs.length === 1 && next.inputs[0] === y ? { kind: "relu" } : undefined,
  Clip(next, y, graph, opset) {
    if (next.inputs[0] !== y) return undefined;
    const a = parseNodeAttrs(clip, next, opset);
    const lo = a.fromInputs
      ? clipBound(graph, next.inputs[1], -Infinity)
      : fromFloat(a.attrMin, -Infinity);
    const hi = a.fromInputs
      ? clipBound(graph, next.inputs[2], Infinity)
      : fromFloat(a.attrMax, Infinity);
    return lo === undefined || hi === undefined ? undefined : { kind: "clip", lo, hi };
  },
  Add(next, y, graph) {
    if (next.inputs.length !== 2) return undefined;
    const k = next.inputs.indexOf(y);
    if (k < 0) return undefined;
    const b = constant(graph, next.inputs[1 - k]);
    if (!b || !b.is("f32") || b.rank === 0) return undefined;
    if (b.shape.some((d, i) => i < b.rank - 1 && d !== 1)) return undefined;
    return { kind: "bias", bias: b.data, rank: b.rank };
  },
  Softmax(next, y, _graph, opset) {
    if (next.inputs[0] !== y) return undefined;
    return { kind: "softmax", axis: parseNodeAttrs(softmax, next, opset).axis };
  },
};

/**
 * The epilogue `next` would apply to the value `y`, when `next` is an ai.onnx node of
 * the table whose other operands are constants; undefined otherwise.
 */
export function epilogueOf(
  next: Node,
  y: string,
  graph: Graph,
  opset: number,
): Epilogue | undefined {
  if (normalizeDomain(next.domain) !== "" || !next.outputs[0]) return undefined;
  const reader = Object.hasOwn(EPILOGUES, next.opType) ? EPILOGUES[next.opType] : undefined;
  return reader?.(next, y, graph, opset);
}

/**
 * True when `next` is an exact Gelu (`approximate="none"`) of `z` alone: ai.onnx's, or
 * the `com.microsoft` one the frontend fuses below opset 20 (the same kernel).
 */
function isExactGelu(next: Node, z: string, opset: number): boolean {
  const domain = normalizeDomain(next.domain);
  if (next.opType !== "Gelu" || (domain !== "" && domain !== "com.microsoft")) return false;
  if (next.inputs.length !== 1 || next.inputs[0] !== z || !next.outputs[0]) return false;
  return !parseNodeAttrs(gelu, next, opset).tanh;
}

/** B of `next` when it is an ai.onnx MatMul of `z` (as A) by another value, else undefined. */
function scoresTimes(next: Node, z: string): string | undefined {
  if (next.opType !== "MatMul" || normalizeDomain(next.domain) !== "") return undefined;
  const [a, b] = next.inputs;
  return next.inputs.length === 2 && a === z && b && b !== z && next.outputs[0] ? b : undefined;
}

/**
 * For each node of `order` (a graph's nodes in execution order), the epilogue its kernel
 * applies in place of the node(s) right after it, or undefined: the next node must be
 * the only reader of the kernel's single output, which is no graph output, and its
 * epilogue a kind the kernel absorbs (`absorbs[i]`). A `bias` Add whose output feeds
 * only an exact Gelu right after it, under the same conditions, becomes `bias-gelu`
 * where the kernel absorbs that; a `softmax` whose output only a MatMul right after it
 * reads, as A, by a value already computed, becomes `softmax-matmul`.
 */
export function planEpilogues(
  graph: Graph,
  order: readonly Node[],
  absorbs: readonly (readonly EpilogueKind[] | undefined)[],
  opsetOf: (domain: string) => number,
): (Epilogue | undefined)[] {
  const readers = new Map<string, number>();
  for (const node of order) {
    for (const d of new Set(nodeDependencies(node))) readers.set(d, (readers.get(d) ?? 0) + 1);
  }
  const outputs = new Set(graph.outputs.map((o) => o.name));
  /** The single output of `node`, when one node alone reads it and it is no graph output. */
  const passedOn = (node: Node): string | undefined => {
    const y = node.outputs[0];
    return node.outputs.length === 1 && y && readers.get(y) === 1 && !outputs.has(y)
      ? y
      : undefined;
  };
  return order.map((node, i) => {
    const kinds = absorbs[i];
    const next = order[i + 1];
    const y = passedOn(node);
    if (!kinds || next === undefined || y === undefined) return undefined;
    const e = epilogueOf(next, y, graph, opsetOf(next.domain));
    if (e?.kind === "softmax" && kinds.includes("softmax-matmul")) {
      const after = order[i + 2];
      const z = passedOn(next);
      const operand = after && z ? scoresTimes(after, z) : undefined;
      // the operand exists before this step runs: in a topological order its producer
      // comes before `after`, and it is neither this step's output (only the Softmax
      // reads that) nor the Softmax's (`scoresTimes` refuses z)
      if (operand !== undefined) return { kind: "softmax-matmul", axis: e.axis, operand };
    }
    if (e?.kind === "bias" && kinds.includes("bias-gelu")) {
      const after = order[i + 2];
      const z = passedOn(next);
      if (after && z && isExactGelu(after, z, opsetOf(after.domain))) {
        return { kind: "bias-gelu", bias: e.bias, rank: e.rank };
      }
    }
    return e && kinds.includes(e.kind) ? e : undefined;
  });
}
