/**
 * The graph IR: nodes over named values, initializers, graph inputs/outputs,
 * nested subgraphs in attributes, and use-def helpers.
 *
 * Values are identified by name, as in ONNX. An empty input name means an omitted
 * optional input. Graph input/output names are API: no method of {@linkcode Graph}
 * renames them (`replaceAllUses` leaves outputs alone, `renameValue` refuses them,
 * `detachOutput` hands an output name to a new producer).
 *
 * @module
 */
import type { Attribute } from "./attribute.ts";
import type { Tensor } from "./tensor.ts";
import type { ValueType } from "./types.ts";
import { GraphError } from "../errors/mod.ts";

/** A named, typed value at a graph boundary or in value_info. */
export interface ValueInfo {
  /** Value name, unique within the graph scope. */
  name: string;
  /** Tensor, sequence, optional or opaque type, or undefined when unknown. */
  type?: ValueType;
  /** Human-readable documentation carried from ONNX `doc_string`. */
  docString?: string;
}

/** One operator application. */
export interface Node {
  /** Node name, used in messages; may be "" in ONNX files. */
  name: string;
  /** Operator type, e.g. `"Conv"`. */
  opType: string;
  /** Operator domain; "" is the default ONNX domain (`ai.onnx`). */
  domain: string;
  /** Input value names in operator order; "" marks an omitted optional input. */
  inputs: string[];
  /** Output value names in operator order; "" marks an unused optional output. */
  outputs: string[];
  /** Attributes by ONNX attribute name. */
  attrs: Map<string, Attribute>;
  /** Human-readable documentation carried from ONNX `doc_string`. */
  docString?: string;
  /** Free-form metadata carried through save (ONNX metadata_props on nodes). */
  metadata?: Map<string, string>;
}

/** A (sub)graph. */
export class Graph {
  /** Graph name. */
  name: string;
  /** Nodes of this graph (not of nested subgraphs). */
  nodes: Node[];
  /** Declared graph inputs, in order; may also list initializer names. */
  inputs: ValueInfo[];
  /** Declared graph outputs, in order. */
  outputs: ValueInfo[];
  /** Constant tensors by value name. */
  initializers: Map<string, Tensor>;
  /** Types of intermediate values (ONNX value_info), by name. */
  valueInfo: Map<string, ValueInfo>;
  /** Human-readable documentation carried from ONNX `doc_string`. */
  docString?: string;
  /** Sparse initializers and other parts axb does not model, kept encoded for round trips. */
  opaque: { sparseInitializers: Uint8Array[]; quantizationAnnotation: Uint8Array[] };

  /** A graph with the given name (default `"graph"`), nodes, inputs and outputs, and nothing else. */
  constructor(init: Partial<Pick<Graph, "name" | "nodes" | "inputs" | "outputs">> = {}) {
    this.name = init.name ?? "graph";
    this.nodes = init.nodes ?? [];
    this.inputs = init.inputs ?? [];
    this.outputs = init.outputs ?? [];
    this.initializers = new Map();
    this.valueInfo = new Map();
    this.opaque = { sparseInitializers: [], quantizationAnnotation: [] };
  }

  /** Graph inputs that are not initializers (the ones a caller must feed). */
  get runtimeInputs(): ValueInfo[] {
    return this.inputs.filter((v) => !this.initializers.has(v.name));
  }

  /** Map from value name to the node producing it. */
  producers(): Map<string, Node> {
    const m = new Map<string, Node>();
    for (const n of this.nodes) for (const o of n.outputs) if (o) m.set(o, n);
    return m;
  }

  /** Map from value name to the nodes consuming it (within this graph level). */
  consumers(): Map<string, Node[]> {
    const m = new Map<string, Node[]>();
    for (const n of this.nodes) {
      for (const i of n.inputs) {
        if (!i) continue;
        const list = m.get(i);
        if (list) list.push(n);
        else m.set(i, [n]);
      }
    }
    return m;
  }

  /** True when `name` is one of the graph's declared inputs. */
  isInput(name: string): boolean {
    return this.inputs.some((v) => v.name === name);
  }

  /** True when `name` is one of the graph's declared outputs. */
  isOutput(name: string): boolean {
    return this.outputs.some((v) => v.name === name);
  }

  /** True when `name` is a graph input or output. */
  isBoundary(name: string): boolean {
    return this.isInput(name) || this.isOutput(name);
  }

  /**
   * Make every node that reads value `from` read `to` instead, including the nodes of
   * subgraphs that capture `from` from this graph. Graph inputs and outputs keep their
   * names: a graph output named `from` still names `from` (its producer stays), so two
   * API tensors are never merged. Returns the number of rewritten uses.
   */
  replaceAllUses(from: string, to: string): number {
    if (from === to) return 0;
    return replaceUses(this, from, to);
  }

  /**
   * Rename value `from`, produced by a node of this graph, to `to`: its producer's
   * output, every use (captures in subgraphs included) and its value_info entry. This is
   * how a new producer takes over a graph output: remove the old producer of output `y`,
   * then `renameValue(x, "y")` makes `x`'s producer write `y`.
   *
   * @throws {GraphError} when `from` is a graph input, output or initializer (those
   *   names are API), when no node produces it, or when `to` is already defined here
   */
  renameValue(from: string, to: string): void {
    if (this.isBoundary(from) || this.initializers.has(from)) {
      throw new GraphError(
        `Cannot rename "${from}" in graph "${this.name}": graph inputs, outputs and initializers keep their names`,
      );
    }
    this.#renameProduced(from, to);
  }

  /**
   * Rename the value behind graph output `name` to `to` (its producer, its uses and its
   * value_info), leaving the output name to a node the caller adds next, e.g. a
   * post-processing step that reads `to` and writes `name`. Returns `to`.
   *
   * @throws {GraphError} when `name` is not a graph output produced by a node of this
   *   graph, or when `to` is already defined here
   */
  detachOutput(name: string, to: string): string {
    if (!this.isOutput(name) || this.isInput(name) || this.initializers.has(name)) {
      throw new GraphError(
        `Cannot detach "${name}" in graph "${this.name}": it is not a graph output computed by a node`,
      );
    }
    this.#renameProduced(name, to);
    return to;
  }

  #renameProduced(from: string, to: string): void {
    const producer = this.nodes.find((n) => n.outputs.includes(from));
    if (!producer) {
      throw new GraphError(`Cannot rename "${from}" in graph "${this.name}": no node produces it`);
    }
    if (
      this.isInput(to) || this.initializers.has(to) ||
      this.nodes.some((n) => n.outputs.includes(to))
    ) {
      throw new GraphError(
        `Cannot rename "${from}" to "${to}" in graph "${this.name}": "${to}" is already defined`,
      );
    }
    producer.outputs = producer.outputs.map((o) => (o === from ? to : o));
    replaceUses(this, from, to);
    const info = this.valueInfo.get(from);
    if (info) {
      this.valueInfo.delete(from);
      this.valueInfo.set(to, { ...info, name: to });
    }
  }

  /** Insert `nodes` at position `index` of the node list (default: at the end). */
  addNodes(nodes: Iterable<Node>, index: number = this.nodes.length): void {
    this.nodes = [...this.nodes.slice(0, index), ...nodes, ...this.nodes.slice(index)];
  }

  /** Put `replacement` at the position of `node` (which must be a node of this graph). */
  replaceNode(node: Node, replacement: Node): void {
    const i = this.nodes.indexOf(node);
    if (i < 0) {
      throw new GraphError(
        `Cannot replace node "${nodeLabel(node)}": it is not a node of graph "${this.name}"`,
      );
    }
    this.nodes[i] = replacement;
  }

  /** Remove nodes (by identity). */
  removeNodes(nodes: Iterable<Node>): void {
    const drop = new Set(nodes);
    this.nodes = this.nodes.filter((n) => !drop.has(n));
  }

  /**
   * Nodes in an order where every producer precedes its consumers. Values defined
   * outside this graph (outer-scope names used by subgraphs) count as available.
   * Throws {@linkcode GraphError} on a cycle.
   */
  topologicalOrder(): Node[] {
    const producers = this.producers();
    const state = new Map<Node, 1 | 2>();
    const order: Node[] = [];
    const visit = (root: Node) => {
      const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
      state.set(root, 1);
      while (stack.length) {
        const top = stack[stack.length - 1];
        const deps = nodeDependencies(top.node);
        if (top.next < deps.length) {
          const name = deps[top.next++];
          const p = producers.get(name);
          if (!p || p === top.node) continue;
          const s = state.get(p);
          if (s === 1) {
            throw new GraphError(`Graph "${this.name}" has a cycle through value "${name}"`);
          }
          if (s === undefined) {
            state.set(p, 1);
            stack.push({ node: p, next: 0 });
          }
        } else {
          state.set(top.node, 2);
          order.push(top.node);
          stack.pop();
        }
      }
    };
    for (const n of this.nodes) if (!state.has(n)) visit(n);
    return order;
  }

  /** Sort `nodes` topologically in place. */
  sortTopologically(): void {
    this.nodes = this.topologicalOrder();
  }
}

/**
 * Every value a node reads: its inputs plus the outer-scope names its subgraph
 * attributes capture.
 */
export function nodeDependencies(node: Node): string[] {
  const deps = node.inputs.filter((i) => i !== "");
  for (const a of node.attrs.values()) {
    if (a.kind === "graph") deps.push(...outerScopeNames(a.value));
    else if (a.kind === "graphs") { for (const g of a.value) deps.push(...outerScopeNames(g)); }
  }
  return deps;
}

/** Display name of a node in messages: its name, or `(unnamed <opType>)` when it has none. */
export function nodeLabel(node: Node): string {
  return node.name || `(unnamed ${node.opType})`;
}

/** Names that subgraphs of `g`'s nodes read from `g`'s scope. */
export function capturedNames(g: Graph): Set<string> {
  const out = new Set<string>();
  for (const n of g.nodes) {
    for (const a of n.attrs.values()) {
      if (a.kind === "graph") { for (const x of outerScopeNames(a.value)) out.add(x); }
      else if (a.kind === "graphs") {
        for (const sub of a.value) for (const x of outerScopeNames(sub)) out.add(x);
      }
    }
  }
  return out;
}

/**
 * Point every node input `from` of `g` at `to`, and do the same inside subgraphs that
 * capture `from` (a body that defines its own `from` shadows it and is left alone). A
 * body output naming a captured `from` is a use too; `g`'s own outputs are not touched.
 */
function replaceUses(g: Graph, from: string, to: string): number {
  let count = 0;
  for (const n of g.nodes) {
    for (let i = 0; i < n.inputs.length; i++) {
      if (n.inputs[i] === from) {
        n.inputs[i] = to;
        count++;
      }
    }
    for (const a of n.attrs.values()) {
      const subs = a.kind === "graph" ? [a.value] : a.kind === "graphs" ? a.value : [];
      for (const sub of subs) {
        if (!definesLocally(sub, from)) count += replaceCaptured(sub, from, to);
      }
    }
  }
  return count;
}

function replaceCaptured(body: Graph, from: string, to: string): number {
  let count = replaceUses(body, from, to);
  for (let i = 0; i < body.outputs.length; i++) {
    if (body.outputs[i].name === from) {
      body.outputs[i] = { ...body.outputs[i], name: to };
      count++;
    }
  }
  return count;
}

function definesLocally(g: Graph, name: string): boolean {
  return g.isInput(name) || g.initializers.has(name) ||
    g.nodes.some((n) => n.outputs.includes(name));
}

/** Names a subgraph reads that it does not define itself (captured from outer scopes). */
export function outerScopeNames(g: Graph): string[] {
  const defined = new Set<string>();
  for (const v of g.inputs) defined.add(v.name);
  for (const k of g.initializers.keys()) defined.add(k);
  for (const n of g.nodes) for (const o of n.outputs) defined.add(o);
  const out = new Set<string>();
  for (const n of g.nodes) {
    for (const d of nodeDependencies(n)) if (!defined.has(d)) out.add(d);
  }
  for (const o of g.outputs) if (!defined.has(o.name)) out.add(o.name);
  return [...out];
}

/** An ONNX model: a graph plus its versioning and metadata. */
export interface Model {
  /** ONNX IR version (ModelProto.ir_version). */
  irVersion: number;
  /** Opset version per domain ("" = ai.onnx). */
  opsetImports: Map<string, number>;
  /** Name of the tool that produced the model ("" when unset). */
  producerName: string;
  /** Version of the producing tool ("" when unset). */
  producerVersion: string;
  /** Reverse-DNS model namespace (ModelProto.domain, "" when unset). */
  domain: string;
  /** Model version number (ModelProto.model_version, 0 when unset). */
  modelVersion: number;
  /** Human-readable documentation carried from ONNX `doc_string`. */
  docString: string;
  /** Model metadata key/value pairs (ModelProto.metadata_props). */
  metadataProps: Map<string, string>;
  /** The main graph. */
  graph: Graph;
  /** Model-local functions and training info, kept encoded for faithful round trips. */
  opaque: { functions: Uint8Array[]; trainingInfo: Uint8Array[] };
}
