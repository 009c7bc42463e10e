/**
 * The optional operators: Optional wraps a value (or makes an empty optional of a
 * declared type), OptionalHasElement tests it, OptionalGetElement unwraps it (opset 15;
 * from opset 18 both also accept a plain tensor or sequence, and HasElement an omitted
 * input).
 *
 * @module
 */
import { KernelError } from "../../errors/mod.ts";
import { scalar } from "../../ir/tensor.ts";
import type { ValueType } from "../../ir/types.ts";
import { OptionalValue, typeOfValue } from "../../ir/value.ts";
import { where } from "../_util.ts";
import { defineValueOp, type TypedOp } from "../op.ts";

/** Parsed Optional attributes. */
export interface OptionalAttrs {
  /** The `type` attribute: the element type of an empty optional. */
  readonly type: ValueType | undefined;
}

/** Optional: wrap the input, or an empty optional of attribute `type` when there is none. */
export const optional: TypedOp<OptionalAttrs> = defineValueOp<OptionalAttrs>({
  opType: "Optional",
  parse(attrs, ctx) {
    const type = attrs.typeOpt("type");
    const hasInput = (ctx.node.inputs[0] ?? "") !== "";
    if (!hasInput && !type) {
      throw new KernelError(`${where(ctx)}: needs an input or a type attribute`);
    }
    return { type };
  },
  infer(ctx, a) {
    const elem = ctx.inputTypes[0] ?? a.type;
    return [elem ? { kind: "optional", elem } : undefined];
  },
  run(inputs, a, ctx) {
    const v = inputs[0];
    if (v instanceof OptionalValue) {
      throw new KernelError(
        `${where(ctx)}: input is already an optional; ONNX has no nested optionals`,
      );
    }
    const type = a.type ?? (v === undefined ? undefined : typeOfValue(v));
    if (!type) throw new KernelError(`${where(ctx)}: needs an input or a type attribute`);
    return [new OptionalValue(type, v)];
  },
});

/** OptionalHasElement: true when the optional holds a value (a plain value: true). */
export const optionalHasElement: TypedOp<null> = defineValueOp<null>({
  opType: "OptionalHasElement",
  parse: () => null,
  infer: () => [{ dtype: "bool", shape: [] }],
  run(inputs) {
    const v = inputs[0];
    const has = v instanceof OptionalValue ? v.hasValue : v !== undefined;
    return [scalar("bool", has ? 1 : 0)];
  },
});

/** OptionalGetElement: the optional's value; an empty optional is an error. */
export const optionalGetElement: TypedOp<null> = defineValueOp<null>({
  opType: "OptionalGetElement",
  parse: () => null,
  infer(ctx) {
    const t = ctx.inputTypes[0];
    return [t && "kind" in t && t.kind === "optional" ? t.elem : t];
  },
  run(inputs, _a, ctx) {
    const v = inputs[0];
    if (v === undefined) throw new KernelError(`${where(ctx)}: input is missing`);
    return [v instanceof OptionalValue ? v.get(where(ctx)) : v];
  },
});
