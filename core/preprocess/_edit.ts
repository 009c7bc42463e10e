/**
 * Graph-editing helpers shared by the pre/post-processing rewrites: a small emitter that
 * appends standard-ONNX nodes and constant initializers under fresh names (from the
 * IR's {@linkcode NameScope}), and pulsar2's dtype spellings.
 *
 * @module
 */
import type { Attribute } from "../ir/attribute.ts";
import type { Graph, Node } from "../ir/graph.ts";
import type { NameScope } from "../ir/names.ts";
import { s64, type Tensor } from "../ir/tensor.ts";
import { type DType, DTYPES } from "../ir/dtype.ts";
import type { DataType } from "../config/build_config.ts";

/**
 * Appends nodes and initializers with fresh names; collects the nodes it made.
 * Names follow pulsar2's logs: node `op:<base>`, its output `tensor:<base>`.
 */
export class Emitter {
  readonly nodes: Node[] = [];

  constructor(readonly graph: Graph, readonly names: NameScope) {}

  /** Add a constant initializer named `const:<base>`; returns its name. */
  constant(base: string, t: Tensor): string {
    const name = this.names.fresh(`const:${base}`);
    this.graph.initializers.set(name, t);
    return name;
  }

  /** An int64 1-D constant (shapes, pads, slice bounds). */
  ints(base: string, values: readonly number[]): string {
    return this.constant(base, s64([values.length], values));
  }

  /** Add a one-output node; returns the output value name (`output` when given). */
  op(
    opType: string,
    inputs: string[],
    base: string,
    attrs: Record<string, Attribute> = {},
    output?: string,
  ): string {
    const out = output ?? this.names.fresh(`tensor:${base}`);
    this.nodes.push({
      name: this.names.fresh(`op:${base}`),
      opType,
      domain: "",
      inputs,
      outputs: [out],
      attrs: new Map(Object.entries(attrs)),
    });
    return out;
  }
}

/** The IR dtype of a pulsar2 `DataType` name; undefined for `DefaultDataType`. */
export function dtypeOfDataType(dt: DataType): DType | undefined {
  const map: Record<DataType, DType | undefined> = {
    DefaultDataType: undefined,
    U8: "u8",
    S8: "s8",
    U16: "u16",
    S16: "s16",
    U32: "u32",
    S32: "s32",
    U64: "u64",
    S64: "s64",
    FP16: "f16",
    FP32: "f32",
    BF16: "bf16",
  };
  return map[dt];
}

/** The pulsar2-style name of an IR dtype, as logs print it (`U8`, `FP32`, `S64`). */
export function dataTypeName(d: DType): string {
  const map: Record<DType, string> = {
    u8: "U8",
    s8: "S8",
    u16: "U16",
    s16: "S16",
    u32: "U32",
    s32: "S32",
    u64: "U64",
    s64: "S64",
    f16: "FP16",
    f32: "FP32",
    bf16: "BF16",
    f64: "FP64",
    bool: "BOOL",
    string: "STRING",
  };
  return map[d];
}

/** `Cast` attributes converting to `d`. */
export function castTo(d: DType): Record<string, Attribute> {
  return { to: { kind: "int", value: DTYPES[d].onnx } };
}
