/**
 * Loop: run `body` while `iter < M` and `cond` holds. Body inputs are (iteration_num,
 * cond_in, v_1..v_N); body outputs (cond_out, v_1..v_N, scan_1..scan_K). The node
 * returns the final loop-carried values (tensors, sequences or optionals) and each scan
 * output (a tensor) stacked along a new axis 0.
 *
 * @module
 */
import { KernelError } from "../../errors/mod.ts";
import type { Graph } from "../../ir/graph.ts";
import { readNumber, scalar, type Tensor } from "../../ir/tensor.ts";
import type { ValueType } from "../../ir/types.ts";
import { isTensor, OptionalValue, type Value } from "../../ir/value.ts";
import { where } from "../_util.ts";
import { defineValueOp, type KernelContext, type TypedOp } from "../op.ts";
import { bodyTensors, stackAlong, staticShapeOf, tensorTypeOf } from "./_stack.ts";

/** Parsed Loop attributes. */
export interface LoopAttrs {
  readonly body: Graph;
}

/** A scalar control input (trip count or condition) as a number, undefined when omitted. */
function scalarInput(v: Value | undefined, what: string, ctx: KernelContext) {
  if (v === undefined) return undefined;
  if (!isTensor(v) || v.size !== 1) {
    throw new KernelError(`${where(ctx)}: ${what} must be a one-element tensor`);
  }
  return readNumber(v, 0);
}

/** An omitted loop-carried input of optional type (opset 16) is an empty optional. */
function emptyOptional(type: ValueType | undefined): OptionalValue | undefined {
  return type && "kind" in type && type.kind === "optional"
    ? new OptionalValue(type.elem, undefined)
    : undefined;
}

/** Loop (opsets 1-21). */
export const loop: TypedOp<LoopAttrs> = defineValueOp<LoopAttrs>({
  opType: "Loop",
  parse(attrs, ctx) {
    const body = attrs.graph("body");
    const n = ctx.node.inputs.length - 2;
    if (body.inputs.length !== n + 2 || body.outputs.length < n + 1) {
      throw new KernelError(
        `${where(ctx)}: body has ${body.inputs.length} inputs and ${body.outputs.length} ` +
          `outputs, expected ${n + 2} inputs and at least ${
            n + 1
          } outputs for ${n} loop-carried values`,
      );
    }
    return { body };
  },
  infer(ctx, attrs) {
    const n = ctx.node.inputs.length - 2;
    const trip = ctx.constantInput(0);
    const tripDim = trip ? readNumber(trip, 0) : null;
    return ctx.node.outputs.map((_, i): ValueType | undefined => {
      const bodyOut = attrs.body.outputs[i + 1]?.type;
      if (i < n) {
        const inType = ctx.inputTypes[i + 2];
        if (inType && !("kind" in inType)) {
          const shape = bodyOut && !("kind" in bodyOut) ? bodyOut.shape : inType.shape;
          return { dtype: inType.dtype, shape };
        }
        return bodyOut ?? inType;
      }
      const bodyType = tensorTypeOf(attrs.body.outputs[i + 1]);
      if (!bodyType) return undefined;
      return {
        dtype: bodyType.dtype,
        shape: bodyType.shape ? [tripDim, ...bodyType.shape] : undefined,
      };
    });
  },
  run(inputs, attrs, ctx) {
    const body = attrs.body;
    const n = body.inputs.length - 2;
    const k = body.outputs.length - 1 - n;
    const maxTrip = scalarInput(inputs[0], "M (trip count)", ctx) ?? Infinity;
    let cond = (scalarInput(inputs[1], "cond", ctx) ?? 1) !== 0;
    let carried: (Value | undefined)[] = inputs.slice(2, 2 + n);
    const scans: Tensor[][] = Array.from({ length: k }, () => []);
    const names = body.inputs.map((v) => v.name);
    for (let iter = 0; iter < maxTrip && cond; iter++) {
      const feeds = new Map<string, Value>();
      if (names[0]) feeds.set(names[0], scalar("s64", BigInt(iter)));
      if (names[1]) feeds.set(names[1], scalar("bool", cond ? 1 : 0));
      for (let i = 0; i < n; i++) {
        const v = carried[i] ?? emptyOptional(body.inputs[i + 2]?.type);
        if (names[i + 2] && v !== undefined) feeds.set(names[i + 2], v);
      }
      const outs = ctx.runSubgraph(body, feeds);
      cond = (scalarInput(outs[0], "body output cond", ctx) ?? 1) !== 0;
      carried = outs.slice(1, 1 + n);
      const scanned = bodyTensors(outs.slice(1 + n), body, ctx);
      for (let j = 0; j < k; j++) scans[j].push(scanned[j]);
    }
    const finals = carried.map((v, i) => {
      if (v === undefined) {
        throw new KernelError(
          `${where(ctx)}: loop-carried value ${i} ("${
            ctx.node.outputs[i] ?? ""
          }") is missing and the body never ran to produce it`,
        );
      }
      return v;
    });
    const stacked = scans.map((list, j) => {
      const v = body.outputs[1 + n + j];
      const empty = { dtype: tensorTypeOf(v)?.dtype ?? "f32", shape: staticShapeOf(v) ?? [] };
      return stackAlong(list, 0, empty, ctx);
    });
    return [...finals, ...stacked];
  },
});
