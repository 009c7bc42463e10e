/**
 * InnerProduct → (Flatten) + Gemm (+ Reshape).
 *
 * Caffe lumps every axis from `axis` on into one vector of length K, keeps the axes before
 * it, and multiplies by a weight of shape `(N, K)` (`(K, N)` with `transpose: true`), so
 * axb flattens from `axis` (ONNX Flatten has the same meaning), runs Gemm with `transB`
 * set unless the weight is transposed, and restores the leading axes when there are
 * other than one.
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import { sizeOf } from "../../ir/tensor.ts";
import type { LayerContext } from "./context.ts";

/** Caffe `InnerProduct`. */
export function innerProduct(ctx: LayerContext): string[] {
  ctx.arity(1);
  const p = ctx.param("inner_product_param");
  if (!p || !p.has("num_output")) return ctx.fail(`needs inner_product_param.num_output`);
  const x = ctx.shape();
  const axis = ctx.axis(p.num("axis"), x.length, "inner_product_param.axis");
  const n = p.num("num_output");
  const k = sizeOf(x.slice(axis));
  const transpose = p.bool("transpose");
  const specs = [{ role: "weight", shape: transpose ? [k, n] : [n, k] }];
  if (p.bool("bias_term")) specs.push({ role: "bias", shape: [n] });
  const [w, b] = ctx.blobs(specs);
  let input = ctx.inputs[0];
  if (!(axis === 1 && x.length === 2)) {
    input = ctx.temp("flat");
    ctx.node("Flatten", [ctx.inputs[0]], [input], { axis: attr.int(axis) }, "flatten");
  }
  const outShape = [...x.slice(0, axis), n];
  const reshape = outShape.length !== 2;
  const gemmOut = reshape ? ctx.temp("gemm") : ctx.outputs[0];
  const inputs = [input, ctx.emit.constant(ctx.constName("weight"), w)];
  if (b) inputs.push(ctx.emit.constant(ctx.constName("bias"), b));
  ctx.node(
    "Gemm",
    inputs,
    [gemmOut],
    { transB: attr.int(transpose ? 0 : 1) },
    reshape ? "gemm" : undefined,
  );
  if (reshape) {
    const shape = ctx.emit.ints(ctx.constName("shape"), outShape);
    ctx.node("Reshape", [gemmOut, shape], [ctx.outputs[0]]);
  }
  return [ctx.outputs[0]];
}
