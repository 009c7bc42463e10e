/**
 * `layer_out_dump: True` (spec `horizon.md` §5.2): every convolution layer's result becomes
 * an extra (dequantized) model output of the quantized ONNX and of the container — for
 * debugging only; the model gets slower. A Conv whose result is fused into its Relu/Clip
 * reports the activation's output, which is the layer's quantized result.
 *
 * @module
 */
import { cloneModel } from "../../ir/clone.ts";
import type { QuantModel } from "../../quant/quant_model.ts";

/** Operator types whose results are dumped. */
export const DUMPED_TYPES = ["Conv", "ConvTranspose", "Gemm"];

/** `quant` with a copy of its model that outputs every layer result; returns the count too. */
export function withLayerOutputs(quant: QuantModel): { quant: QuantModel; added: number } {
  const model = cloneModel(quant.model);
  const g = model.graph;
  const consumers = g.consumers();
  const have = new Set(g.outputs.map((o) => o.name));
  let added = 0;
  for (const n of g.topologicalOrder()) {
    if (!DUMPED_TYPES.includes(n.opType)) continue;
    let t = n.outputs[0];
    if (quant.fused.has(t)) t = consumers.get(t)?.[0]?.outputs[0] ?? t;
    if (!t || have.has(t)) continue;
    g.outputs.push({ name: t, type: g.valueInfo.get(t)?.type });
    have.add(t);
    added++;
  }
  return { quant: { ...quant, model }, added };
}
