/**
 * simplify-sequences: resolve sequence and optional values whose contents are known in
 * the graph, so the tensors they carry flow straight to their users (PyTorch exports
 * branch results as `SequenceConstruct` read back by `SequenceAt`, and `Optional`
 * wrappers unwrapped again).
 *
 * Before: `s = SequenceConstruct(h, c)`, `h2 = SequenceAt(s, 0)`, `y = Relu(h2)`
 * After:  `y = Relu(h)` (and `s` removed once unused)
 *
 * Rewrites: SequenceAt(SequenceConstruct(x…), constant i) → x_i;
 * SequenceLength(SequenceConstruct(x…)) → constant; ConcatFromSequence(SequenceConstruct
 * (x…)) → Concat (after Unsqueeze with `new_axis`); OptionalGetElement(Optional(x)) → x;
 * OptionalHasElement(Optional(x)) → constant. A graph output keeps its name (an Identity
 * writes it).
 *
 * @module
 */
import type { Model, Node } from "../ir/graph.ts";
import { NameScope } from "../ir/names.ts";
import { opsetOf } from "../ir/opset.ts";
import { s64, scalar, type Tensor } from "../ir/tensor.ts";
import { constantOf, scalarOf } from "./_graph_util.ts";
import { type Pass, passResult } from "./pass.ts";

interface Rewrite {
  /** Nodes replacing the matched one (may be empty). */
  readonly nodes: Node[];
  /** New initializers. */
  readonly inits: Map<string, Tensor>;
  /** Output of the matched node → existing value it equals (uses are redirected). */
  readonly alias?: readonly [string, string];
}

function intAttr(node: Node, name: string, fallback: number): number {
  const a = node.attrs.get(name);
  return a?.kind === "int" ? a.value : fallback;
}

function producerOf(name: string, producers: Map<string, Node>, op: string) {
  const p = producers.get(name);
  return p && p.opType === op && p.domain === "" ? p : undefined;
}

function match(
  model: Model,
  node: Node,
  producers: Map<string, Node>,
  scope: NameScope,
): Rewrite | undefined {
  const g = model.graph;
  const out = node.outputs[0];
  if (!out || node.domain !== "") return undefined;
  const src = node.inputs[0] ?? "";
  switch (node.opType) {
    case "SequenceAt": {
      const seq = producerOf(src, producers, "SequenceConstruct");
      const i = scalarOf(constantOf(g, node.inputs[1] ?? ""));
      if (!seq || i === undefined) return undefined;
      const n = seq.inputs.length;
      if (i < -n || i >= n) return undefined;
      return { nodes: [], inits: new Map(), alias: [out, seq.inputs[i < 0 ? i + n : i]] };
    }
    case "SequenceLength": {
      const seq = producerOf(src, producers, "SequenceConstruct");
      if (!seq) return undefined;
      return { nodes: [], inits: new Map([[out, scalar("s64", BigInt(seq.inputs.length))]]) };
    }
    case "OptionalGetElement": {
      const opt = producerOf(src, producers, "Optional");
      if (!opt?.inputs[0]) return undefined;
      return { nodes: [], inits: new Map(), alias: [out, opt.inputs[0]] };
    }
    case "OptionalHasElement": {
      const opt = producerOf(src, producers, "Optional");
      if (!opt) return undefined;
      return { nodes: [], inits: new Map([[out, scalar("bool", opt.inputs[0] ? 1 : 0)]]) };
    }
    case "ConcatFromSequence": {
      const seq = producerOf(src, producers, "SequenceConstruct");
      if (!seq) return undefined;
      return concatRewrite(model, node, seq, scope);
    }
    default:
      return undefined;
  }
}

function concatRewrite(model: Model, node: Node, seq: Node, scope: NameScope): Rewrite {
  const axis = intAttr(node, "axis", 0);
  const newAxis = intAttr(node, "new_axis", 0) !== 0;
  const inits = new Map<string, Tensor>();
  const nodes: Node[] = [];
  let parts = seq.inputs;
  const base = node.name || "ConcatFromSequence";
  if (newAxis) {
    const opset = opsetOf(model, "");
    const axesName = opset >= 13 ? scope.fresh(`${base}/axes`) : "";
    if (axesName) inits.set(axesName, s64([1], [axis]));
    parts = seq.inputs.map((x, k) => {
      const y = scope.fresh(`${base}/unsqueezed_${k}`);
      nodes.push({
        name: scope.fresh(`${base}/unsqueeze_${k}`),
        opType: "Unsqueeze",
        domain: "",
        inputs: axesName ? [x, axesName] : [x],
        outputs: [y],
        attrs: axesName ? new Map() : new Map([["axes", { kind: "ints", value: [axis] }]]),
      });
      return y;
    });
  }
  nodes.push({
    name: scope.fresh(`${base}/concat`),
    opType: "Concat",
    domain: "",
    inputs: [...parts],
    outputs: [...node.outputs],
    attrs: new Map([["axis", { kind: "int", value: axis }]]),
  });
  return { nodes, inits };
}

function simplify(model: Model): number {
  const g = model.graph;
  const producers = g.producers();
  const scope = new NameScope(g);
  let count = 0;
  for (const node of [...g.nodes]) {
    const r = match(model, node, producers, scope);
    if (!r) continue;
    const at = g.nodes.indexOf(node);
    g.removeNodes([node]);
    const nodes = [...r.nodes];
    if (r.alias) {
      const [from, to] = r.alias;
      if (g.isOutput(from)) {
        nodes.push({
          name: scope.fresh(`${node.name || node.opType}/identity`),
          opType: "Identity",
          domain: "",
          inputs: [to],
          outputs: [from],
          attrs: new Map(),
        });
      } else g.replaceAllUses(from, to);
    }
    for (const [k, t] of r.inits) {
      if (g.isOutput(k)) {
        const c = scope.fresh(`${k}_value`);
        g.initializers.set(c, t);
        nodes.push({
          name: scope.fresh(`${node.name || node.opType}/identity`),
          opType: "Identity",
          domain: "",
          inputs: [c],
          outputs: [k],
          attrs: new Map(),
        });
      } else g.initializers.set(k, t);
    }
    g.addNodes(nodes, at);
    for (const n of nodes) for (const o of n.outputs) if (o) producers.set(o, n);
    g.valueInfo.delete(node.outputs[0]);
    count++;
  }
  return count;
}

/** The simplify-sequences pass. */
export const simplifySequences: Pass = {
  name: "simplify-sequences",
  description: "Read tensors straight out of SequenceConstruct/Optional values known in the graph",
  run: (model) => passResult(simplify(model)),
};
