/**
 * Concat and Split: joining and cutting along one axis with contiguous run copies.
 *
 * @module
 */
import { Tensor } from "../../ir/tensor.ts";
import type { Dim, TensorType } from "../../ir/types.ts";
import { defineOp, type ParseContext, type RegisteredOp, type TypedOp } from "../op.ts";
import { intsOf, normalizeAxis, required, where } from "../_util.ts";
import { KernelError } from "../../errors/mod.ts";
import { copyWords, rawView } from "./_layout.ts";
import { constInts, like, list, omitted, shapeOf } from "./_shape.ts";

interface AxisAttrs {
  readonly axis: number;
}

/** ONNX Concat: joins inputs along `axis`; all other dims must match. */
export const concat: RegisteredOp = defineOp<AxisAttrs>({
  opType: "Concat",
  parse: (a) => ({ axis: a.int("axis", 0) }),
  infer(ctx, a) {
    const shapes = ctx.inputTypes.map((t) => t?.shape);
    const first = shapes.find((s) => s !== undefined);
    const dtype = ctx.inputTypes.find((t) => t)?.dtype;
    if (!dtype) return [undefined];
    if (!first) return [{ dtype }];
    const rank = first.length;
    const axis = normalizeAxis(a.axis, rank, ctx);
    const out: Dim[] = [];
    for (let d = 0; d < rank; d++) {
      if (d === axis) {
        let sum: Dim = 0;
        for (const s of shapes) {
          const v = s?.[d];
          sum = typeof sum === "number" && typeof v === "number" ? sum + v : null;
        }
        out.push(sum);
      } else {
        const dims = shapes.map((s) => s?.[d]);
        out.push(
          dims.find((v) => typeof v === "number") ?? dims.find((v) => typeof v === "string") ??
            null,
        );
      }
    }
    return [{ dtype, shape: out }];
  },
  run(inputs, a, ctx) {
    const xs = inputs.filter((t): t is Tensor => t !== undefined);
    if (xs.length === 0) throw new KernelError(`${where(ctx)}: needs at least one input`);
    const ref = xs[0];
    const axis = normalizeAxis(a.axis, ref.rank, ctx);
    let total = 0;
    for (const x of xs) {
      const ok = x.dtype === ref.dtype && x.rank === ref.rank &&
        x.shape.every((d, i) => i === axis || d === ref.shape[i]);
      if (!ok) {
        throw new KernelError(
          `${where(ctx)}: input ${x.dtype} ${list(x.shape)} does not match ${ref.dtype} ${
            list(ref.shape)
          } outside axis ${axis}`,
        );
      }
      total += x.shape[axis];
    }
    const shape = ref.shape.map((d, i) => (i === axis ? total : d));
    const out = new Tensor(ref.dtype, shape);
    const dv = rawView(out.data);
    const k = dv.perElem;
    const outer = ref.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = ref.shape.slice(axis + 1).reduce((p, d) => p * d, 1) * k;
    const srcs = xs.map((x) => ({ words: rawView(x.data).words, run: x.shape[axis] * inner }));
    let o = 0;
    for (let i = 0; i < outer; i++) {
      for (const s of srcs) {
        copyWords(dv.words, o, s.words, i * s.run, s.run);
        o += s.run;
      }
    }
    return [out];
  },
});

/** Parsed Split attributes. */
export interface SplitAttrs {
  readonly axis: number;
  /** Split sizes from the attribute (before opset 13). */
  readonly split?: readonly number[];
  /** opset 18 `num_outputs`: uneven last chunk allowed. */
  readonly numOutputs?: number;
}

/** Chunk sizes for splitting `dim` into `count` outputs. */
export function splitSizes(
  dim: number,
  count: number,
  given: readonly number[] | undefined,
  numOutputs: number | undefined,
  ctx: ParseContext,
): number[] {
  if (given) {
    const sum = given.reduce((p, d) => p + d, 0);
    if (given.length !== count || sum !== dim || given.some((d) => d < 0)) {
      throw new KernelError(
        `${where(ctx)}: split ${list(given)} does not cut a dim of ${dim} into ${count} outputs`,
      );
    }
    return [...given];
  }
  if (numOutputs !== undefined) {
    const chunk = Math.ceil(dim / numOutputs);
    return Array.from(
      { length: numOutputs },
      (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)),
    );
  }
  if (dim % count !== 0) {
    throw new KernelError(`${where(ctx)}: dim ${dim} does not split evenly into ${count} outputs`);
  }
  return new Array<number>(count).fill(dim / count);
}

function givenSplit(
  a: SplitAttrs,
  ctx: ParseContext,
  fromInput: () => number[] | undefined,
): number[] | undefined {
  if (ctx.opset < 13) return a.split ? [...a.split] : undefined;
  return omitted(ctx, 1) ? undefined : fromInput();
}

/** ONNX Split: cuts input along `axis` into the node's outputs. */
export const split: TypedOp<SplitAttrs> = defineOp<SplitAttrs>({
  opType: "Split",
  parse: (a, ctx) => ({
    axis: a.int("axis", 0),
    split: ctx.opset < 13 ? a.intsOpt("split") : undefined,
    numOutputs: ctx.opset >= 18 ? a.intOpt("num_outputs") : undefined,
  }),
  infer(ctx, a) {
    const count = ctx.node.outputs.length;
    const s = shapeOf(ctx, 0);
    const none = (): (TensorType | undefined)[] =>
      new Array(count).fill(undefined).map(() => like(ctx, 0, s ? s.map(() => null) : undefined));
    if (!s) return none();
    const axis = normalizeAxis(a.axis, s.length, ctx);
    const given = givenSplit(a, ctx, () => constInts(ctx, 1));
    const dim = s[axis];
    if (ctx.opset >= 13 && !omitted(ctx, 1) && !given) return none();
    if (!given && typeof dim !== "number") return none();
    const sizes = given ?? splitSizes(dim as number, count, undefined, a.numOutputs, ctx);
    return sizes.map((n) => like(ctx, 0, s.map((d, i) => (i === axis ? n : d))));
  },
  run(inputs, a, ctx) {
    const x = required(inputs, 0, ctx);
    const axis = normalizeAxis(a.axis, x.rank, ctx);
    const count = ctx.node.outputs.length;
    const given = givenSplit(a, ctx, () => (inputs[1] ? intsOf(inputs[1]) : undefined));
    const sizes = splitSizes(x.shape[axis], count, given, a.numOutputs, ctx);
    const sv = rawView(x.data);
    const outer = x.shape.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.shape.slice(axis + 1).reduce((p, d) => p * d, 1) * sv.perElem;
    const rowRun = x.shape[axis] * inner;
    const outs: Tensor[] = [];
    let start = 0;
    for (const n of sizes) {
      const out = new Tensor(x.dtype, x.shape.map((d, i) => (i === axis ? n : d)));
      const dv = rawView(out.data);
      const run = n * inner;
      for (let i = 0; i < outer; i++) {
        copyWords(dv.words, i * run, sv.words, i * rowRun + start, run);
      }
      start += run;
      outs.push(out);
    }
    return outs;
  },
});
