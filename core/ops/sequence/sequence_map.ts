/**
 * SequenceMap (opset 17): run `body` once per position of the input sequences; sequence
 * inputs feed their element at that position, tensor inputs feed whole, and each body
 * output is collected into an output sequence.
 *
 * @module
 */
import { KernelError } from "../../errors/mod.ts";
import type { Graph } from "../../ir/graph.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { SequenceValue, type Value } from "../../ir/value.ts";
import { where } from "../_util.ts";
import { defineValueOp, type TypedOp } from "../op.ts";
import { bodyTensors, tensorTypeOf } from "../control/_stack.ts";
import { seqOf, sequenceInput } from "./_values.ts";

/** Parsed SequenceMap attributes. */
export interface SequenceMapAttrs {
  readonly body: Graph;
}

/** SequenceMap (opset 17). */
export const sequenceMap: TypedOp<SequenceMapAttrs> = defineValueOp<SequenceMapAttrs>({
  opType: "SequenceMap",
  parse(attrs, ctx) {
    const body = attrs.graph("body");
    if (body.inputs.length !== ctx.node.inputs.length) {
      throw new KernelError(
        `${
          where(ctx)
        }: body has ${body.inputs.length} inputs, expected ${ctx.node.inputs.length} (one per node input)`,
      );
    }
    if (body.outputs.length !== ctx.node.outputs.length) {
      throw new KernelError(
        `${
          where(ctx)
        }: body has ${body.outputs.length} outputs, expected ${ctx.node.outputs.length}`,
      );
    }
    return { body };
  },
  infer: (ctx, a) =>
    ctx.node.outputs.map((_, i) => {
      const t = tensorTypeOf(a.body.outputs[i]);
      return t ? seqOf(t) : undefined;
    }),
  run(inputs, a, ctx) {
    const first = sequenceInput(inputs, 0, ctx);
    const count = first.length;
    inputs.forEach((v, i) => {
      if (v instanceof SequenceValue && v.length !== count) {
        throw new KernelError(
          `${
            where(ctx)
          }: input sequence ${i} has ${v.length} elements, input 0 has ${count}; expected equal lengths`,
        );
      }
    });
    const collected: Tensor[][] = a.body.outputs.map(() => []);
    for (let k = 0; k < count; k++) {
      const feeds = new Map<string, Value>();
      a.body.inputs.forEach((formal, i) => {
        const v = inputs[i];
        if (v === undefined) return;
        feeds.set(formal.name, v instanceof SequenceValue ? v.items[k] : v);
      });
      const outs = bodyTensors(ctx.runSubgraph(a.body, feeds), a.body, ctx);
      outs.forEach((t, j) => collected[j].push(t));
    }
    return collected.map((items, j) => {
      const dtype = items[0]?.dtype ?? tensorTypeOf(a.body.outputs[j])?.dtype ?? "f32";
      return new SequenceValue(dtype, items, where(ctx));
    });
  },
});
