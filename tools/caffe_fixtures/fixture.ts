/**
 * A small Caffe net written twice by hand: as prototxt + caffemodel layers, and as an
 * independent ONNX model with the same weights (the golden reference onnxruntime runs).
 *
 * @module
 */
import { attr, buildModel, type IoSpec, type NodeSpec } from "../../core/ir/builder.ts";
import type { Model } from "../../core/ir/graph.ts";
import { f32, s64, type Tensor } from "../../core/ir/tensor.ts";
import type { BlobInit, WeightsLayerInit } from "../../core/caffe/_testing.ts";
import { seededRandom } from "../../core/util/random.ts";

export { attr };

/** Collects both forms of one fixture net. */
export class Fixture {
  readonly layers: WeightsLayerInit[] = [];
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Record<string, Tensor> = {};
  readonly #rand: () => number;
  #count = 0;

  constructor(readonly name: string, seed: number) {
    this.#rand = seededRandom(seed);
  }

  /** Seeded values uniform in [lo, hi). */
  values(n: number, lo = -1, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.#rand();
    return out;
  }

  /** Record a caffemodel layer's blobs. */
  caffe(name: string, type: string, blobs: BlobInit[]): void {
    this.layers.push({ name, type, blobs });
  }

  /** An ONNX float initializer; returns its name. */
  const(shape: number[], data: ArrayLike<number>): string {
    const name = `const${this.#count++}`;
    this.initializers[name] = f32(shape, data);
    return name;
  }

  /** An ONNX int64 initializer; returns its name. */
  ints(values: number[]): string {
    const name = `const${this.#count++}`;
    this.initializers[name] = s64([values.length], values);
    return name;
  }

  /** Append an ONNX node; returns its first output. */
  op(opType: string, inputs: string[], output: string, attrs: NodeSpec["attrs"] = {}): string {
    this.nodes.push({ opType, inputs, outputs: [output], attrs });
    return output;
  }

  /** The ONNX model. */
  model(inputs: IoSpec[], outputs: IoSpec[]): Model {
    return buildModel({
      name: this.name,
      opset: 13,
      inputs,
      outputs,
      nodes: this.nodes,
      initializers: this.initializers,
    });
  }
}
