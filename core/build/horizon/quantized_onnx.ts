/**
 * `<prefix>_quantized_model.onnx` (hb_mapper) / `<prefix>_ptq_model.onnx` (hb_compile):
 * the QDQ model with the inputs of spec `horizon.md` §6.3 — always NHWC; int8 for image
 * types (the intermediate `value − 128` codes themselves), float32 for featuremap. Unlike
 * Horizon's file, it needs no custom runtime: the input is cast and transposed by standard
 * operators, so plain onnxruntime runs it.
 *
 * Before: `data: float32[1, 3, 224, 224]` → QuantizeLinear …
 * After:  `data: int8[1, 224, 224, 3]` → Cast(float) → Transpose[0, 3, 1, 2] → QuantizeLinear …
 *
 * @module
 */
import type { Model, Node } from "../../ir/graph.ts";
import { attr } from "../../ir/builder.ts";
import { DTYPES } from "../../ir/dtype.ts";
import { NameScope } from "../../ir/names.ts";
import { Tensor } from "../../ir/tensor.ts";
import type { HorizonInputPlan } from "./input_plan.ts";

/** Rewrite the inputs of the QDQ model `qdq` (in place) to Horizon's host form. */
export function toHostInputs(qdq: Model, plans: readonly HorizonInputPlan[]): Model {
  const g = qdq.graph;
  const names = new NameScope(g);
  const head: Node[] = [];
  for (const p of plans) {
    const nchw = p.layoutTrain === "NCHW" && p.shape.length === 4;
    if (!p.image && !nchw) continue;
    const vi = g.inputs.find((v) => v.name === p.name);
    if (!vi) continue;
    let x = p.name;
    const steps: Node[] = [];
    if (p.image) {
      const out = names.fresh(`${p.name}_float`);
      steps.push({
        name: names.fresh(`${p.name}_cast`),
        opType: "Cast",
        domain: "",
        inputs: [x],
        outputs: [out],
        attrs: new Map([["to", attr.int(DTYPES.f32.onnx)]]),
      });
      x = out;
    }
    if (nchw) {
      const out = names.fresh(`${p.name}_nchw`);
      steps.push({
        name: names.fresh(`${p.name}_transpose`),
        opType: "Transpose",
        domain: "",
        inputs: [x],
        outputs: [out],
        attrs: new Map([["perm", attr.ints([0, 3, 1, 2])]]),
      });
      x = out;
    }
    // The steps are not in the graph yet, so only the model's own readers are rewired.
    g.replaceAllUses(p.name, x);
    const [n, c, h, w] = p.shape;
    const shape = nchw ? [n, h, w, c] : [...p.shape];
    g.inputs[g.inputs.indexOf(vi)] = {
      ...vi,
      type: { dtype: p.image ? "s8" : "f32", shape },
    };
    head.push(...steps);
  }
  g.addNodes(head, 0);
  return qdq;
}

/**
 * Store every int8 weight behind a DequantizeLinear as uint8 with its zero point moved by
 * 128: the same real values, so the same model. onnxruntime fuses QDQ into integer kernels,
 * and its x86 u8×s8 kernels without VNNI sum pairs of products in saturating int16
 * (onnxruntime issue #16105), which moves some outputs by many steps; its u8×u8 kernels
 * are exact, so the file computes what it means on every CPU.
 */
export function withUnsignedWeights(model: Model): Model {
  const g = model.graph;
  const shift = (t: Tensor) =>
    new Tensor("u8", t.shape, Uint8Array.from(t.data as Int8Array, (v) => v + 128));
  for (const n of g.nodes) {
    if (n.opType !== "DequantizeLinear" || n.domain !== "") continue;
    const [codes, , zp] = n.inputs;
    const w = g.initializers.get(codes);
    const z = zp ? g.initializers.get(zp) : undefined;
    if (w?.dtype !== "s8" || z?.dtype !== "s8") continue;
    g.initializers.set(codes, shift(w));
    g.initializers.set(zp, shift(z));
  }
  return model;
}
