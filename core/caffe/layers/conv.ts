/**
 * Convolution → ONNX Conv, Deconvolution → ONNX ConvTranspose.
 *
 * Kernel, stride, pad and dilation are read as Caffe does: one value for every spatial
 * axis or one per axis, or the 2-D `_h`/`_w` forms (which exclude the repeated form).
 * Caffe pads symmetrically, so the ONNX pads are `[p…, p…]`.
 *
 * Weights: Convolution `(num_output, C/group, k…)`, Deconvolution `(C, num_output/group,
 * k…)` — the same layouts as ONNX Conv and ConvTranspose, so blobs are used as stored.
 * Output sizes agree too: Caffe's `(H + 2p - (d(k-1)+1)) / s + 1` (floor) is ONNX Conv's,
 * and Caffe's deconvolution `s(H-1) + d(k-1)+1 - 2p` is ConvTranspose's with no
 * output_padding.
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import type { TextMessage } from "../text_message.ts";
import type { LayerContext } from "./context.ts";

/** Spatial geometry of a convolution or pooling window. */
export interface Window {
  readonly kernel: number[];
  readonly stride: number[];
  readonly pad: number[];
  readonly dilation: number[];
}

/** One value per spatial axis from Caffe's repeated/`_h`/`_w` spellings. */
function perAxis(
  ctx: LayerContext,
  p: TextMessage,
  name: string,
  axes: number,
  fallback: number | undefined,
): number[] {
  const h = `${name}_h`;
  const w = `${name}_w`;
  const hasHW = name !== "dilation" && (p.has(h) || p.has(w));
  const list = p.nums(name === "kernel" ? "kernel_size" : name);
  if (hasHW) {
    if (axes !== 2) ctx.fail(`${h}/${w} are for 2-D inputs only`);
    if (list.length > 0) ctx.fail(`give ${name} either as ${h}/${w} or as a list, not both`);
    if (name === "kernel" && !(p.has(h) && p.has(w))) ctx.fail(`needs both ${h} and ${w}`);
    return [p.num(h), p.num(w)];
  }
  if (list.length === 0) {
    if (fallback === undefined) ctx.fail(`needs kernel_size or kernel_h/kernel_w`);
    return Array(axes).fill(fallback);
  }
  if (list.length === 1) return Array(axes).fill(list[0]);
  if (list.length !== axes) {
    ctx.fail(`${name} has ${list.length} values for ${axes} spatial axes; give 1 or ${axes}`);
  }
  return list;
}

function convWindow(ctx: LayerContext, p: TextMessage, axes: number): Window {
  const w = {
    kernel: perAxis(ctx, p, "kernel", axes, undefined),
    stride: perAxis(ctx, p, "stride", axes, 1),
    pad: perAxis(ctx, p, "pad", axes, 0),
    dilation: perAxis(ctx, p, "dilation", axes, 1),
  };
  if (w.kernel.some((k) => k <= 0)) ctx.fail(`kernel size must be positive`);
  if (w.stride.some((s) => s <= 0)) ctx.fail(`stride must be positive`);
  return w;
}

function convert(ctx: LayerContext, transposed: boolean): string[] {
  ctx.arity(1);
  const p = ctx.param("convolution_param");
  if (!p) return ctx.fail(`has no convolution_param`);
  const x = ctx.shape();
  if (p.num("axis") !== 1 && p.num("axis") !== 1 - x.length) {
    ctx.unsupported(`convolution_param.axis ${p.num("axis")} (only the channel axis 1)`);
  }
  if (x.length < 3) ctx.fail(`needs an input of rank 3 or more, found [${x.join(", ")}]`);
  const axes = x.length - 2;
  const win = convWindow(ctx, p, axes);
  const cout = p.num("num_output");
  const group = p.num("group");
  const cin = x[1];
  if (!p.has("num_output") || cout <= 0) ctx.fail(`needs a positive num_output`);
  if (group <= 0 || cin % group !== 0 || cout % group !== 0) {
    ctx.fail(`group ${group} must divide the input channels (${cin}) and num_output (${cout})`);
  }
  const wShape = transposed
    ? [cin, cout / group, ...win.kernel]
    : [cout, cin / group, ...win.kernel];
  const specs = [{ role: "weight", shape: wShape }];
  if (p.bool("bias_term")) specs.push({ role: "bias", shape: [cout] });
  const [w, b] = ctx.blobs(specs);
  const inputs = [ctx.inputs[0], ctx.emit.constant(ctx.constName("weight"), w)];
  if (b) inputs.push(ctx.emit.constant(ctx.constName("bias"), b));
  ctx.node(transposed ? "ConvTranspose" : "Conv", inputs, [ctx.outputs[0]], {
    kernel_shape: attr.ints(win.kernel),
    strides: attr.ints(win.stride),
    pads: attr.ints([...win.pad, ...win.pad]),
    dilations: attr.ints(win.dilation),
    group: attr.int(group),
  });
  return [ctx.outputs[0]];
}

/** Caffe `Convolution`. */
export function convolution(ctx: LayerContext): string[] {
  return convert(ctx, false);
}

/** Caffe `Deconvolution`. */
export function deconvolution(ctx: LayerContext): string[] {
  return convert(ctx, true);
}
