/**
 * SSD's detection layers: PriorBox becomes a constant (see `prior_box.ts`); DetectionOutput
 * becomes the CPU operator `ai.axb.caffe::DetectionOutput` with the layer's parameters as
 * attributes.
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import { CAFFE_DOMAIN } from "../../ops/caffe/mod.ts";
import { priorBoxes, type PriorBoxParams, priorsPerCell } from "../prior_box.ts";
import type { LayerContext } from "./context.ts";

/** SSD `PriorBox`. */
export function priorBox(ctx: LayerContext): string[] {
  ctx.arity(2);
  ctx.blobs([]);
  const p = ctx.param("prior_box_param");
  if (!p) return ctx.fail(`needs prior_box_param`);
  const feat = ctx.shape(0);
  const img = ctx.shape(1);
  if (feat.length !== 4 || img.length !== 4) ctx.fail(`needs NCHW feature and image bottoms`);
  const minSizes = p.nums("min_size");
  const maxSizes = p.nums("max_size");
  if (minSizes.length === 0 || minSizes.some((m) => m <= 0)) {
    ctx.fail(`needs positive min_size values`);
  }
  if (
    maxSizes.length > 0 &&
    (maxSizes.length !== minSizes.length || maxSizes.some((m, i) => m <= minSizes[i]))
  ) {
    ctx.fail(`max_size needs one value per min_size, each larger than it`);
  }
  const variance = p.nums("variance");
  if (variance.length > 1 && variance.length !== 4) ctx.fail(`variance takes 1 or 4 values`);
  if (p.has("img_size") && (p.has("img_h") || p.has("img_w"))) {
    ctx.fail(`give img_size or img_h/img_w, not both`);
  }
  if (p.has("step") && (p.has("step_h") || p.has("step_w"))) {
    ctx.fail(`give step or step_h/step_w, not both`);
  }
  const imgH = p.has("img_size") ? p.num("img_size") : p.has("img_h") ? p.num("img_h") : img[2];
  const imgW = p.has("img_size") ? p.num("img_size") : p.has("img_w") ? p.num("img_w") : img[3];
  const stepH = p.has("step") ? p.num("step") : p.has("step_h") ? p.num("step_h") : imgH / feat[2];
  const stepW = p.has("step") ? p.num("step") : p.has("step_w") ? p.num("step_w") : imgW / feat[3];
  const params: PriorBoxParams = {
    minSizes,
    maxSizes,
    aspectRatios: p.nums("aspect_ratio"),
    flip: p.bool("flip"),
    clip: p.bool("clip"),
    variance,
    image: [imgH, imgW],
    step: [stepH, stepW],
    offset: p.num("offset"),
  };
  const dim = feat[2] * feat[3] * priorsPerCell(params) * 4;
  const boxes = priorBoxes(params, feat[2], feat[3]);
  const c = ctx.emit.floats(ctx.constName("priors"), [1, 2, dim], boxes);
  ctx.node("Identity", [c], [ctx.outputs[0]]);
  return [ctx.outputs[0]];
}

/** SSD `DetectionOutput`. */
export function detectionOutput(ctx: LayerContext): string[] {
  ctx.arity(3);
  ctx.blobs([]);
  const p = ctx.param("detection_output_param");
  if (!p || !p.has("num_classes")) return ctx.fail(`needs detection_output_param.num_classes`);
  const nms = p.msg("nms_param");
  const attrs = {
    num_classes: attr.int(p.num("num_classes")),
    share_location: attr.int(p.bool("share_location") ? 1 : 0),
    background_label_id: attr.int(p.num("background_label_id")),
    nms_threshold: attr.float(nms?.num("nms_threshold") ?? 0.3),
    top_k: attr.int(nms?.has("top_k") ? nms.num("top_k") : -1),
    eta: attr.float(nms?.num("eta") ?? 1),
    code_type: attr.string(p.enumName("code_type")),
    variance_encoded_in_target: attr.int(p.bool("variance_encoded_in_target") ? 1 : 0),
    keep_top_k: attr.int(p.num("keep_top_k")),
    ...(p.has("confidence_threshold")
      ? { confidence_threshold: attr.float(p.num("confidence_threshold")) }
      : {}),
  };
  ctx.node("DetectionOutput", ctx.inputs, [ctx.outputs[0]], attrs, undefined, CAFFE_DOMAIN);
  return [ctx.outputs[0]];
}
