/**
 * inline-control-flow: replace an `If` whose condition is constant by the taken branch,
 * and unroll a `Loop` whose trip count is a small constant, so later passes, the
 * quantizer and the NPU partition see the real operators.
 *
 * Before: `c = Equal(sr, 16000)` with `sr` pinned (const processor) and folded to a
 *         constant `c = true`; `h, seq = If(c) { then: LSTM …; else: LSTM … }`
 * After:  the then-branch's nodes in the main graph, writing `h` and `seq`
 *
 * Before: `v_out = Loop(M = 3, cond = "", v_0) { body(i, c, v) = (c, Add(v, v)) }`
 * After:  `v_1 = Add(v_0, v_0)`, `v_2 = Add(v_1, v_1)`, `v_out = Add(v_2, v_2)`
 *
 * A Loop unrolls when M is a constant of at most {@linkcode MAX_UNROLL_TRIPS}, the initial
 * condition is absent or constant true, and the body passes its condition through
 * unchanged (so every trip runs). Scan outputs are stacked with Unsqueeze + Concat.
 *
 * A node that stays gets a note ({@linkcode CONTROL_FLOW_NOTE} in its metadata) saying
 * why, which the placement table prints with the node's CPU reason.
 *
 * @module
 */
import { type Graph, type Model, type Node, nodeDependencies, nodeLabel } from "../ir/graph.ts";
import { NameScope } from "../ir/names.ts";
import { opsetOf } from "../ir/opset.ts";
import { s64, scalar, type Tensor } from "../ir/tensor.ts";
import { constantOf, scalarOf } from "./_graph_util.ts";
import { inlineBody } from "./_inline_body.ts";
import { type Pass, type PassContext, passResult } from "./pass.ts";

/** Metadata key of the note saying why a control-flow node was not inlined. */
export const CONTROL_FLOW_NOTE = "axb.control_flow";

/** Longest Loop (in trips) the pass unrolls. */
export const MAX_UNROLL_TRIPS = 64;

/** Largest number of nodes an unrolled Loop may add. */
export const MAX_UNROLL_NODES = 4096;

function graphAttr(node: Node, name: string): Graph | undefined {
  const a = node.attrs.get(name);
  return a?.kind === "graph" ? a.value : undefined;
}

/** Runtime graph inputs that `name` is computed from (through producers and captures). */
function runtimeRoots(g: Graph, name: string): string[] {
  const producers = g.producers();
  const runtime = new Set(g.runtimeInputs.map((v) => v.name));
  const seen = new Set<string>();
  const roots: string[] = [];
  const stack = [name];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    if (runtime.has(v)) roots.push(v);
    const p = producers.get(v);
    if (p) stack.push(...nodeDependencies(p));
  }
  return roots.sort();
}

function dependsOnText(g: Graph, name: string): string {
  const roots = runtimeRoots(g, name);
  if (roots.length === 0) return `"${name}" is computed at run time`;
  const list = roots.map((r) => `"${r}"`).join(", ");
  return `"${name}" depends on input${roots.length > 1 ? "s" : ""} ${list}; pin ${
    roots.length > 1 ? "them" : "it"
  } with a const processor (const_processors: name, data) to inline`;
}

function note(node: Node, text: string): void {
  if (node.metadata?.get(CONTROL_FLOW_NOTE) === text) return;
  node.metadata = new Map(node.metadata ?? []);
  node.metadata.set(CONTROL_FLOW_NOTE, text);
}

/** Put `spliced` where `node` was (removing `node`) and add its initializers. */
function splice(g: Graph, node: Node, nodes: Node[], inits: Map<string, Tensor>): void {
  const at = g.nodes.indexOf(node);
  g.removeNodes([node]);
  g.addNodes(nodes, at);
  for (const [k, t] of inits) g.initializers.set(k, t);
}

function inlineIf(model: Model, node: Node): boolean {
  const g = model.graph;
  const cond = scalarOf(constantOf(g, node.inputs[0] ?? ""));
  if (cond === undefined) {
    note(node, `If stays on the CPU: condition ${dependsOnText(g, node.inputs[0] ?? "")}`);
    return false;
  }
  const branch = graphAttr(node, cond !== 0 ? "then_branch" : "else_branch");
  if (!branch) return false;
  const at = g.nodes.indexOf(node);
  g.removeNodes([node]);
  const scope = new NameScope(g);
  g.addNodes([node], at);
  const body = inlineBody(branch, {
    inputs: [],
    outputs: node.outputs,
    prefix: `${nodeLabel(node)}/${cond !== 0 ? "then" : "else"}`,
  }, scope);
  splice(g, node, body.nodes, body.initializers);
  return true;
}

/** Why `node` (a Loop) cannot unroll, or its trip count. */
function loopTrips(g: Graph, node: Node, body: Graph): number | string {
  const trip = node.inputs[0] ? scalarOf(constantOf(g, node.inputs[0])) : undefined;
  if (trip === undefined) {
    return node.inputs[0]
      ? `trip count ${dependsOnText(g, node.inputs[0])}`
      : "it has no trip count (it runs until its condition turns false)";
  }
  if (trip > MAX_UNROLL_TRIPS) {
    return `trip count ${trip} exceeds the unroll limit ${MAX_UNROLL_TRIPS}`;
  }
  if (trip * body.nodes.length > MAX_UNROLL_NODES) {
    return `unrolling ${trip} trips of ${body.nodes.length} nodes exceeds ${MAX_UNROLL_NODES} nodes`;
  }
  if (node.inputs.slice(2).some((v) => v === "")) return "a loop-carried input is omitted";
  const init = node.inputs[1] ? scalarOf(constantOf(g, node.inputs[1])) : 1;
  if (init === undefined) return `initial condition ${dependsOnText(g, node.inputs[1])}`;
  if (init === 0) return "its initial condition is false";
  if (!passesConditionThrough(body)) return "its body computes the loop condition per trip";
  return trip;
}

/** True when the body's condition output is its condition input (maybe via Identity). */
function passesConditionThrough(body: Graph): boolean {
  const condIn = body.inputs[1]?.name;
  let out = body.outputs[0]?.name;
  const producers = body.producers();
  for (let hops = 0; out && hops < 8; hops++) {
    if (out === condIn) return true;
    const c = body.initializers.get(out);
    if (c) return scalarOf(c) === 1;
    const p = producers.get(out);
    if (!p || p.opType !== "Identity" || p.domain !== "") return false;
    out = p.inputs[0];
  }
  return false;
}

function unrollLoop(model: Model, node: Node): boolean {
  const g = model.graph;
  const body = graphAttr(node, "body");
  if (!body) return false;
  const trips = loopTrips(g, node, body);
  if (typeof trips === "string") {
    note(node, `Loop stays on the CPU: ${trips}`);
    return false;
  }
  if (trips === 0) {
    note(node, "Loop stays on the CPU: it runs zero trips");
    return false;
  }
  const n = node.inputs.length - 2;
  const k = body.outputs.length - 1 - n;
  const at = g.nodes.indexOf(node);
  g.removeNodes([node]);
  const scope = new NameScope(g);
  g.addNodes([node], at);
  const nodes: Node[] = [];
  const inits = new Map<string, Tensor>();
  const condName = scope.fresh(`${nodeLabel(node)}/cond`);
  inits.set(condName, scalar("bool", 1));
  let carried = node.inputs.slice(2);
  const scans: string[][] = Array.from({ length: k }, () => []);
  for (let t = 0; t < trips; t++) {
    const iterName = scope.fresh(`${nodeLabel(node)}/iter_${t}`);
    inits.set(iterName, scalar("s64", BigInt(t)));
    const last = t === trips - 1;
    const outputs = [
      "",
      ...Array.from({ length: n }, (_, i) => (last ? node.outputs[i] ?? "" : "")),
      ...Array.from({ length: k }, () => ""),
    ];
    const copy = inlineBody(body, {
      inputs: [iterName, condName, ...carried],
      outputs,
      prefix: `${nodeLabel(node)}/trip_${t}`,
    }, scope);
    nodes.push(...copy.nodes);
    for (const [name, v] of copy.initializers) inits.set(name, v);
    carried = copy.outputs.slice(1, 1 + n);
    copy.outputs.slice(1 + n).forEach((name, j) => scans[j].push(name));
  }
  const opset = opsetOf(model, "");
  scans.forEach((names, j) => {
    const target = node.outputs[n + j];
    if (target) {
      nodes.push(...stackNodes(names, target, `${nodeLabel(node)}/scan_${j}`, opset, scope, inits));
    }
  });
  splice(g, node, nodes, inits);
  return true;
}

/** Unsqueeze each per-trip value on axis 0 and Concat them into `target`. */
function stackNodes(
  names: readonly string[],
  target: string,
  prefix: string,
  opset: number,
  scope: NameScope,
  inits: Map<string, Tensor>,
): Node[] {
  const axesName = opset >= 13 ? scope.fresh(`${prefix}/axes`) : "";
  if (axesName) inits.set(axesName, s64([1], [0]));
  const nodes: Node[] = names.map((name, t) => ({
    name: scope.fresh(`${prefix}/unsqueeze_${t}`),
    opType: "Unsqueeze",
    domain: "",
    inputs: axesName ? [name, axesName] : [name],
    outputs: [scope.fresh(`${prefix}/slice_${t}`)],
    attrs: axesName ? new Map() : new Map([["axes", { kind: "ints", value: [0] }]]),
  }));
  nodes.push({
    name: scope.fresh(`${prefix}/concat`),
    opType: "Concat",
    domain: "",
    inputs: nodes.map((u) => u.outputs[0]),
    outputs: [target],
    attrs: new Map([["axis", { kind: "int", value: 0 }]]),
  });
  return nodes;
}

function inlineAll(model: Model, ctx: PassContext): number {
  let count = 0;
  for (const node of [...model.graph.nodes]) {
    if (node.domain !== "") continue;
    const done = node.opType === "If"
      ? inlineIf(model, node)
      : node.opType === "Loop"
      ? unrollLoop(model, node)
      : false;
    if (done) {
      count++;
      ctx.log?.debug(`inline-control-flow: inlined ${node.opType} "${nodeLabel(node)}"`);
    }
  }
  return count;
}

/** The inline-control-flow pass. */
export const inlineControlFlow: Pass = {
  name: "inline-control-flow",
  description: "Inline If nodes with a constant condition and unroll short constant Loops",
  run: (model, ctx) => passResult(inlineAll(model, ctx)),
};
