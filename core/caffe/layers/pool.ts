/**
 * Pooling → ONNX MaxPool / AveragePool / GlobalMaxPool / GlobalAveragePool, with Caffe's
 * arithmetic reproduced exactly rather than approximated by `ceil_mode`:
 *
 * - Output size: `ceil((H + 2p - k) / s) + 1` (or floor with `round_mode: FLOOR`); when
 *   there is padding, a last window that would start at or beyond `H + p` is dropped
 *   (`(out - 1) s >= H + p` → `out - 1`). axb then writes floor-mode ONNX pooling with the
 *   end padding widened by `e = max(0, (out - 1) s + k - (H + 2p))`, which gives the same
 *   windows on every runtime.
 * - MAX ignores padding, so widened end padding changes nothing.
 * - AVE divides by `min(start + k, H + p) - start` per axis (`start = o s - p`): padding up
 *   to `p` counts, the widened part does not. When no window reaches past `H + p` (e = 0)
 *   that is `k`, i.e. AveragePool with count_include_pad = 1. When `p = 0` it is the count
 *   of real elements, i.e. count_include_pad = 0. Otherwise axb zero-pads explicitly
 *   (Pad), sums full windows (AveragePool without padding, divisor `k_h k_w`) and rescales
 *   each output position by `k_h k_w / (d_h d_w)` (Mul by a constant).
 * - A window lying wholly outside the input (possible only with `s > k` and no padding)
 *   has no Caffe meaning worth keeping and is refused.
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import type { LayerContext } from "./context.ts";

interface Axis {
  size: number;
  kernel: number;
  stride: number;
  pad: number;
  out: number;
  extra: number;
}

function both(v: number): number[] {
  return [v, v];
}

/** Caffe `Pooling`. */
export function pooling(ctx: LayerContext): string[] {
  ctx.arity(1);
  const p = ctx.param("pooling_param");
  const x = ctx.shape();
  if (x.length !== 4) ctx.fail(`needs an NCHW input, found [${x.join(", ")}]`);
  const method = p?.enumName("pool") ?? "MAX";
  if (method === "STOCHASTIC") ctx.unsupported(`pool STOCHASTIC (only MAX and AVE)`);
  const out = [ctx.outputs[0]];
  if (p?.bool("global_pooling")) {
    if (p.has("kernel_size") || p.has("kernel_h") || p.has("kernel_w")) {
      ctx.fail(`global_pooling takes no kernel size`);
    }
    if (p.num("pad") || p.num("pad_h") || p.num("pad_w")) ctx.fail(`global_pooling needs pad 0`);
    ctx.node(method === "MAX" ? "GlobalMaxPool" : "GlobalAveragePool", ctx.inputs, out);
    return out;
  }
  if (!p) return ctx.fail(`has no pooling_param`);
  const hasKhw = p.has("kernel_h") || p.has("kernel_w");
  if (hasKhw === p.has("kernel_size") || (hasKhw && !(p.has("kernel_h") && p.has("kernel_w")))) {
    ctx.fail(`needs kernel_size or both kernel_h and kernel_w`);
  }
  const kernel = hasKhw ? [p.num("kernel_h"), p.num("kernel_w")] : both(p.num("kernel_size"));
  const hasPhw = p.has("pad_h") || p.has("pad_w");
  const pad = hasPhw ? [p.num("pad_h"), p.num("pad_w")] : both(p.num("pad"));
  const hasShw = p.has("stride_h") || p.has("stride_w");
  const stride = hasShw
    ? [p.has("stride_h") ? p.num("stride_h") : 1, p.has("stride_w") ? p.num("stride_w") : 1]
    : both(p.num("stride"));
  if (kernel.some((k) => k <= 0) || stride.some((s) => s <= 0)) {
    ctx.fail(`kernel and stride must be positive`);
  }
  if (pad.some((q, i) => q >= kernel[i])) ctx.fail(`pad must be smaller than the kernel`);
  const ceil = p.enumName("round_mode") !== "FLOOR";
  const padded = pad[0] > 0 || pad[1] > 0;
  const axes = [0, 1].map((i): Axis => {
    const size = x[2 + i];
    const span = size + 2 * pad[i] - kernel[i];
    if (span < 0) {
      ctx.fail(`kernel ${kernel[i]} is larger than the padded input (${size + 2 * pad[i]})`);
    }
    let o = (ceil ? Math.ceil(span / stride[i]) : Math.floor(span / stride[i])) + 1;
    if (padded && (o - 1) * stride[i] >= size + pad[i]) o--;
    if ((o - 1) * stride[i] - pad[i] >= size) {
      ctx.unsupported(`a pooling window that starts outside the input (stride > kernel)`);
    }
    const extra = Math.max(0, (o - 1) * stride[i] + kernel[i] - (size + 2 * pad[i]));
    return { size, kernel: kernel[i], stride: stride[i], pad: pad[i], out: o, extra };
  });
  const [ah, aw] = axes;
  const common = {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(stride),
  };
  const widened = attr.ints([ah.pad, aw.pad, ah.pad + ah.extra, aw.pad + aw.extra]);
  if (method === "MAX") {
    ctx.node("MaxPool", ctx.inputs, out, { ...common, pads: widened });
    return out;
  }
  if (ah.extra === 0 && aw.extra === 0) {
    ctx.node("AveragePool", ctx.inputs, out, {
      ...common,
      pads: widened,
      ...(padded ? { count_include_pad: attr.int(1) } : {}),
    });
    return out;
  }
  if (!padded) {
    ctx.node("AveragePool", ctx.inputs, out, { ...common, pads: widened });
    return out;
  }
  const pads = ctx.emit.ints(ctx.constName("pads"), [
    0,
    0,
    ah.pad,
    aw.pad,
    0,
    0,
    ah.pad + ah.extra,
    aw.pad + aw.extra,
  ]);
  const xp = ctx.temp("padded");
  ctx.node("Pad", [ctx.inputs[0], pads], [xp], {}, "pad");
  const mean = ctx.temp("window_mean");
  ctx.node("AveragePool", [xp], [mean], common, "pool");
  const factor = new Float32Array(ah.out * aw.out);
  const dh = divisors(ah);
  const dw = divisors(aw);
  for (let i = 0; i < ah.out; i++) {
    for (let j = 0; j < aw.out; j++) {
      factor[i * aw.out + j] = (ah.kernel * aw.kernel) / (dh[i] * dw[j]);
    }
  }
  const f = ctx.emit.floats(ctx.constName("divisor_fix"), [1, 1, ah.out, aw.out], factor);
  ctx.node("Mul", [mean, f], out);
  return out;
}

/** Caffe's per-position average divisor along one axis. */
function divisors(a: Axis): number[] {
  const d: number[] = [];
  for (let o = 0; o < a.out; o++) {
    const start = o * a.stride - a.pad;
    d.push(Math.min(start + a.kernel, a.size + a.pad) - start);
  }
  return d;
}
