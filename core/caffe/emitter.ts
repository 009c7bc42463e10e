/**
 * Builds the IR graph node by node while the converter walks the Caffe layers, and infers
 * each node's output type as it is added (through the operator registry, the same
 * inference the rest of axb uses), so a layer converter can read the static shape of any
 * value it consumes and a shape error names the Caffe layer that caused it.
 *
 * @module
 */
import { type Attribute, attrReader } from "../ir/attribute.ts";
import { Graph, type Node } from "../ir/graph.ts";
import { f32, s64, type Tensor } from "../ir/tensor.ts";
import type { TensorType } from "../ir/types.ts";
import { isStaticShape } from "../ir/types.ts";
import type { OpRegistry } from "../ops/op.ts";
import { AxbError, ModelFormatError } from "../errors/mod.ts";

/** What one emitted node needs. */
export interface NodeSpec {
  /** ONNX operator type. */
  readonly op: string;
  /** Input value names ("" for an omitted optional input). */
  readonly inputs: readonly string[];
  /** Output value names. */
  readonly outputs: readonly string[];
  /** Node name (unique within the graph). */
  readonly name: string;
  /** Attributes by ONNX name. */
  readonly attrs?: Readonly<Record<string, Attribute>>;
  /** Operator domain; "" (ai.onnx) when omitted. */
  readonly domain?: string;
}

/** The operator set versions of the graphs the Caffe front-end writes. */
export const CAFFE_OPSETS: ReadonlyMap<string, number> = new Map([["", 13]]);

/** Graph under construction plus the type of every value so far. */
export class GraphEmitter {
  /** The graph being built. */
  readonly graph: Graph;
  readonly #registry: OpRegistry;
  readonly #types = new Map<string, TensorType>();
  readonly #names = new Set<string>();
  readonly #nodeNames = new Set<string>();
  readonly #domains = new Set<string>();

  /** An empty graph named `name`; `reserved` are value names kept for later use. */
  constructor(name: string, registry: OpRegistry, reserved: Iterable<string> = []) {
    this.graph = new Graph({ name: name || "caffe_net" });
    this.#registry = registry;
    for (const r of reserved) this.#names.add(r);
  }

  /** Domains of the custom operators used so far. */
  get customDomains(): ReadonlySet<string> {
    return this.#domains;
  }

  /** `base`, or `base_1`, `base_2`, … when a value of that name exists or is reserved. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.#names.has(name); i++) name = `${base}_${i}`;
    this.#names.add(name);
    return name;
  }

  /** Declare a float32 graph input. */
  input(name: string, shape: readonly number[]): void {
    this.#names.add(name);
    const type: TensorType = { dtype: "f32", shape };
    this.graph.inputs.push({ name, type });
    this.#types.set(name, type);
  }

  /** Add an initializer under a fresh name derived from `base`; returns that name. */
  constant(base: string, t: Tensor): string {
    const name = this.fresh(base);
    this.graph.initializers.set(name, t);
    this.#types.set(name, { dtype: t.dtype, shape: t.shape });
    return name;
  }

  /** A float32 initializer. */
  floats(base: string, shape: readonly number[], values: ArrayLike<number>): string {
    return this.constant(base, f32(shape, values));
  }

  /** An int64 initializer (shapes, axes, split sizes). */
  ints(base: string, values: readonly number[]): string {
    return this.constant(base, s64([values.length], values));
  }

  /** Inferred type of value `name`. */
  type(name: string): TensorType {
    const t = this.#types.get(name);
    if (!t) throw new AxbError("E_INTERNAL", `value "${name}" has no inferred type`, 1);
    return t;
  }

  /** Static shape of value `name`. */
  shape(name: string): number[] {
    const t = this.#types.get(name);
    if (!t || !isStaticShape(t.shape)) {
      throw new AxbError("E_INTERNAL", `value "${name}" has no static shape`, 1);
    }
    return [...t.shape];
  }

  /**
   * Append a node and infer its output types.
   *
   * @throws {ModelFormatError} naming `layerLabel` when inference rejects the node
   */
  node(spec: NodeSpec, layerLabel: string): void {
    let name = spec.name;
    for (let i = 1; this.#nodeNames.has(name); i++) name = `${spec.name}_${i}`;
    this.#nodeNames.add(name);
    for (const o of spec.outputs) this.#names.add(o);
    const domain = spec.domain ?? "";
    if (domain) this.#domains.add(domain);
    const node: Node = {
      name,
      opType: spec.op,
      domain,
      inputs: [...spec.inputs],
      outputs: [...spec.outputs],
      attrs: new Map(Object.entries(spec.attrs ?? {})),
    };
    this.graph.nodes.push(node);
    this.#infer(node, layerLabel);
  }

  #infer(node: Node, layerLabel: string): void {
    const op = this.#registry.get(node.domain, node.opType);
    if (!op) {
      throw new AxbError("E_INTERNAL", `no operator ${node.domain}::${node.opType}`, 1);
    }
    const opset = node.domain === "" ? CAFFE_OPSETS.get("")! : 1;
    try {
      const prepared = op.prepare(attrReader(node.attrs, node.name, node.opType), {
        opset,
        node,
      });
      const outTypes = prepared.infer({
        opset,
        node,
        inputTypes: node.inputs.map((i) => (i ? this.#types.get(i) : undefined)),
        constantInput: (i) => this.graph.initializers.get(node.inputs[i] ?? ""),
      });
      node.outputs.forEach((o, k) => {
        const t = outTypes[k];
        if (o && t) this.#types.set(o, t);
      });
    } catch (e) {
      if (e instanceof ModelFormatError) throw e;
      throw new ModelFormatError(
        `${layerLabel}: the converted ${node.opType} node does not fit its inputs (${
          e instanceof Error ? e.message : String(e)
        })`,
      );
    }
  }
}
