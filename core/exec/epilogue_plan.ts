/**
 * Which node after a kernel can run as that kernel's epilogue: the one table of fusable
 * consumers (elementwise, and a last-axis Softmax; see {@linkcode Epilogue}).
 *
 * A consumer qualifies only when everything but the kernel's output is a constant the
 * plan can read now: Clip bounds from attributes or float32-exact scalar initializers,
 * an Add's bias an initializer of float32 values that varies only along the last axis.
 * A Softmax carries its axis; the kernel fuses it only along its output's last axis.
 * Initializers that are also graph inputs can be fed, so they do not count.
 *
 * @module
 */
import type { Graph, Node } from "../ir/graph.ts";
import { normalizeDomain } from "../ir/opset.ts";
import { readNumber, type Tensor } from "../ir/tensor.ts";
import type { Epilogue } from "../ops/epilogue.ts";
import { clip } from "../ops/elementwise/clip.ts";
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
