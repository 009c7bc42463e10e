/**
 * Layers that combine, split or rearrange blobs: Eltwise, Concat, Slice, Split, Dropout,
 * Flatten, Reshape, Permute, Softmax and Crop.
 *
 * - Eltwise SUM is `Σ coeff_i x_i` (coefficients default to 1; a coefficient other than 1
 *   becomes a Mul by a constant, `[1, -1]` a Sub), PROD a chain of Mul, MAX one Max.
 *   Caffe requires equal shapes (no broadcasting) and so does axb.
 * - Split and Dropout (identity at inference) add no node: their tops name the bottom's
 *   value. Slice with one top does the same.
 * - Flatten and Reshape write ONNX Reshape with 0 ("copy this dimension") for the axes
 *   before the reshaped range, so the batch dimension is not baked in; Caffe's 0 and -1
 *   inside `reshape_param.shape` mean what ONNX's do at the same position.
 * - Permute's `order` may list only the leading axes; the rest follow in order (as SSD).
 * - Crop keeps the axes before `axis` and cuts the rest to the reference bottom's size at
 *   `offset` (one offset for all cropped axes, or one each).
 *
 * @module
 */
import { attr } from "../../ir/builder.ts";
import { sizeOf } from "../../ir/tensor.ts";
import type { LayerContext } from "./context.ts";

function sameShapes(ctx: LayerContext): number[] {
  const first = ctx.shape(0);
  ctx.inputs.forEach((_, i) => {
    const s = ctx.shape(i);
    if (s.length !== first.length || s.some((d, k) => d !== first[k])) {
      ctx.fail(
        `bottom ${i} has shape [${s.join(", ")}], bottom 0 has [${
          first.join(", ")
        }]; Eltwise needs equal shapes`,
      );
    }
  });
  return first;
}

/** Caffe `Eltwise`. */
export function eltwise(ctx: LayerContext): string[] {
  const n = ctx.layer.bottoms.length;
  ctx.arity([2, Number.MAX_SAFE_INTEGER]);
  ctx.blobs([]);
  sameShapes(ctx);
  const p = ctx.param("eltwise_param");
  const op = p?.enumName("operation") ?? "SUM";
  const coeff = p?.nums("coeff") ?? [];
  if (coeff.length > 0 && (op !== "SUM" || coeff.length !== n)) {
    ctx.fail(
      op !== "SUM"
        ? `coeff is only for operation SUM`
        : `has ${n} bottoms but ${coeff.length} coeff values`,
    );
  }
  const out = ctx.outputs[0];
  if (op === "MAX") {
    ctx.node("Max", ctx.inputs, [out]);
    return [out];
  }
  if (op === "SUM" && n === 2 && coeff[0] === 1 && coeff[1] === -1) {
    ctx.node("Sub", ctx.inputs, [out]);
    return [out];
  }
  const terms = ctx.inputs.map((x, i) => {
    const c = coeff[i] ?? 1;
    if (c === 1) return x;
    const t = ctx.temp(`term${i}`);
    ctx.node(
      "Mul",
      [x, ctx.emit.floats(ctx.constName(`coeff${i}`), [], [c])],
      [t],
      {},
      `coeff${i}`,
    );
    return t;
  });
  const binary = op === "SUM" ? "Add" : "Mul";
  let acc = terms[0];
  for (let i = 1; i < terms.length; i++) {
    const last = i === terms.length - 1;
    const next = last ? out : ctx.temp(`partial${i}`);
    ctx.node(binary, [acc, terms[i]], [next], {}, last ? undefined : `partial${i}`);
    acc = next;
  }
  return [out];
}

/** Caffe `Concat`. */
export function concat(ctx: LayerContext): string[] {
  ctx.arity([1, Number.MAX_SAFE_INTEGER]);
  ctx.blobs([]);
  const p = ctx.param("concat_param");
  const rank = ctx.shape().length;
  const raw = p?.has("concat_dim") ? p.num("concat_dim") : p?.num("axis") ?? 1;
  const axis = ctx.axis(raw, rank, "concat_param.axis");
  if (ctx.inputs.length === 1) return [ctx.inputs[0]];
  ctx.node("Concat", ctx.inputs, [ctx.outputs[0]], { axis: attr.int(axis) });
  return [ctx.outputs[0]];
}

/** Caffe `Slice`. */
export function slice(ctx: LayerContext): string[] {
  const tops = ctx.layer.tops.length;
  ctx.arity(1, Math.max(tops, 1));
  ctx.blobs([]);
  const p = ctx.param("slice_param");
  const x = ctx.shape();
  const raw = p?.has("slice_dim") ? p.num("slice_dim") : p?.num("axis") ?? 1;
  const axis = ctx.axis(raw, x.length, "slice_param.axis");
  const points = p?.nums("slice_point") ?? [];
  const dim = x[axis];
  let sizes: number[];
  if (points.length > 0) {
    if (points.length !== tops - 1) {
      ctx.fail(`has ${tops} tops but ${points.length} slice_point values (need ${tops - 1})`);
    }
    const bounds = [0, ...points, dim];
    sizes = bounds.slice(1).map((b, i) => b - bounds[i]);
    if (sizes.some((s) => s <= 0)) {
      ctx.fail(`slice_point values must increase within 1..${dim - 1}`);
    }
  } else {
    if (dim % tops !== 0) {
      ctx.fail(`cannot split axis ${axis} of size ${dim} into ${tops} equal parts`);
    }
    sizes = Array(tops).fill(dim / tops);
  }
  if (tops === 1) return [ctx.inputs[0]];
  const split = ctx.emit.ints(ctx.constName("split"), sizes);
  ctx.node("Split", [ctx.inputs[0], split], ctx.outputs, { axis: attr.int(axis) });
  return [...ctx.outputs];
}

/** Caffe `Split`: every top is the bottom. */
export function split(ctx: LayerContext): string[] {
  ctx.arity(1, Math.max(ctx.layer.tops.length, 1));
  ctx.blobs([]);
  return ctx.layer.tops.map(() => ctx.inputs[0]);
}

/** Caffe `Dropout`: identity at inference. */
export function dropout(ctx: LayerContext): string[] {
  ctx.arity(1);
  ctx.blobs([]);
  return [ctx.inputs[0]];
}

/** Caffe `Flatten`. */
export function flatten(ctx: LayerContext): string[] {
  ctx.arity(1);
  ctx.blobs([]);
  const p = ctx.param("flatten_param");
  const x = ctx.shape();
  const axis = ctx.axis(p?.num("axis") ?? 1, x.length, "flatten_param.axis");
  const end = ctx.axis(p?.num("end_axis") ?? -1, x.length, "flatten_param.end_axis");
  if (end < axis) ctx.fail(`end_axis ${end} is before axis ${axis}`);
  const shape = [...Array(axis).fill(0), -1, ...x.slice(end + 1)];
  const s = ctx.emit.ints(ctx.constName("shape"), shape);
  ctx.node("Reshape", [ctx.inputs[0], s], [ctx.outputs[0]]);
  return [ctx.outputs[0]];
}

/** Caffe `Reshape`. */
export function reshape(ctx: LayerContext): string[] {
  ctx.arity(1);
  ctx.blobs([]);
  const p = ctx.param("reshape_param");
  const spec = p?.msg("shape")?.nums("dim") ?? [];
  const x = ctx.shape();
  const rawAxis = p?.num("axis") ?? 0;
  const start = rawAxis >= 0 ? rawAxis : x.length + rawAxis + 1;
  if (start < 0 || start > x.length) {
    ctx.fail(`reshape_param.axis ${rawAxis} is out of range for rank ${x.length}`);
  }
  const numAxes = p?.num("num_axes") ?? -1;
  if (numAxes < -1) ctx.fail(`reshape_param.num_axes ${numAxes} must be -1 or more`);
  const end = numAxes === -1 ? x.length : start + numAxes;
  if (end > x.length) {
    ctx.fail(`reshape_param axis ${start} + num_axes ${numAxes} exceed rank ${x.length}`);
  }
  if (spec.filter((d) => d === -1).length > 1) ctx.fail(`reshape_param.shape has more than one -1`);
  spec.forEach((d, i) => {
    if (d === 0 && start + i >= x.length) {
      ctx.fail(`reshape_param.shape dim ${i} is 0 but the input has no axis ${start + i} to copy`);
    }
    if (d < -1) ctx.fail(`reshape_param.shape dim ${i} is ${d}`);
  });
  const trailing = x.slice(end);
  const onnx = [...Array(start).fill(0), ...spec, ...trailing];
  const known = onnx.reduce((a, d, i) => a * (d === -1 ? 1 : d === 0 ? x[i] : d), 1);
  if (spec.includes(-1) ? sizeOf(x) % known !== 0 : known !== sizeOf(x)) {
    ctx.fail(`cannot reshape [${x.join(", ")}] to [${onnx.join(", ")}]`);
  }
  const s = ctx.emit.ints(ctx.constName("shape"), onnx);
  ctx.node("Reshape", [ctx.inputs[0], s], [ctx.outputs[0]]);
  return [ctx.outputs[0]];
}

/** SSD `Permute`. */
export function permute(ctx: LayerContext): string[] {
  ctx.arity(1);
  ctx.blobs([]);
  const rank = ctx.shape().length;
  const order = ctx.param("permute_param")?.nums("order") ?? [];
  if (order.some((a) => a >= rank) || new Set(order).size !== order.length) {
    ctx.fail(`permute_param.order [${order.join(", ")}] must list distinct axes below ${rank}`);
  }
  const perm = [
    ...order,
    ...Array.from({ length: rank }, (_, i) => i).filter((i) => !order.includes(i)),
  ];
  ctx.node("Transpose", ctx.inputs, [ctx.outputs[0]], { perm: attr.ints(perm) });
  return [ctx.outputs[0]];
}

/** Caffe `Softmax`. */
export function softmax(ctx: LayerContext): string[] {
  ctx.arity(1);
  ctx.blobs([]);
  const axis = ctx.axis(
    ctx.param("softmax_param")?.num("axis") ?? 1,
    ctx.shape().length,
    "softmax_param.axis",
  );
  ctx.node("Softmax", ctx.inputs, [ctx.outputs[0]], { axis: attr.int(axis) });
  return [ctx.outputs[0]];
}

/** Caffe `Crop`. */
export function crop(ctx: LayerContext): string[] {
  ctx.arity(2);
  ctx.blobs([]);
  const p = ctx.param("crop_param");
  const x = ctx.shape(0);
  const ref = ctx.shape(1);
  if (ref.length !== x.length) {
    ctx.fail(`bottom 1 has rank ${ref.length}, bottom 0 has rank ${x.length}`);
  }
  const axis = ctx.axis(p?.num("axis") ?? 2, x.length, "crop_param.axis");
  const offsets = p?.nums("offset") ?? [];
  const n = x.length - axis;
  if (offsets.length > 1 && offsets.length !== n) {
    ctx.fail(`has ${offsets.length} offsets for ${n} cropped axes; give 1 or ${n}`);
  }
  const axes: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = axis; i < x.length; i++) {
    const off = offsets.length === 0 ? 0 : offsets.length === 1 ? offsets[0] : offsets[i - axis];
    if (off + ref[i] > x[i]) {
      ctx.fail(`offset ${off} + size ${ref[i]} exceeds axis ${i} of size ${x[i]}`);
    }
    axes.push(i);
    starts.push(off);
    ends.push(off + ref[i]);
  }
  ctx.node("Slice", [
    ctx.inputs[0],
    ctx.emit.ints(ctx.constName("starts"), starts),
    ctx.emit.ints(ctx.constName("ends"), ends),
    ctx.emit.ints(ctx.constName("axes"), axes),
  ], [ctx.outputs[0]]);
  return [ctx.outputs[0]];
}
