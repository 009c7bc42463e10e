/**
 * The deployable quantized model: the quantized model with the runtime pre- and
 * post-processing of `input_processors` / `output_processors` inserted (dtype cast,
 * colour conversion, normalisation, layout transpose; output permutation and dtype),
 * with the quantization annotations following the values they belong to.
 *
 * @module
 */
import type { Node } from "../ir/graph.ts";
import { cloneModel } from "../ir/clone.ts";
import type { BuildConfig } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import { applyInputProcessors } from "../preprocess/input_processors.ts";
import { applyOutputProcessors } from "../preprocess/output_processors.ts";
import type { ActivationQuant, QuantModel } from "../quant/quant_model.ts";

/** The quantized model with its processors, and where each output carries the batch. */
export interface DeployableModel {
  /** The processed model with its quantization annotations. */
  readonly quant: QuantModel;
  /** The batch axis of each graph output, in output order (0 unless `dst_perm` moved it). */
  readonly outputBatchAxes: readonly number[];
}

/** Apply the processors of `config` to a copy of `quant`. */
export function deployableModel(
  quant: QuantModel,
  config: BuildConfig,
  log: Logger,
): DeployableModel {
  const model = cloneModel(quant.model);
  const before = new Map<Node, { inputs: string[]; outputs: string[] }>(
    model.graph.nodes.map((n) => [n, { inputs: [...n.inputs], outputs: [...n.outputs] }]),
  );
  applyInputProcessors(model, config.input_processors, log);
  const post = applyOutputProcessors(model, config.output_processors, log);
  // Values the processors renamed: a node that read X now reads X', or wrote Z now writes Z'.
  const renamed = new Map<string, string>();
  for (const [n, old] of before) {
    old.inputs.forEach((name, i) => {
      if (name && n.inputs[i] !== name) renamed.set(name, n.inputs[i]);
    });
    old.outputs.forEach((name, i) => {
      if (name && n.outputs[i] !== name) renamed.set(name, n.outputs[i]);
    });
  }
  const key = (name: string) => renamed.get(name) ?? name;
  const activations = new Map<string, ActivationQuant>();
  for (const [name, a] of quant.activations) {
    activations.set(key(name), a.kind === "quant" ? { ...a, dominator: key(a.dominator) } : a);
  }
  return {
    quant: {
      model,
      activations,
      constants: quant.constants,
      fused: new Set([...quant.fused].map(key)),
    },
    outputBatchAxes: post.outputs.map((o) => o.batchAxis),
  };
}
