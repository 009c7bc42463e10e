/**
 * Conv: N-d convolution with groups, pads/auto_pad, strides, dilations and bias.
 *
 * @module
 */
import type { AttrReader } from "../../ir/attribute.ts";
import { asFloat32, fromFloat32, Tensor } from "../../ir/tensor.ts";
import type { Dim } from "../../ir/types.ts";
import { KernelError } from "../../errors/mod.ts";
import { defineOp, type KernelContext, type ParseContext, type TypedOp } from "../op.ts";
import type { ActivationEpilogue } from "../epilogue.ts";
import { required, where } from "../_util.ts";
import { readWindowAttrs, resolveWindow, type WindowAttrs, windowOutDims } from "./_spatial.ts";
import { convF32, type ConvShape } from "./conv_kernel.ts";

/** Parsed Conv attributes. */
export interface ConvAttrs extends WindowAttrs {
  readonly group: number;
}

/** Parse the attributes Conv, ConvInteger and QLinearConv share. */
export function parseConvAttrs(
  attrs: AttrReader,
  ctx: ParseContext,
): ConvAttrs {
  const group = attrs.int("group", 1);
  if (group < 1) throw new KernelError(`${where(ctx)}: group is ${group}, expected >= 1`);
  return { ...readWindowAttrs(attrs, ctx), group };
}

/** Output shape of a convolution from (possibly symbolic) X and W shapes. */
export function convOutDims(
  x: readonly Dim[] | undefined,
  w: readonly Dim[] | undefined,
  a: ConvAttrs,
  ctx: ParseContext,
): Dim[] | undefined {
  if (!x) return undefined;
  const spatial = x.slice(2);
  let kernel: number[] | undefined = a.kernelShape ? [...a.kernelShape] : undefined;
  if (!kernel && w && w.slice(2).every((d) => typeof d === "number")) {
    kernel = w.slice(2) as number[];
  }
  const m: Dim = w ? w[0] : null;
  return [x[0], m, ...windowOutDims(a, spatial, kernel, ctx)];
}

/** Everything a float kernel needs, checked against the actual tensors. */
export function convShapeOf(
  x: readonly number[],
  w: readonly number[],
  a: ConvAttrs,
  ctx: ParseContext,
): ConvShape {
  if (x.length < 3 || w.length !== x.length) {
    throw new KernelError(
      `${where(ctx)}: X has shape [${x.join(", ")}] and W [${w.join(", ")}], expected ` +
        `X [N, C, spatial…] and W [M, C/group, kernel…] of equal rank >= 3`,
    );
  }
  const c = x[1];
  const m = w[0];
  if (c % a.group !== 0 || m % a.group !== 0 || w[1] * a.group !== c) {
    throw new KernelError(
      `${where(ctx)}: X has ${c} channels, W is [${w.join(", ")}] and group is ${a.group}, ` +
        `expected W[1]·group = C and M divisible by group`,
    );
  }
  const kernel = w.slice(2);
  if (a.kernelShape && a.kernelShape.some((k, i) => k !== kernel[i])) {
    throw new KernelError(
      `${where(ctx)}: kernel_shape [${a.kernelShape.join(", ")}] does not match W spatial ` +
        `dims [${kernel.join(", ")}]`,
    );
  }
  const window = resolveWindow(a, x.slice(2), kernel, ctx);
  return {
    batch: x[0],
    inChannels: c,
    outChannels: m,
    group: a.group,
    inSpatial: x.slice(2),
    window,
  };
}

/** Conv (opset 1, 11, 22). */
export const conv: TypedOp<ConvAttrs> = defineOp<ConvAttrs>({
  opType: "Conv",
  parse: parseConvAttrs,
  infer(ctx, a) {
    const x = ctx.inputTypes[0];
    const w = ctx.inputTypes[1];
    return [{ dtype: x?.dtype ?? "f32", shape: convOutDims(x?.shape, w?.shape, a, ctx) }];
  },
  run(inputs, a, ctx) {
    return runConv(inputs, a, ctx);
  },
  absorbs: ["relu", "clip"],
  runEpilogue(inputs, a, ctx, epilogue) {
    // an epilogue after a non-float32 output acts on the converted values (whose
    // rounding can turn a tiny negative into −0, which Relu keeps)
    if (inputs[0]?.dtype !== "f32") return undefined;
    if (epilogue.kind !== "relu" && epilogue.kind !== "clip") return undefined;
    return runConv(inputs, a, ctx, epilogue);
  },
});

function runConv(
  inputs: readonly (Tensor | undefined)[],
  a: ConvAttrs,
  ctx: KernelContext,
  epilogue?: ActivationEpilogue,
): Tensor[] {
  const x = required(inputs, 0, ctx);
  const w = required(inputs, 1, ctx);
  const b = inputs[2];
  const shape = convShapeOf(x.shape, w.shape, a, ctx);
  if (b && b.size !== shape.outChannels) {
    throw new KernelError(
      `${where(ctx)}: bias has ${b.size} elements, expected ${shape.outChannels}`,
    );
  }
  const y = convF32(asFloat32(x), asFloat32(w), b ? asFloat32(b) : undefined, shape, {
    epilogue,
    // a float32 initializer is its own storage, the same array on every run
    constantWeights: w.dtype === "f32" && (ctx.isConstantInput?.(1) ?? false),
  });
  const outShape = [shape.batch, shape.outChannels, ...shape.window.outShape];
  if (x.dtype === "f32") return [new Tensor("f32", outShape, y)];
  return [fromFloat32(x.dtype, outShape, y)];
}
