/**
 * The model validator: what `onnx.checker` and onnxruntime refuse at load, checked on every
 * model axb loads so that no later stage meets an impossible graph.
 *
 * - IR version and opset ranges ({@linkcode checkIrVersion}, {@linkcode checkOpsetImport});
 * - a main graph with nodes and with outputs, each output listed once and defined;
 * - single assignment: every value is defined once (graph input, initializer or one node
 *   output), and every name a node reads is defined in its graph or an enclosing one;
 * - declared dims: integers in range, no negative dim anywhere, no empty main-graph input
 *   (unless allowed), main-graph inputs within the tensor size limit;
 * - attribute ranges (`validate_attrs.ts`) and input type agreement
 *   (`type_constraints.ts`) where the types are declared.
 *
 * @module
 */
import type { Graph, Model, Node, ValueInfo } from "../ir/graph.ts";
import type { DType } from "../ir/dtype.ts";
import { formatBytes, maxTensorBytes, tensorBytesOf } from "../ir/dtype.ts";
import type { TensorType } from "../ir/types.ts";
import { GraphError, LimitError, ModelFormatError } from "../errors/mod.ts";
import { checkNodeAttributes, MAX_DIM, MAX_RANK } from "./validate_attrs.ts";
import { checkInputTypes } from "./type_constraints.ts";

/** Newest ONNX IR version axb reads (ONNX 1.18; onnxruntime 1.22 reads the same). */
export const MAX_IR_VERSION = 11;

/** Newest default-domain opset axb reads (ONNX 1.18). */
export const MAX_ONNX_OPSET = 23;

/** Newest opset accepted for any other domain; real ones are single digits. */
export const MAX_OTHER_OPSET = 1000;

/** Options of {@linkcode validateModel}. */
export interface ValidateOptions {
  /**
   * Accept main-graph inputs with a dim of 0 (empty tensors), which the ONNX node tests use
   * and no deployable model has. Default false.
   */
  allowEmptyInputs?: boolean;
}

/**
 * Refuse an IR version outside 1 to {@linkcode MAX_IR_VERSION}.
 *
 * @throws {ModelFormatError} naming the version and the range
 */
export function checkIrVersion(irVersion: number, where: string): void {
  if (!Number.isInteger(irVersion) || irVersion < 1 || irVersion > MAX_IR_VERSION) {
    throw new ModelFormatError(
      `${where}: ir_version is ${irVersion}, expected 1 to ${MAX_IR_VERSION}` +
        (irVersion > MAX_IR_VERSION ? " (the model is newer than axb reads)" : ""),
    );
  }
}

/**
 * Refuse an opset import outside its domain's range (1 to {@linkcode MAX_ONNX_OPSET} for the
 * default domain, 1 to {@linkcode MAX_OTHER_OPSET} for others).
 *
 * @param domain the normalised domain ("" = ai.onnx)
 * @throws {ModelFormatError} naming the domain, the version and the range
 */
export function checkOpsetImport(domain: string, version: number, where: string): void {
  const max = domain === "" ? MAX_ONNX_OPSET : MAX_OTHER_OPSET;
  if (!Number.isInteger(version) || version < 1 || version > max) {
    throw new ModelFormatError(
      `${where}: opset_import of domain "${domain || "ai.onnx"}" is version ${version}, ` +
        `expected 1 to ${max}`,
    );
  }
}

/** A node's label in messages. */
function nodeLabel(n: Node): string {
  return `node "${n.name}" (${n.opType})`;
}

function tensorType(v: ValueInfo | undefined): TensorType | undefined {
  const t = v?.type;
  return t && !("kind" in t) ? t : undefined;
}

function formatDims(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
}

/**
 * Refuse declared dims that are not integers in range. `minDim` is 1 for main-graph inputs
 * (0 when empty inputs are allowed) and 0 elsewhere.
 */
function checkDeclaredShape(v: ValueInfo, what: string, minDim: number, where: string): void {
  const t = tensorType(v);
  if (!t?.shape) return;
  if (t.shape.length > MAX_RANK) {
    throw new GraphError(
      `${where}: ${what} "${v.name}" has rank ${t.shape.length}, more than axb's ${MAX_RANK}`,
    );
  }
  for (const [axis, d] of t.shape.entries()) {
    if (typeof d !== "number") continue;
    if (!Number.isSafeInteger(d) || d < minDim || d > MAX_DIM) {
      throw new GraphError(
        `${where}: ${what} "${v.name}" has dim ${d} at axis ${axis} (shape ${
          formatDims(t.shape)
        }); each dim must be an integer from ${minDim} to ${MAX_DIM}`,
      );
    }
  }
}

/** Refuse a main-graph input whose static size is over the tensor size limit. */
function checkInputSize(v: ValueInfo, where: string): void {
  const t = tensorType(v);
  if (!t?.shape) return;
  // Symbolic dims count as 1: the smallest tensor the input can be.
  const elements = t.shape.reduce<number>((n, d) => n * (typeof d === "number" ? d : 1), 1);
  const bytes = tensorBytesOf(t.dtype, elements);
  if (bytes > maxTensorBytes()) {
    throw new LimitError(
      `${where}: input "${v.name}" ${formatDims(t.shape)} takes ${formatBytes(bytes)}, over ` +
        `axb's tensor size limit of ${formatBytes(maxTensorBytes())}`,
    );
  }
}

/** Element types known without inference: initializers, graph inputs, value_info, outputs. */
function declaredTypes(g: Graph, outer: ReadonlyMap<string, DType>): Map<string, DType> {
  const types = new Map(outer);
  const add = (v: ValueInfo) => {
    const t = tensorType(v);
    if (t) types.set(v.name, t.dtype);
  };
  for (const v of g.valueInfo.values()) add(v);
  for (const v of g.outputs) add(v);
  for (const v of g.inputs) add(v);
  for (const [name, t] of g.initializers) types.set(name, t.dtype);
  return types;
}

/** The subgraphs held in a node's attributes. */
function subgraphsOf(node: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of node.attrs.values()) {
    if (a.kind === "graph") out.push(a.value);
    else if (a.kind === "graphs") out.push(...a.value);
  }
  return out;
}

interface Scope {
  /** Names visible from enclosing graphs. */
  readonly names: ReadonlySet<string>;
  /** Element types visible from enclosing graphs. */
  readonly types: ReadonlyMap<string, DType>;
}

/** Single assignment and defined reads for graph `g` and, recursively, its subgraphs. */
function checkGraph(model: Model, g: Graph, outer: Scope, where: string, main: boolean): void {
  const label = main ? "the main graph" : `subgraph "${g.name}"`;
  const defined = new Set<string>(g.initializers.keys());
  const inputs = new Set<string>();
  for (const v of g.inputs) {
    if (v.name === "") throw new GraphError(`${where}: ${label} has an input without a name`);
    if (inputs.has(v.name)) {
      throw new GraphError(`${where}: ${label} declares input "${v.name}" twice`);
    }
    inputs.add(v.name);
    defined.add(v.name);
  }
  const producer = new Map<string, Node>();
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      if (o === "") continue;
      const earlier = producer.get(o);
      if (earlier || defined.has(o)) {
        throw new GraphError(
          `${where}: value "${o}" is defined twice (${nodeLabel(n)} writes it, and so does ${
            earlier ? nodeLabel(earlier) : "a graph input or initializer"
          }); ONNX values are assigned once`,
        );
      }
      producer.set(o, n);
    }
  }
  for (const o of producer.keys()) defined.add(o);
  const visible = (name: string) => defined.has(name) || outer.names.has(name);
  const types = declaredTypes(g, outer.types);
  const opsetOf = (domain: string) => model.opsetImports.get(domain) ?? 1;
  const inner: Scope = { names: new Set([...outer.names, ...defined]), types };
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i !== "" && !visible(i)) {
        throw new GraphError(
          `${where}: ${nodeLabel(n)} reads "${i}", which no node, graph input or initializer ` +
            `defines`,
        );
      }
    }
    checkNodeAttributes(n, where);
    checkInputTypes(
      n,
      opsetOf(n.domain),
      n.inputs.map((i) => (i === "" ? undefined : types.get(i))),
      where,
    );
    for (const sub of subgraphsOf(n)) checkGraph(model, sub, inner, where, false);
  }
  const outputs = new Set<string>();
  for (const v of g.outputs) {
    if (!visible(v.name)) {
      throw new GraphError(
        `${where}: ${label} output "${v.name}" is not produced by any node, input or initializer`,
      );
    }
    if (main && outputs.has(v.name)) {
      throw new GraphError(`${where}: ${label} lists output "${v.name}" twice`);
    }
    outputs.add(v.name);
    checkDeclaredShape(v, "output", 0, where);
  }
  for (const v of g.valueInfo.values()) checkDeclaredShape(v, "value", 0, where);
  if (!main) { for (const v of g.inputs) checkDeclaredShape(v, "subgraph input", 0, where); }
}

/**
 * Check a decoded model as `onnx.checker` and onnxruntime would before running it.
 *
 * @param model the decoded model
 * @param where message prefix (`Invalid model "m.onnx"`)
 * @param opts {@linkcode ValidateOptions}
 * @throws {ModelFormatError} for an IR version or opset out of range
 * @throws {GraphError} for an empty graph, missing or repeated outputs, a value defined
 *   twice or read undefined, a declared dim out of range, an attribute out of range, or
 *   inputs of one type parameter with different element types
 * @throws {LimitError} when a main-graph input is over the tensor size limit
 */
export function validateModel(model: Model, where: string, opts: ValidateOptions = {}): void {
  checkIrVersion(model.irVersion, where);
  for (const [domain, version] of model.opsetImports) checkOpsetImport(domain, version, where);
  const g = model.graph;
  if (g.nodes.length === 0) {
    throw new GraphError(`${where}: the main graph has no nodes; there is nothing to compile`);
  }
  if (g.outputs.length === 0) {
    throw new GraphError(`${where}: the main graph has no outputs; a model must produce one`);
  }
  const minDim = opts.allowEmptyInputs ? 0 : 1;
  for (const v of g.runtimeInputs) {
    checkDeclaredShape(v, "input", minDim, where);
    checkInputSize(v, where);
  }
  checkGraph(model, g, { names: new Set(), types: new Map() }, where, true);
}
