/**
 * Upsampling layers of Caffe forks, written as ONNX Resize.
 *
 * - `Upsample` with one bottom (the YOLO-style layer): nearest neighbour by an integer
 *   `scale` (or `scale_h`/`scale_w`), or to `upsample_h`/`upsample_w`; output pixel `i`
 *   copies input `floor(i / s)`, which is Resize nearest/asymmetric/floor. The two-bottom
 *   SegNet form (max-unpooling with indices) is refused.
 * - `Interp` (PSPNet/DeepLab): bilinear with the corners aligned (`(H_in-1)/(H_out-1)`),
 *   i.e. Resize linear/align_corners. The output size follows the layer's rules:
 *   `shrink_factor` → `(H-1)/s + 1`, `zoom_factor` → `H + (H-1)(z-1)`, else `height`/`width`,
 *   or shrink then zoom when both factors are given. Cropping/padding through
 *   `pad_beg`/`pad_end` is refused.
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import type { LayerContext } from "./context.ts";

function resizeTo(ctx: LayerContext, size: [number, number], linear: boolean): string[] {
  const x = ctx.shape();
  const sizes = ctx.emit.ints(ctx.constName("sizes"), [x[0], x[1], ...size]);
  ctx.node(
    "Resize",
    [ctx.inputs[0], "", "", sizes],
    [ctx.outputs[0]],
    linear
      ? {
        mode: attr.string("linear"),
        coordinate_transformation_mode: attr.string("align_corners"),
      }
      : {
        mode: attr.string("nearest"),
        coordinate_transformation_mode: attr.string("asymmetric"),
        nearest_mode: attr.string("floor"),
      },
  );
  return [ctx.outputs[0]];
}

/** Fork layer `Upsample` (nearest). */
export function upsample(ctx: LayerContext): string[] {
  if (ctx.layer.bottoms.length === 2) ctx.unsupported(`the two-bottom (max-unpooling) form`);
  ctx.arity(1);
  ctx.blobs([]);
  const x = ctx.shape();
  if (x.length !== 4) ctx.fail(`needs an NCHW input, found [${x.join(", ")}]`);
  const p = ctx.param("upsample_param");
  if (p?.has("upsample_h") || p?.has("upsample_w")) {
    if (!(p.has("upsample_h") && p.has("upsample_w"))) {
      ctx.fail(`needs both upsample_h and upsample_w`);
    }
    return resizeTo(ctx, [p.num("upsample_h"), p.num("upsample_w")], false);
  }
  const s = p?.num("scale") ?? 2;
  const sh = p?.has("scale_h") ? p.num("scale_h") : s;
  const sw = p?.has("scale_w") ? p.num("scale_w") : s;
  if (sh <= 0 || sw <= 0) ctx.fail(`scale must be positive`);
  return resizeTo(ctx, [x[2] * sh, x[3] * sw], false);
}

/** Fork layer `Interp` (bilinear, corners aligned). */
export function interp(ctx: LayerContext): string[] {
  ctx.arity(1);
  ctx.blobs([]);
  const x = ctx.shape();
  if (x.length !== 4) ctx.fail(`needs an NCHW input, found [${x.join(", ")}]`);
  const p = ctx.param("interp_param");
  if (!p) return ctx.fail(`needs interp_param`);
  if (p.num("pad_beg") !== 0 || p.num("pad_end") !== 0) {
    ctx.unsupported(`pad_beg/pad_end other than 0`);
  }
  const shrink = p.num("shrink_factor");
  const zoom = p.num("zoom_factor");
  const shrunk = (d: number) => Math.floor((d - 1) / shrink) + 1;
  const zoomed = (d: number) => d + (d - 1) * (zoom - 1);
  let h: number;
  let w: number;
  if (p.has("shrink_factor") && !p.has("zoom_factor")) [h, w] = [shrunk(x[2]), shrunk(x[3])];
  else if (p.has("zoom_factor") && !p.has("shrink_factor")) [h, w] = [zoomed(x[2]), zoomed(x[3])];
  else if (p.has("height") && p.has("width")) [h, w] = [p.num("height"), p.num("width")];
  else if (p.has("shrink_factor") && p.has("zoom_factor")) {
    [h, w] = [zoomed(shrunk(x[2])), zoomed(shrunk(x[3]))];
  } else return ctx.fail(`needs shrink_factor, zoom_factor or height and width`);
  if (shrink < 1 || zoom < 1 || h <= 0 || w <= 0) {
    ctx.fail(`gives an empty or invalid output size ${h}x${w}`);
  }
  return resizeTo(ctx, [h, w], true);
}
