/**
 * Node attributes as a discriminated union, decoded once from ONNX, plus a typed
 * reader that kernels use to parse their attributes into their own typed structs.
 *
 * @module
 */
import type { Tensor } from "./tensor.ts";
import type { Graph } from "./graph.ts";
import type { ValueType } from "./types.ts";
import { KernelError } from "../errors/mod.ts";

/** Value type per attribute kind. Integers are numbers (int64 beyond 2^53 saturate on save). */
export interface AttributeValueMap {
  /** FLOAT: one float. */
  float: number;
  /** INT: one integer. */
  int: number;
  /** STRING: one string. */
  string: string;
  /** TENSOR: one tensor. */
  tensor: Tensor;
  /** GRAPH: one subgraph (If/Loop/Scan bodies). */
  graph: Graph;
  /** TYPE_PROTO: one type (Optional's `type` may be a sequence type). */
  type: ValueType;
  /** FLOATS: a list of floats. */
  floats: readonly number[];
  /** INTS: a list of integers. */
  ints: readonly number[];
  /** STRINGS: a list of strings. */
  strings: readonly string[];
  /** TENSORS: a list of tensors. */
  tensors: readonly Tensor[];
  /** GRAPHS: a list of subgraphs. */
  graphs: readonly Graph[];
  /** TYPE_PROTOS: a list of types. */
  types: readonly ValueType[];
}

/** One attribute value, discriminated by `kind`. */
export type Attribute = {
  [K in keyof AttributeValueMap]: { readonly kind: K; readonly value: AttributeValueMap[K] };
}[keyof AttributeValueMap];

/** The `kind` tag of an {@linkcode Attribute} (`"int"`, `"floats"`, `"graph"`, …). */
export type AttributeKind = Attribute["kind"];

/** Attribute map of a node. Keys are ONNX attribute names. */
export type Attributes = ReadonlyMap<string, Attribute>;

/**
 * Typed access to a node's attributes, with defaults and errors that name the node.
 * Create one per node with {@linkcode attrReader}.
 */
export interface AttrReader {
  /** True when the node carries attribute `name`. */
  has(name: string): boolean;
  /**
   * Integer attribute `name`, or `fallback` when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  int(name: string, fallback: number): number;
  /**
   * Integer attribute `name`, or undefined when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  intOpt(name: string): number | undefined;
  /**
   * Float attribute `name` (an int attribute is accepted), or `fallback` when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  float(name: string, fallback: number): number;
  /**
   * Float attribute `name` (an int attribute is accepted), or undefined when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  floatOpt(name: string): number | undefined;
  /**
   * String attribute `name`, or `fallback` when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  string(name: string, fallback: string): string;
  /**
   * String attribute `name`, or undefined when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  stringOpt(name: string): string | undefined;
  /**
   * Integer-list attribute `name`, or `fallback` when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  ints(name: string, fallback: readonly number[]): readonly number[];
  /**
   * Integer-list attribute `name`, or undefined when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  intsOpt(name: string): readonly number[] | undefined;
  /**
   * Float-list attribute `name`, or `fallback` when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  floats(name: string, fallback: readonly number[]): readonly number[];
  /**
   * Float-list attribute `name`, or undefined when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  floatsOpt(name: string): readonly number[] | undefined;
  /**
   * String-list attribute `name`, or `fallback` when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  strings(name: string, fallback: readonly string[]): readonly string[];
  /**
   * String-list attribute `name`, or undefined when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  stringsOpt(name: string): readonly string[] | undefined;
  /**
   * Tensor attribute `name`, or undefined when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  tensorOpt(name: string): Tensor | undefined;
  /**
   * Required subgraph attribute `name` (If/Loop/Scan bodies).
   * @throws {KernelError} when the attribute is missing or has another kind
   */
  graph(name: string): Graph;
  /**
   * Subgraph attribute `name`, or undefined when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  graphOpt(name: string): Graph | undefined;
  /**
   * Type attribute `name` (Optional's `type`), or undefined when absent.
   * @throws {KernelError} when the attribute has another kind
   */
  typeOpt(name: string): ValueType | undefined;
}

/** Make an {@linkcode AttrReader} for node `nodeName` (used in error text). */
export function attrReader(attrs: Attributes, nodeName: string, opType: string): AttrReader {
  function get<K extends AttributeKind>(
    name: string,
    kind: K,
  ): AttributeValueMap[K] | undefined {
    const a = attrs.get(name);
    if (a === undefined) return undefined;
    if (a.kind !== kind) {
      throw new KernelError(
        `Node "${nodeName}" (${opType}): attribute ${name} is ${a.kind}, expected ${kind}`,
      );
    }
    return a.value as AttributeValueMap[K];
  }
  return {
    has: (n) => attrs.has(n),
    int: (n, f) => get(n, "int") ?? f,
    intOpt: (n) => get(n, "int"),
    float: (n, f) => {
      const a = attrs.get(n);
      if (a?.kind === "int") return a.value;
      return get(n, "float") ?? f;
    },
    floatOpt: (n) => {
      const a = attrs.get(n);
      if (a?.kind === "int") return a.value;
      return get(n, "float");
    },
    string: (n, f) => get(n, "string") ?? f,
    stringOpt: (n) => get(n, "string"),
    ints: (n, f) => get(n, "ints") ?? f,
    intsOpt: (n) => get(n, "ints"),
    floats: (n, f) => get(n, "floats") ?? f,
    floatsOpt: (n) => get(n, "floats"),
    strings: (n, f) => get(n, "strings") ?? f,
    stringsOpt: (n) => get(n, "strings"),
    tensorOpt: (n) => get(n, "tensor"),
    graph: (n) => {
      const g = get(n, "graph");
      if (!g) {
        throw new KernelError(
          `Node "${nodeName}" (${opType}): required graph attribute ${n} is missing`,
        );
      }
      return g;
    },
    graphOpt: (n) => get(n, "graph"),
    typeOpt: (n) => get(n, "type"),
  };
}
