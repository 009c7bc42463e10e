/**
 * Splice a copy of a subgraph (an If branch, one Loop iteration) into its enclosing graph:
 * the body's formal inputs read given outer values, every value the body defines gets a
 * name fresh in the model, and the body's outputs land on given names.
 *
 * @module
 */
import type { Graph, Node } from "../ir/graph.ts";
import { cloneGraph, cloneNode } from "../ir/clone.ts";
import type { NameScope } from "../ir/names.ts";
import type { Tensor } from "../ir/tensor.ts";

/** Where the copy's inputs come from and where its outputs go. */
export interface BodyBinding {
  /** Outer value name for each body input, by position ("" leaves it unbound). */
  readonly inputs: readonly string[];
  /**
   * Target name for each body output, by position; "" lets the copy pick a fresh name
   * (read it from the result).
   */
  readonly outputs: readonly string[];
  /** Prefix of the names of copied nodes (`If_3/then`), so they stay traceable. */
  readonly prefix: string;
}

/** The nodes and initializers of a copied body, and the names its outputs landed on. */
export interface InlinedBody {
  readonly nodes: Node[];
  readonly initializers: Map<string, Tensor>;
  readonly outputs: string[];
}

/**
 * Copy `body` for splicing under `binding`. Names the body defines (node outputs,
 * initializers) are renamed through `scope`; captured outer names are kept. Nested
 * subgraphs keep their own definitions and see the renamed captures.
 */
export function inlineBody(body: Graph, binding: BodyBinding, scope: NameScope): InlinedBody {
  const rename = new Map<string, string>();
  body.inputs.forEach((v, i) => {
    const outer = binding.inputs[i];
    if (outer) rename.set(v.name, outer);
  });
  // A body output that a body node produces and that is listed once among the outputs is
  // written straight to its target name.
  const direct = new Map<string, string>();
  const produced = new Set(body.nodes.flatMap((n) => n.outputs).filter((o) => o !== ""));
  body.outputs.forEach((v, k) => {
    const target = binding.outputs[k];
    if (!target || !produced.has(v.name) || direct.has(v.name)) return;
    if (body.outputs.some((w, j) => j !== k && w.name === v.name)) return;
    direct.set(v.name, target);
  });
  const initializers = new Map<string, Tensor>();
  for (const [name, t] of body.initializers) {
    if (rename.has(name)) continue;
    const fresh = scope.fresh(name);
    rename.set(name, fresh);
    initializers.set(fresh, t);
  }
  for (const n of body.nodes) {
    for (const o of n.outputs) if (o) rename.set(o, direct.get(o) ?? scope.fresh(o));
  }
  const nodes = body.nodes.map((n) => {
    const c = cloneNode(n);
    c.name = scope.fresh(`${binding.prefix}/${n.name || n.opType}`);
    c.inputs = c.inputs.map((i) => (i ? rename.get(i) ?? i : i));
    c.outputs = c.outputs.map((o) => (o ? rename.get(o) ?? o : o));
    for (const [key, a] of c.attrs) {
      if (a.kind === "graph") {
        c.attrs.set(key, { kind: "graph", value: renamedCaptures(a.value, rename) });
      } else if (a.kind === "graphs") {
        c.attrs.set(key, { kind: "graphs", value: a.value.map((g) => renamedCaptures(g, rename)) });
      }
    }
    return c;
  });
  const outputs = body.outputs.map((v, k) => {
    const source = rename.get(v.name) ?? v.name;
    const target = binding.outputs[k];
    if (!target || source === target) return source;
    nodes.push({
      name: scope.fresh(`${binding.prefix}/output_${k}`),
      opType: "Identity",
      domain: "",
      inputs: [source],
      outputs: [target],
      attrs: new Map(),
    });
    return target;
  });
  return { nodes, initializers, outputs };
}

/**
 * A copy of nested graph `g` whose reads of names in `rename` (captures from the body
 * being inlined) follow the renaming; names `g` defines itself shadow the map.
 */
function renamedCaptures(g: Graph, rename: ReadonlyMap<string, string>): Graph {
  const own = new Set<string>([
    ...g.inputs.map((v) => v.name),
    ...g.initializers.keys(),
    ...g.nodes.flatMap((n) => n.outputs),
  ]);
  const visible = new Map([...rename].filter(([k]) => !own.has(k)));
  if (visible.size === 0) return g;
  const copy = cloneGraph(g);
  copy.nodes = copy.nodes.map((c) => {
    c.inputs = c.inputs.map((i) => (i ? visible.get(i) ?? i : i));
    for (const [key, a] of c.attrs) {
      if (a.kind === "graph") {
        c.attrs.set(key, { kind: "graph", value: renamedCaptures(a.value, visible) });
      } else if (a.kind === "graphs") {
        c.attrs.set(key, {
          kind: "graphs",
          value: a.value.map((s) => renamedCaptures(s, visible)),
        });
      }
    }
    return c;
  });
  copy.outputs = g.outputs.map((v) => ({ ...v, name: visible.get(v.name) ?? v.name }));
  return copy;
}
