/**
 * Resize (opsets 10, 11, 13, 18, 19) and the deprecated Upsample (opsets 7, 9).
 *
 * Resize-10 and Upsample map coordinates asymmetrically with "simple" nearest rounding
 * (floor when enlarging, ceil when shrinking). From opset 11 the inputs are
 * `(X, roi, scales, sizes)` with the full set of coordinate transforms; opset 18 adds
 * `axes`, `keep_aspect_ratio_policy` and `antialias`. Output dims are `floor(in · scale)`
 * for scales and `sizes` (or `round(in · common scale)` under a keep-aspect policy).
 *
 * @module
 */
import {
  defineOp,
  type InferContext,
  type ParseContext,
  type RegisteredOp,
  type TypedOp,
} from "../op.ts";
import { normalizeAxis, required, where } from "../_util.ts";
import { type Tensor, toNumbers } from "../../ir/tensor.ts";
import type { AttrReader } from "../../ir/attribute.ts";
import type { Dim, TensorType } from "../../ir/types.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import type { AxisSpec, CoordMode, InterpMode, NearestMode, ResampleOpts } from "./_resample.ts";
import { resampleTensor } from "./_resample_nd.ts";

/** keep_aspect_ratio_policy of Resize-18. */
export type AspectPolicy = "stretch" | "not_larger" | "not_smaller";

/** Parsed attributes of Resize and Upsample. */
export interface ResizeAttrs extends ResampleOpts {
  /** Which input carries what: Resize-10/Upsample-9 `(X, scales)`, Resize-11+ `(X, roi, scales, sizes)`, Upsample-7 scales attribute. */
  readonly layout: "xs" | "xrss" | "attr";
  readonly scalesAttr?: readonly number[];
  readonly extrapolation: number;
  readonly axes?: readonly number[];
  readonly aspect: AspectPolicy;
}

const COORD_MODES: readonly CoordMode[] = [
  "half_pixel",
  "half_pixel_symmetric",
  "pytorch_half_pixel",
  "align_corners",
  "asymmetric",
  "tf_half_pixel_for_nn",
  "tf_crop_and_resize",
];
const NEAREST_MODES: readonly NearestMode[] = [
  "round_prefer_floor",
  "round_prefer_ceil",
  "floor",
  "ceil",
];

function pick<T extends string>(
  value: string,
  allowed: readonly T[],
  field: string,
  ctx: ParseContext,
): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) {
    throw new UnsupportedOpError(
      ctx.node.opType,
      ctx.node.name,
      `has ${field} "${value}", expected one of ${allowed.join(", ")}`,
    );
  }
  return found;
}

function parseMode(a: AttrReader, ctx: ParseContext, allowCubic: boolean): InterpMode {
  const raw = a.string("mode", "nearest");
  const m = raw === "bilinear" || raw === "trilinear" ? "linear" : raw;
  const modes: readonly InterpMode[] = allowCubic
    ? ["nearest", "linear", "cubic"]
    : ["nearest", "linear"];
  return pick(m, modes, "mode", ctx);
}

function parseResize(a: AttrReader, ctx: ParseContext): ResizeAttrs {
  if (ctx.opset < 11) {
    return {
      layout: "xs",
      mode: parseMode(a, ctx, false),
      coord: "asymmetric",
      nearest: "simple",
      cubicA: -0.75,
      excludeOutside: false,
      antialias: false,
      extrapolation: 0,
      aspect: "stretch",
    };
  }
  const v18 = ctx.opset >= 18;
  const axes = v18 ? a.intsOpt("axes") : undefined;
  return {
    layout: "xrss",
    mode: parseMode(a, ctx, true),
    coord: pick(
      a.string("coordinate_transformation_mode", "half_pixel"),
      COORD_MODES,
      "coordinate_transformation_mode",
      ctx,
    ),
    nearest: pick(
      a.string("nearest_mode", "round_prefer_floor"),
      NEAREST_MODES,
      "nearest_mode",
      ctx,
    ),
    cubicA: a.float("cubic_coeff_a", -0.75),
    excludeOutside: a.int("exclude_outside", 0) !== 0,
    antialias: v18 && a.int("antialias", 0) !== 0,
    extrapolation: a.float("extrapolation_value", 0),
    axes,
    aspect: v18
      ? pick(
        a.string("keep_aspect_ratio_policy", "stretch"),
        ["stretch", "not_larger", "not_smaller"] as const,
        "keep_aspect_ratio_policy",
        ctx,
      )
      : "stretch",
  };
}

function parseUpsample(a: AttrReader, ctx: ParseContext): ResizeAttrs {
  return {
    layout: ctx.opset < 9 ? "attr" : "xs",
    scalesAttr: ctx.opset < 9 ? a.floats("scales", []) : undefined,
    mode: parseMode(a, ctx, false),
    coord: "asymmetric",
    nearest: "simple",
    cubicA: -0.75,
    excludeOutside: false,
    antialias: false,
    extrapolation: 0,
    aspect: "stretch",
  };
}

/** A present, non-empty tensor input, else undefined. */
function nonEmpty(t: Tensor | undefined): Tensor | undefined {
  return t && t.size > 0 ? t : undefined;
}

/** Per-dim output length and scale; null where the dim is unchanged. */
function plan(
  inShape: readonly number[],
  scales: readonly number[] | undefined,
  sizes: readonly number[] | undefined,
  attrs: ResizeAttrs,
  ctx: ParseContext,
): { outLen: number[]; scale: number[]; axes: number[] } {
  const rank = inShape.length;
  const axes = attrs.axes
    ? attrs.axes.map((a) => normalizeAxis(a, rank, ctx))
    : [...Array(rank).keys()];
  const outLen = inShape.slice();
  const scale = new Array<number>(rank).fill(1);
  const given = sizes ?? scales;
  if (!given) {
    throw new KernelError(`${where(ctx)}: neither scales nor sizes is given; expected one of them`);
  }
  if (given.length !== axes.length) {
    throw new KernelError(
      `${where(ctx)}: ${sizes ? "sizes" : "scales"} has ${given.length} values, expected ` +
        `${axes.length} (one per resized axis)`,
    );
  }
  if (sizes && attrs.aspect !== "stretch") {
    let s = attrs.aspect === "not_larger" ? Infinity : 0;
    axes.forEach((ax, i) => {
      const r = sizes[i] / inShape[ax];
      s = attrs.aspect === "not_larger" ? Math.min(s, r) : Math.max(s, r);
    });
    for (const ax of axes) {
      scale[ax] = s;
      outLen[ax] = Math.round(s * inShape[ax]);
    }
  } else {
    axes.forEach((ax, i) => {
      if (sizes) {
        outLen[ax] = sizes[i];
        scale[ax] = inShape[ax] > 0 ? sizes[i] / inShape[ax] : 1;
      } else {
        const sc = given[i];
        if (!(sc > 0)) {
          throw new KernelError(`${where(ctx)}: scale ${sc} on axis ${ax} must be positive`);
        }
        scale[ax] = sc;
        outLen[ax] = Math.floor(inShape[ax] * sc);
      }
    });
  }
  return { outLen, scale, axes };
}

function runResize(inputs: readonly (Tensor | undefined)[], attrs: ResizeAttrs, ctx: ParseContext) {
  const x = required(inputs, 0, ctx);
  let scales: number[] | undefined;
  let sizes: number[] | undefined;
  let roi: number[] | undefined;
  if (attrs.layout === "attr") scales = [...(attrs.scalesAttr ?? [])];
  else if (attrs.layout === "xs") scales = toNumbers(required(inputs, 1, ctx));
  else {
    const r = nonEmpty(inputs[1]);
    roi = r ? toNumbers(r) : undefined;
    const sc = nonEmpty(inputs[2]);
    scales = sc ? toNumbers(sc) : undefined;
    const sz = nonEmpty(inputs[3]);
    sizes = sz ? toNumbers(sz) : undefined;
    if (sizes) scales = undefined;
  }
  const p = plan(x.shape, scales, sizes, attrs, ctx);
  const specs: (AxisSpec | undefined)[] = new Array(x.rank).fill(undefined);
  const crop = attrs.coord === "tf_crop_and_resize";
  if (crop && roi && roi.length !== 2 * p.axes.length) {
    throw new KernelError(
      `${where(ctx)}: roi has ${roi.length} values, expected ${2 * p.axes.length}`,
    );
  }
  p.axes.forEach((ax, i) => {
    const same = p.outLen[ax] === x.shape[ax] && p.scale[ax] === 1 && !crop;
    if (same) return;
    specs[ax] = {
      inLen: x.shape[ax],
      outLen: p.outLen[ax],
      scale: p.scale[ax],
      roiStart: crop && roi ? roi[i] : 0,
      roiEnd: crop && roi ? roi[i + p.axes.length] : 1,
    };
  });
  return [resampleTensor(x, specs, attrs, attrs.extrapolation, where(ctx))];
}

function inferResize(ctx: InferContext, attrs: ResizeAttrs): (TensorType | undefined)[] {
  const t = ctx.inputTypes[0];
  if (!t) return [undefined];
  const shape = t.shape;
  if (!shape) return [{ dtype: t.dtype }];
  const unknown = { dtype: t.dtype, shape: shape.map((): Dim => null) };
  if (!shape.every((d): d is number => typeof d === "number")) return [unknown];
  let scales: number[] | undefined;
  let sizes: number[] | undefined;
  if (attrs.layout === "attr") scales = [...(attrs.scalesAttr ?? [])];
  else if (attrs.layout === "xs") {
    const c = ctx.constantInput(1);
    if (!c) return [unknown];
    scales = toNumbers(c);
  } else {
    const sz = ctx.inputTypes[3] ? ctx.constantInput(3) : undefined;
    const sc = ctx.inputTypes[2] ? ctx.constantInput(2) : undefined;
    if (sz && sz.size > 0) sizes = toNumbers(sz);
    else if (sc && sc.size > 0) scales = toNumbers(sc);
    else return [unknown];
  }
  return [{ dtype: t.dtype, shape: plan(shape, scales, sizes, attrs, ctx).outLen }];
}

/** Resize: nearest / linear / cubic resampling with ONNX coordinate transforms. */
export const resize: TypedOp<ResizeAttrs> = defineOp<ResizeAttrs>({
  opType: "Resize",
  parse: parseResize,
  infer: inferResize,
  run: runResize,
});

/** Upsample (deprecated): nearest / linear with asymmetric coordinates. */
export const upsample: RegisteredOp = defineOp<ResizeAttrs>({
  opType: "Upsample",
  parse: parseUpsample,
  infer: inferResize,
  run: runResize,
});
