/**
 * Test support for the control, rnn and misc kernels: run one operator on tensors, and
 * a tiny graph interpreter that implements `runSubgraph` for If/Loop/Scan bodies.
 * Used only by `*_test.ts` files.
 *
 * @module
 */
import { type Attribute, attrReader } from "../../ir/attribute.ts";
import { Graph, type Node } from "../../ir/graph.ts";
import type { Tensor } from "../../ir/tensor.ts";
import type { Value } from "../../ir/value.ts";
import { type KernelContext, type RegisteredOp, runPrepared } from "../op.ts";
import { KernelError } from "../../errors/mod.ts";

/** Options of {@linkcode runOp}. */
export interface RunOpOptions {
  readonly attrs?: Record<string, Attribute>;
  readonly opset?: number;
  /** Number of node outputs; default 1. */
  readonly outputs?: number;
  /** Operators the subgraph interpreter may use. */
  readonly registry?: readonly RegisteredOp[];
}

/** Build a node for `op` with the given attributes. */
export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, Attribute> = {},
  domain = "",
): Node {
  return {
    name: `${opType}_0`,
    opType,
    domain,
    inputs,
    outputs,
    attrs: new Map(Object.entries(attrs)),
  };
}

/** Build a graph from nodes, input names and output names. */
export function makeGraph(nodes: Node[], inputs: string[], outputs: string[]): Graph {
  return new Graph({
    nodes,
    inputs: inputs.map((name) => ({ name })),
    outputs: outputs.map((name) => ({ name })),
  });
}

/** Run one operator on `inputs` (undefined = omitted optional input). */
export function runOp(
  op: RegisteredOp,
  inputs: (Tensor | undefined)[],
  opts: RunOpOptions = {},
): Tensor[] {
  return prepareOp(op, inputs, opts).run(inputs);
}

/** Run one operator over values of any kind (sequences, optionals, tensors). */
export function runValueOp(
  op: RegisteredOp,
  inputs: (Value | undefined)[],
  opts: RunOpOptions = {},
): Value[] {
  return prepareOp(op, inputs, opts).runValues(inputs);
}

function prepareOp(op: RegisteredOp, inputs: (Value | undefined)[], opts: RunOpOptions) {
  const node = makeNode(
    op.opType,
    inputs.map((t, i) => (t ? `in${i}` : "")),
    Array.from({ length: opts.outputs ?? 1 }, (_, i) => `out${i}`),
    opts.attrs,
    op.domain,
  );
  const opset = opts.opset ?? 21;
  const prepared = op.prepare(attrReader(node.attrs, node.name, node.opType), { opset, node });
  const ctx = kernelContext(node, opset, new Map(), opts.registry ?? []);
  return {
    run: (ins: (Tensor | undefined)[]) => prepared.run(ins, ctx),
    runValues: (ins: (Value | undefined)[]) => runPrepared(prepared, ins, ctx),
  };
}

function kernelContext(
  node: Node,
  opset: number,
  scope: ReadonlyMap<string, Value>,
  registry: readonly RegisteredOp[],
): KernelContext {
  return {
    opset,
    node,
    runSubgraph: (graph, feeds) => interpret(graph, new Map([...scope, ...feeds]), opset, registry),
  };
}

/** Evaluate `graph` in node order with `env` holding feeds and outer-scope values. */
function interpret(
  graph: Graph,
  env: Map<string, Value>,
  opset: number,
  registry: readonly RegisteredOp[],
): Value[] {
  for (const [k, v] of graph.initializers) env.set(k, v);
  for (const node of graph.nodes) {
    const op = registry.find((o) => o.opType === node.opType);
    if (!op) throw new KernelError(`test interpreter has no operator ${node.opType}`);
    const prepared = op.prepare(attrReader(node.attrs, node.name, node.opType), { opset, node });
    const ins = node.inputs.map((n) => (n ? env.get(n) : undefined));
    const outs = runPrepared(prepared, ins, kernelContext(node, opset, new Map(env), registry));
    node.outputs.forEach((n, i) => {
      if (n) env.set(n, outs[i]);
    });
  }
  return graph.outputs.map((o) => {
    const t = env.get(o.name);
    if (!t) throw new KernelError(`test interpreter: output ${o.name} was not produced`);
    return t;
  });
}
