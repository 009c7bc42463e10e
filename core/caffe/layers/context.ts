/**
 * What a layer converter sees: its Caffe layer, the IR values of its bottoms with their
 * static shapes, the names its tops must get, its trained blobs, and the emitter that
 * builds the graph. Converters return one IR value per top (a fresh node output, or an
 * existing value for layers that only alias, such as Split and Dropout).
 *
 * @module
 */
import type { Attribute } from "../../ir/attribute.ts";
import { Tensor } from "../../ir/tensor.ts";
import { ModelFormatError, UnsupportedOpError } from "../../errors/mod.ts";
import type { GraphEmitter } from "../emitter.ts";
import type { CaffeLayer } from "../net.ts";
import type { TextMessage } from "../text_message.ts";
import type { CaffeBlob } from "../weights.ts";

/** One expected trained blob: what it is (for messages) and its shape. */
export interface BlobSpec {
  /** Role, e.g. `weight`, `bias`, `mean`. */
  readonly role: string;
  /** Shape the layer's parameters imply. */
  readonly shape: readonly number[];
}

/**
 * Where a layer's trained blobs come from: given the layer name and the blobs its
 * parameters imply, the stored blobs, or undefined when there are none for that layer.
 * (The caffemodel map in normal use; tests synthesise seeded blobs through it.)
 */
export type WeightLookup = (
  layer: string,
  specs: readonly BlobSpec[],
) => readonly CaffeBlob[] | undefined;

/** The converter's view of one layer. */
export class LayerContext {
  /** `net.prototxt:12:3: layer "conv1" (Convolution)`, the prefix of every message. */
  readonly label: string;

  /**
   * @param layer the Caffe layer
   * @param inputs IR values of the bottoms
   * @param outputs value names the tops get when a node produces them
   * @param emit the graph builder
   * @param weights where the layer's blobs come from
   * @param weightsFile the caffemodel path, for messages
   */
  constructor(
    readonly layer: CaffeLayer,
    readonly inputs: readonly string[],
    readonly outputs: readonly string[],
    readonly emit: GraphEmitter,
    readonly weights: WeightLookup,
    readonly weightsFile: string,
  ) {
    this.label = `${layer.text.where()}: layer "${layer.name}" (${layer.type})`;
  }

  /** Static shape of bottom `i`. */
  shape(i = 0): number[] {
    return this.emit.shape(this.inputs[i]);
  }

  /** The layer's `<name>` parameter message, when the prototxt gives one. */
  param(name: string): TextMessage | undefined {
    return this.layer.text.msg(name);
  }

  /** A bad-model error about this layer. */
  fail(message: string): never {
    throw new ModelFormatError(`${this.label}: ${message}`);
  }

  /** An error for a variant of this layer that axb does not convert. */
  unsupported(detail: string): never {
    throw new UnsupportedOpError(this.layer.type, this.layer.name, `${detail} (${this.label})`);
  }

  /** Require `n` bottoms (or a range) and `tops` tops. */
  arity(bottoms: number | readonly [number, number], tops = 1): void {
    const [lo, hi] = typeof bottoms === "number" ? [bottoms, bottoms] : bottoms;
    const b = this.layer.bottoms.length;
    if (b < lo || b > hi) {
      this.fail(`has ${b} bottom(s), expected ${lo === hi ? lo : `${lo} to ${hi}`}`);
    }
    if (this.layer.tops.length !== tops) {
      this.fail(`has ${this.layer.tops.length} top(s), expected ${tops}`);
    }
  }

  /** A Caffe axis index (negative counts from the end) checked against `rank`. */
  axis(value: number, rank: number, field: string): number {
    const a = value < 0 ? value + rank : value;
    if (a < 0 || a >= rank) this.fail(`${field} ${value} is out of range for a rank-${rank} input`);
    return a;
  }

  /**
   * The layer's trained blobs, checked against `specs` (count and shape; a legacy 4-D blob
   * matches when its shape equals the expected one padded with leading 1s, as in Caffe).
   *
   * @throws {ModelFormatError} when the caffemodel lacks the layer, or a count or shape differs
   */
  blobs(specs: readonly BlobSpec[]): Tensor<"f32">[] {
    const stored = this.weights(this.layer.name, specs);
    if (specs.length === 0 && !stored?.length) return [];
    if (stored === undefined) {
      this.fail(
        `has no weights in "${this.weightsFile}" (no layer of that name there; expected ${
          describe(specs)
        })`,
      );
    }
    if (stored.length !== specs.length) {
      this.fail(
        `"${this.weightsFile}" holds ${stored.length} blob(s) for it, expected ` +
          `${specs.length}${specs.length ? ` (${describe(specs)})` : ""}`,
      );
    }
    return specs.map((s, i) => {
      const b = stored[i];
      if (!shapeMatches(s.shape, b)) {
        this.fail(
          `blob ${i} (${s.role}) in "${this.weightsFile}" has shape [${
            b.shape.join(", ")
          }], expected [${s.shape.join(", ")}]`,
        );
      }
      return new Tensor("f32", [...s.shape], b.data);
    });
  }

  /** Append a node; `suffix` names helper nodes `<layer>/<suffix>`. */
  node(
    op: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Readonly<Record<string, Attribute>> = {},
    suffix?: string,
    domain?: string,
  ): void {
    const name = suffix ? `${this.layer.name}/${suffix}` : this.layer.name;
    this.emit.node({ op, inputs, outputs, attrs, name, domain }, this.label);
  }

  /** A fresh intermediate value name `<layer>/<suffix>`. */
  temp(suffix: string): string {
    return this.emit.fresh(`${this.layer.name}/${suffix}`);
  }

  /** Name for an initializer of this layer: `<layer>.<role>`. */
  constName(role: string): string {
    return `${this.layer.name}.${role}`;
  }
}

function describe(specs: readonly BlobSpec[]): string {
  return specs.map((s) => `${s.role} [${s.shape.join(", ")}]`).join(", ");
}

function shapeMatches(expected: readonly number[], blob: CaffeBlob): boolean {
  const got = blob.shape;
  if (!blob.legacy || expected.length > 4) {
    return got.length === expected.length && got.every((d, i) => d === expected[i]);
  }
  const padded = [...Array(4 - expected.length).fill(1), ...expected];
  return got.length === 4 && got.every((d, i) => d === padded[i]);
}
