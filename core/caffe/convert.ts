/**
 * Caffe net + trained blobs → IR model.
 *
 * Naming: every Caffe blob keeps its name on its final version, so graph inputs and
 * outputs, and any tensor a user names in a config, are the Caffe blob names. An earlier
 * version of a blob that in-place layers later overwrite (`conv1` as written by layer
 * `conv1`, before `relu1` rewrites it in place) is named after the layer that wrote it,
 * made unique (`conv1_1`). Nodes are named after their layers (`<layer>/<step>` for helper
 * nodes); initializers `<layer>.<role>`.
 *
 * Graph outputs are the blobs no later layer reads, as in Caffe. A blob whose final
 * version is another blob's value (Split, Dropout) gets an Identity so it keeps its name.
 *
 * @module
 */
import { basename } from "node:path";
import type { Model } from "../ir/graph.ts";
import type { OpRegistry } from "../ops/op.ts";
import { ModelFormatError } from "../errors/mod.ts";
import { CAFFE_OPSETS, GraphEmitter } from "./emitter.ts";
import { LayerContext, type WeightLookup } from "./layers/context.ts";
import { LAYER_CONVERTERS } from "./layers/mod.ts";
import { mergeScaleIntoBatchNorm } from "./merge_scale.ts";
import type { CaffeNet } from "./net.ts";
import type { CaffeBlob } from "./weights.ts";

/** Options of {@linkcode convertCaffeNet}. */
export interface ConvertOptions {
  /** Operator registry used to infer shapes while building. */
  readonly registry: OpRegistry;
  /** The caffemodel path or label, for messages. */
  readonly weightsFile: string;
  /** Replacement shapes for inputs, by blob name. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

/**
 * Convert a parsed net with its weights into an IR model. `weights` is the caffemodel's
 * blobs by layer name, or a lookup that is asked for each layer's blobs.
 *
 * @throws {ModelFormatError} for an unknown layer type (`Not support layer name=… type=…`),
 *   a missing bottom, missing or mismatched weights, or parameters that do not fit
 * @throws {UnsupportedOpError} for a known layer in a variant axb does not convert
 */
export function convertCaffeNet(
  net: CaffeNet,
  weights: ReadonlyMap<string, readonly CaffeBlob[]> | WeightLookup,
  opts: ConvertOptions,
): Model {
  const lookup: WeightLookup = typeof weights === "function" ? weights : (l) => weights.get(l);
  const blobNames = new Set([
    ...net.inputs.map((i) => i.name),
    ...net.layers.flatMap((l) => l.tops),
  ]);
  const emit = new GraphEmitter(net.name, opts.registry, blobNames);
  const inputNames = new Set(net.inputs.map((i) => i.name));
  for (const name of Object.keys(opts.inputShapes ?? {})) {
    if (!inputNames.has(name)) {
      throw new ModelFormatError(
        `${net.file}: input shape given for "${name}", but the net's inputs are ${
          [...inputNames].map((n) => `"${n}"`).join(", ")
        }`,
      );
    }
  }
  for (const input of net.inputs) {
    const shape = opts.inputShapes?.[input.name] ?? input.shape;
    if (shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new ModelFormatError(
        `${net.file}: input "${input.name}" has shape [${
          shape.join(", ")
        }]; every dimension must be a positive integer`,
      );
    }
    emit.input(input.name, shape);
  }
  const lastWriter = new Map<string, number>();
  net.layers.forEach((l, i) => l.tops.forEach((t) => lastWriter.set(t, i)));
  const current = new Map<string, string>(net.inputs.map((i) => [i.name, i.name]));
  const read = new Set<string>();
  const order: string[] = [];
  net.layers.forEach((layer, index) => {
    const convert = LAYER_CONVERTERS.get(layer.type);
    if (!convert) {
      throw new ModelFormatError(
        `${layer.text.where()}: Not support layer name=${layer.name} type=${layer.type}`,
      );
    }
    const inputs = layer.bottoms.map((b) => {
      const v = current.get(b);
      if (v === undefined) {
        throw new ModelFormatError(
          `${layer.text.where("bottom")}: layer "${layer.name}" reads blob "${b}", which no ` +
            `input or earlier layer produces`,
        );
      }
      read.add(b);
      return v;
    });
    const outputs = layer.tops.map((t, k) =>
      lastWriter.get(t) === index && !inputNames.has(t)
        ? t
        : emit.fresh(layer.tops.length > 1 ? `${layer.name}_${k}` : layer.name)
    );
    const ctx = new LayerContext(layer, inputs, outputs, emit, lookup, opts.weightsFile);
    const values = convert(ctx);
    layer.tops.forEach((t, k) => {
      current.set(t, values[k]);
      read.delete(t);
      if (!order.includes(t)) order.push(t);
    });
  });
  const g = emit.graph;
  for (const blob of order) {
    if (read.has(blob) || inputNames.has(blob)) continue;
    const value = current.get(blob)!;
    if (value !== blob) {
      emit.node(
        { op: "Identity", inputs: [value], outputs: [blob], name: `${blob}/output` },
        net.file,
      );
    }
    g.outputs.push({ name: blob, type: emit.type(blob) });
  }
  if (g.outputs.length === 0) {
    throw new ModelFormatError(
      `${net.file}: the net has no output (every blob is read by a later layer)`,
    );
  }
  mergeScaleIntoBatchNorm(g, (v) => emit.type(v).shape?.length ?? 0);
  const opsets = new Map(CAFFE_OPSETS);
  for (const d of emit.customDomains) opsets.set(d, 1);
  return {
    irVersion: 8,
    opsetImports: opsets,
    producerName: "axb",
    producerVersion: "",
    domain: "",
    modelVersion: 0,
    docString: `Converted from Caffe net "${basename(net.file)}" with weights "${
      basename(opts.weightsFile)
    }"`,
    metadataProps: new Map(),
    graph: g,
    opaque: { functions: [], trainingInfo: [] },
  };
}
