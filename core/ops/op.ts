/**
 * The operator contract: one definition per ONNX operator with attribute parsing,
 * shape/type inference and a float reference kernel. Definitions are plain objects;
 * {@linkcode defineOp} erases the attribute type so a registry can hold them all.
 *
 * @module
 */
import { type AttrReader, attrReader } from "../ir/attribute.ts";
import { type Graph, type Node, nodeLabel } from "../ir/graph.ts";
import { normalizeDomain } from "../ir/opset.ts";
import { GraphError, KernelError } from "../errors/mod.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { TensorType, ValueType } from "../ir/types.ts";
import type { Epilogue, EpilogueKind } from "./epilogue.ts";
import { isTensor, type Value, valueKind } from "../ir/value.ts";

/** What attribute parsing knows about the node. */
export interface ParseContext {
  /** Opset version of the operator's domain in the model. */
  readonly opset: number;
  /** The node being parsed, inferred or run. */
  readonly node: Node;
}

/** What shape inference sees. */
export interface InferContext extends ParseContext {
  /** Input types; undefined for an omitted optional input or an unknown type. */
  readonly inputTypes: readonly (TensorType | undefined)[];
  /** The value of input `i` when it is a constant (initializer or folded), else undefined. */
  constantInput(i: number): Tensor | undefined;
}

/** What shape inference sees for operators that take or return non-tensor values. */
export interface ValueInferContext extends ParseContext {
  /** Input types (tensor, sequence or optional); undefined when omitted or unknown. */
  readonly inputTypes: readonly (ValueType | undefined)[];
  /** The value of input `i` when it is a constant tensor, else undefined. */
  constantInput(i: number): Tensor | undefined;
}

/** What a kernel may call while running. */
export interface KernelContext extends ParseContext {
  /**
   * Run a nested graph (If/Loop/Scan/SequenceMap body). `feeds` binds the body's formal
   * inputs by name; names the body captures from enclosing scopes resolve automatically.
   * Returns the body outputs in declaration order.
   */
  runSubgraph(graph: Graph, feeds: ReadonlyMap<string, Value>): Value[];
  /**
   * True when input `i` is an initializer of the running graph (the same tensor on every
   * run, never modified), so a kernel may keep a prepared form of it, such as packed
   * weights. Absent or false: the input may differ from run to run.
   */
  isConstantInput?(i: number): boolean;
}

/** One operator: typed attributes `A`. */
export interface OpDef<A> {
  /** ONNX op type, e.g. `Conv`. */
  readonly opType: string;
  /** Domain; omitted or "" = ai.onnx. */
  readonly domain?: string;
  /**
   * Parse attributes (and opset-dependent behaviour) once per node. Throw
   * {@linkcode UnsupportedOpError} for variants the kernel does not implement.
   */
  parse(attrs: AttrReader, ctx: ParseContext): A;
  /** Output types from input types (symbolic dims allowed). */
  infer(ctx: InferContext, attrs: A): (TensorType | undefined)[];
  /** Float reference computation. Inputs are never mutated. */
  run(inputs: readonly (Tensor | undefined)[], attrs: A, ctx: KernelContext): Tensor[];
  /** The epilogue kinds {@linkcode OpDef.runEpilogue} may apply. */
  readonly absorbs?: readonly EpilogueKind[];
  /**
   * `run` with an epilogue applied to output 0 (the bits the epilogue's node would
   * give), or undefined when this call does not fuse it; lets the executor skip a
   * node that alone consumes the output without the output's round trip
   * through a second kernel.
   */
  runEpilogue?(
    inputs: readonly (Tensor | undefined)[],
    attrs: A,
    ctx: KernelContext,
    epilogue: Epilogue,
  ): Tensor[] | undefined;
}

/**
 * An operator over any values (sequences, optionals, tensors): the sequence and optional
 * operators and control flow whose bodies may carry such values.
 */
export interface ValueOpDef<A> {
  /** ONNX op type, e.g. `SequenceInsert`. */
  readonly opType: string;
  /** Domain; omitted or "" = ai.onnx. */
  readonly domain?: string;
  /** Parse attributes once per node (as {@linkcode OpDef.parse}). */
  parse(attrs: AttrReader, ctx: ParseContext): A;
  /** Output types from input types of any kind. */
  infer(ctx: ValueInferContext, attrs: A): (ValueType | undefined)[];
  /** Float reference computation over values. Inputs are never mutated. */
  run(inputs: readonly (Value | undefined)[], attrs: A, ctx: KernelContext): Value[];
}

/** The value-level side of a prepared node (present for {@linkcode defineValueOp} ops). */
export interface ValueKernel {
  /** Output types from input types of any kind. */
  infer(ctx: ValueInferContext): (ValueType | undefined)[];
  /** Run over values of any kind. */
  run(inputs: readonly (Value | undefined)[], ctx: KernelContext): Value[];
}

/** A node bound to its parsed attributes. */
export interface PreparedNode {
  /** The node whose attributes were parsed. */
  readonly node: Node;
  /** Output types from input types, using the parsed attributes. */
  infer(ctx: InferContext): (TensorType | undefined)[];
  /** Run the float reference kernel with the parsed attributes. */
  run(inputs: readonly (Tensor | undefined)[], ctx: KernelContext): Tensor[];
  /** {@linkcode OpDef.absorbs}, for operators that have it. */
  readonly absorbs?: readonly EpilogueKind[];
  /** {@linkcode OpDef.runEpilogue} with the parsed attributes, for operators that have it. */
  runEpilogue?(
    inputs: readonly (Tensor | undefined)[],
    ctx: KernelContext,
    epilogue: Epilogue,
  ): Tensor[] | undefined;
  /**
   * The kernel over sequences and optionals, for operators that take or return them;
   * absent for tensor-only operators (see {@linkcode runPrepared}).
   */
  readonly values?: ValueKernel;
}

/** A registered operator, attribute type erased. */
export interface RegisteredOp {
  /** ONNX op type, e.g. `Conv`. */
  readonly opType: string;
  /** Domain as given by the definition; "" = ai.onnx. */
  readonly domain: string;
  /** Parse a node's attributes once and bind them into a {@linkcode PreparedNode}. */
  prepare(attrs: AttrReader, ctx: ParseContext): PreparedNode;
}

/**
 * A registered operator that still knows its attribute type: passes, legality and the
 * quantizer read a node's attributes through its `parse` (see {@linkcode parseNodeAttrs}),
 * so they see exactly what the kernel sees.
 */
export interface TypedOp<A> extends RegisteredOp {
  /** The definition's attribute parser (what `prepare` binds). */
  parse(attrs: AttrReader, ctx: ParseContext): A;
}

/** Wrap a typed definition for the registry; the result keeps the typed parser. */
export function defineOp<A>(def: OpDef<A>): TypedOp<A> {
  return {
    opType: def.opType,
    domain: def.domain ?? "",
    parse: (reader, ctx) => def.parse(reader, ctx),
    prepare(reader, ctx) {
      const attrs = def.parse(reader, ctx);
      const runEpilogue = def.runEpilogue;
      return {
        node: ctx.node,
        infer: (ictx) => def.infer(ictx, attrs),
        run: (inputs, kctx) => def.run(inputs, attrs, kctx),
        absorbs: def.absorbs,
        runEpilogue: runEpilogue && ((inputs, kctx, e) => runEpilogue(inputs, attrs, kctx, e)),
      };
    },
  };
}

/**
 * Wrap a definition over values for the registry. Its tensor-level `run`/`infer` (what
 * folding and the emulator call) accept tensors only and refuse non-tensor results; the
 * executor and shape inference use the value-level side.
 */
export function defineValueOp<A>(def: ValueOpDef<A>): TypedOp<A> {
  return {
    opType: def.opType,
    domain: def.domain ?? "",
    parse: (reader, ctx) => def.parse(reader, ctx),
    prepare(reader, ctx) {
      const attrs = def.parse(reader, ctx);
      const values: ValueKernel = {
        infer: (ictx) => def.infer(ictx, attrs),
        run: (inputs, kctx) => def.run(inputs, attrs, kctx),
      };
      return {
        node: ctx.node,
        values,
        infer: (ictx) =>
          def.infer(ictx, attrs).map((t) => (t === undefined || "kind" in t ? undefined : t)),
        run: (inputs, kctx) => tensorOutputs(def.run(inputs, attrs, kctx), ctx.node),
      };
    },
  };
}

/**
 * Run a prepared node over values: through its value-level kernel when it has one,
 * otherwise through the tensor kernel after checking every input is a tensor.
 *
 * @throws {KernelError} naming the node and input when a tensor operator gets a
 *   sequence or an optional
 */
export function runPrepared(
  step: PreparedNode,
  inputs: readonly (Value | undefined)[],
  ctx: KernelContext,
): Value[] {
  if (step.values) return step.values.run(inputs, ctx);
  return step.run(tensorInputs(inputs, step.node), ctx);
}

/**
 * Run a prepared node with an epilogue applied to its output 0
 * ({@linkcode OpDef.runEpilogue}), or undefined when its kernel does not fuse this one
 * for these inputs.
 */
export function runPreparedEpilogue(
  step: PreparedNode,
  inputs: readonly (Value | undefined)[],
  ctx: KernelContext,
  epilogue: Epilogue,
): Tensor[] | undefined {
  return step.runEpilogue?.(tensorInputs(inputs, step.node), ctx, epilogue);
}

/** Output types of a prepared node from input types of any kind. */
export function inferPrepared(
  step: PreparedNode,
  ctx: ValueInferContext,
): (ValueType | undefined)[] {
  if (step.values) return step.values.infer(ctx);
  const inputTypes = ctx.inputTypes.map((t) => (t === undefined || "kind" in t ? undefined : t));
  return step.infer({ ...ctx, inputTypes });
}

/** The inputs of a tensor operator, or an error naming the node and the first non-tensor. */
function tensorInputs(inputs: readonly (Value | undefined)[], node: Node): (Tensor | undefined)[] {
  return inputs.map((v, i) => {
    if (v === undefined || isTensor(v)) return v;
    throw new KernelError(
      `Node "${nodeLabel(node)}" (${node.opType}): input ${i} "${node.inputs[i] ?? ""}" is a ${
        valueKind(v)
      }, but ${node.opType} takes tensors only`,
    );
  });
}

/** Outputs seen through the tensor view, or an error naming the first non-tensor. */
function tensorOutputs(outputs: readonly Value[], node: Node): Tensor[] {
  return outputs.map((v, i) => {
    if (isTensor(v)) return v;
    throw new KernelError(
      `Node "${nodeLabel(node)}" (${node.opType}): output ${i} "${node.outputs[i] ?? ""}" is a ${
        valueKind(v)
      }, which only the executor's value path (Executor.runValues, runPrepared) carries`,
    );
  });
}

/**
 * The attributes of `node` as `op`'s typed parser reads them under operator-set `opset`
 * (take it from `opsetOf(model, node.domain)` or the legality context). Errors name the
 * node.
 *
 * @throws {GraphError} when `node` is not an `op` node (a caller bug)
 * @throws {KernelError} when an attribute is malformed (wrong kind, bad value)
 * @throws {UnsupportedOpError} when the attributes select a variant axb does not implement
 */
export function parseNodeAttrs<A>(op: TypedOp<A>, node: Node, opset: number): A {
  if (node.opType !== op.opType) {
    throw new GraphError(
      `Node "${
        nodeLabel(node)
      }" is a ${node.opType}, not a ${op.opType}; its attributes need its own parser`,
    );
  }
  return op.parse(attrReader(node.attrs, nodeLabel(node), node.opType), { opset, node });
}

/**
 * Parse `node`'s attributes once with `op` under operator-set `opset` and bind the kernel.
 *
 * @throws {KernelError} when an attribute is malformed
 * @throws {UnsupportedOpError} when the attributes select a variant axb does not implement
 */
export function prepareNode(op: RegisteredOp, node: Node, opset: number): PreparedNode {
  return op.prepare(attrReader(node.attrs, nodeLabel(node), node.opType), { opset, node });
}

export { normalizeDomain };

/** Registry of operators by domain and op type. Built by the caller, passed down. */
export class OpRegistry {
  readonly #ops = new Map<string, RegisteredOp>();

  /** A registry holding `ops` (a later op replaces an earlier one with the same key). */
  constructor(ops: Iterable<RegisteredOp> = []) {
    for (const op of ops) this.add(op);
  }

  /** Register `op`, replacing any op with the same domain and op type. */
  add(op: RegisteredOp): void {
    this.#ops.set(`${normalizeDomain(op.domain)}::${op.opType}`, op);
  }

  /** The op for `domain` ("ai.onnx" and "" are the same) and `opType`, or undefined. */
  get(domain: string, opType: string): RegisteredOp | undefined {
    return this.#ops.get(`${normalizeDomain(domain)}::${opType}`);
  }

  /** True when an op is registered for `domain` and `opType`. */
  has(domain: string, opType: string): boolean {
    return this.get(domain, opType) !== undefined;
  }

  /** All op types, sorted, as `domain::Op` for non-default domains. */
  list(): string[] {
    return [...this.#ops.values()].map((o) => o.domain ? `${o.domain}::${o.opType}` : o.opType)
      .sort();
  }
}
