/**
 * fuse-gelu: replace the exact-erf GELU decomposition by one `Gelu` node.
 *
 * Before: `e = Erf(Div(x, 1.4142…))` (or `Erf(Mul(x, 0.7071…))`), `a = Add(e, 1)`,
 *         then `Mul(Mul(x, a), 0.5)`, `Mul(Mul(x, 0.5), a)` or `Mul(x, Mul(a, 0.5))`
 * After:  `y = Gelu(x)` in the `com.microsoft` domain (exact erf form). ONNX's own Gelu
 *         exists only from opset 20, and the frontend works at opset 13; onnxruntime
 *         implements `com.microsoft::Gelu` with the same semantics, so the optimized and
 *         quantized models stay runnable there.
 *
 * Math: GELU(x) = x · ½ · (1 + erf(x / √2)); the three association orders of the
 * product are equal up to float rounding.
 *
 * Preconditions: the constants are scalars (one element) equal to √2, 1/√2, 1 and ½
 * within a relative 1e-5; every intermediate value has exactly one consumer (two for x
 * is fine: x is outside the pattern) and is not a graph output. The fused node keeps the
 * last Mul's output name.
 *
 * @module
 */
import type { Graph, Model, Node } from "../ir/graph.ts";
import { NameScope } from "../ir/names.ts";
import { constantOf, isOp, near, replaceMatch, scalarOf, soleConsumer } from "./_graph_util.ts";
import { type Pass, passResult } from "./pass.ts";

/** Domain of the fused Gelu node. */
export const GELU_DOMAIN = "com.microsoft";

/** The other input of a binary node, given one of them. */
function otherInput(node: Node, known: string): string | undefined {
  if (node.inputs.length !== 2) return undefined;
  if (node.inputs[0] === known) return node.inputs[1];
  if (node.inputs[1] === known) return node.inputs[0];
  return undefined;
}

function isConst(g: Graph, name: string | undefined, value: number): boolean {
  return name !== undefined && near(scalarOf(constantOf(g, name)), value);
}

/** The x of `x / √2` or `x · (1/√2)`, given the node feeding Erf. */
function scaledInput(g: Graph, n: Node | undefined): string | undefined {
  if (isOp(n, "Div") && isConst(g, n.inputs[1], Math.SQRT2)) return n.inputs[0];
  if (isOp(n, "Mul")) {
    if (isConst(g, n.inputs[1], Math.SQRT1_2)) return n.inputs[0];
    if (isConst(g, n.inputs[0], Math.SQRT1_2)) return n.inputs[1];
  }
  return undefined;
}

interface Match {
  x: string;
  nodes: Node[];
  last: Node;
}

function match(
  g: Graph,
  erf: Node,
  producers: ReadonlyMap<string, Node>,
  consumers: ReadonlyMap<string, Node[]>,
): Match | undefined {
  const scale = producers.get(erf.inputs[0]);
  const x = scaledInput(g, scale);
  if (!x || !scale || soleConsumer(g, consumers, scale.outputs[0]) !== erf) return undefined;
  const add = soleConsumer(g, consumers, erf.outputs[0]);
  if (!isOp(add, "Add") || !isConst(g, otherInput(add, erf.outputs[0]), 1)) return undefined;
  const a = add.outputs[0];
  const m1 = soleConsumer(g, consumers, a);
  if (!isOp(m1, "Mul")) return undefined;
  const other = otherInput(m1, a);
  if (other === undefined) return undefined;
  const head = [scale, erf, add, m1];
  if (other === x) {
    // Mul(Mul(x, a), 0.5)
    const m2 = soleConsumer(g, consumers, m1.outputs[0]);
    if (!isOp(m2, "Mul") || !isConst(g, otherInput(m2, m1.outputs[0]), 0.5)) return undefined;
    return { x, nodes: [...head, m2], last: m2 };
  }
  if (isConst(g, other, 0.5)) {
    // Mul(x, Mul(a, 0.5))
    const m2 = soleConsumer(g, consumers, m1.outputs[0]);
    if (!isOp(m2, "Mul") || otherInput(m2, m1.outputs[0]) !== x) return undefined;
    return { x, nodes: [...head, m2], last: m2 };
  }
  // Mul(Mul(x, 0.5), a)
  const half = producers.get(other);
  if (!isOp(half, "Mul") || soleConsumer(g, consumers, other) !== m1) return undefined;
  if (!isConst(g, otherInput(half, x), 0.5)) return undefined;
  return { x, nodes: [half, ...head], last: m1 };
}

function fuse(model: Model): number {
  const g = model.graph;
  if (!g.nodes.some((n) => isOp(n, "Erf"))) return 0;
  const producers = g.producers();
  const consumers = g.consumers();
  const names = new NameScope(g);
  const drop = new Set<Node>();
  let count = 0;
  for (const erf of [...g.nodes]) {
    if (!isOp(erf, "Erf")) continue;
    const m = match(g, erf, producers, consumers);
    if (!m || m.nodes.some((n) => drop.has(n))) continue;
    const base = erf.name.replace(/\/Erf$/, "") || "gelu";
    const fused: Node = {
      name: names.fresh(`${base}/Gelu`),
      opType: "Gelu",
      domain: GELU_DOMAIN,
      inputs: [m.x],
      outputs: [m.last.outputs[0]],
      attrs: new Map(),
    };
    replaceMatch(g, m.nodes, m.last, fused, drop);
    count++;
  }
  if (drop.size) g.removeNodes(drop);
  return count;
}

/** The fuse-gelu pass. */
export const fuseGelu: Pass = {
  name: "fuse-gelu",
  description: "Fuse the x·½·(1+erf(x/√2)) decomposition into Gelu",
  run: (model) => {
    const count = fuse(model);
    if (count > 0 && !model.opsetImports.has(GELU_DOMAIN)) model.opsetImports.set(GELU_DOMAIN, 1);
    return passResult(count);
  },
};
