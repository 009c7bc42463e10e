/**
 * If: run `then_branch` or `else_branch` on a scalar boolean condition; the node's outputs
 * are the chosen branch's outputs (tensors, sequences or optionals). Branches capture
 * outer values by name.
 *
 * @module
 */
import { KernelError } from "../../errors/mod.ts";
import type { Graph } from "../../ir/graph.ts";
import { readNumber } from "../../ir/tensor.ts";
import { joinTypes } from "../../ir/types.ts";
import { isTensor } from "../../ir/value.ts";
import { where } from "../_util.ts";
import { defineValueOp, type TypedOp } from "../op.ts";

/** Parsed If attributes. */
export interface IfAttrs {
  readonly thenBranch: Graph;
  readonly elseBranch: Graph;
}

/** If (opsets 1-21). */
export const ifOp: TypedOp<IfAttrs> = defineValueOp<IfAttrs>({
  opType: "If",
  parse(attrs, ctx) {
    const thenBranch = attrs.graph("then_branch");
    const elseBranch = attrs.graph("else_branch");
    if (thenBranch.outputs.length !== elseBranch.outputs.length) {
      throw new KernelError(
        `${where(ctx)}: then_branch has ${thenBranch.outputs.length} outputs and ` +
          `else_branch ${elseBranch.outputs.length}, expected equal counts`,
      );
    }
    return { thenBranch, elseBranch };
  },
  infer(ctx, attrs) {
    const cond = ctx.constantInput(0);
    if (cond?.size === 1) {
      const taken = readNumber(cond, 0) !== 0 ? attrs.thenBranch : attrs.elseBranch;
      return ctx.node.outputs.map((_, i) => taken.outputs[i]?.type);
    }
    return ctx.node.outputs.map((_, i) =>
      joinTypes(attrs.thenBranch.outputs[i]?.type, attrs.elseBranch.outputs[i]?.type)
    );
  },
  run(inputs, attrs, ctx) {
    const cond = inputs[0];
    if (!isTensor(cond)) {
      throw new KernelError(`${where(ctx)}: cond must be a boolean tensor`);
    }
    if (cond.size !== 1) {
      throw new KernelError(`${where(ctx)}: cond has ${cond.size} elements, expected 1`);
    }
    const branch = readNumber(cond, 0) !== 0 ? attrs.thenBranch : attrs.elseBranch;
    return ctx.runSubgraph(branch, new Map());
  },
});
