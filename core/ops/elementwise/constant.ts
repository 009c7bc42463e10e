/**
 * Constant: a tensor from one of the attributes `value`, `value_float(s)`,
 * `value_int(s)` (int64) or `value_string(s)`. `sparse_value` is not supported.
 *
 * @module
 */
import type { Tensor } from "../../ir/tensor.ts";
import { where } from "../_util.ts";
import { defineOp, type TypedOp } from "../op.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import { tensorOf } from "./_data.ts";

/** Parsed Constant: the tensor it produces. */
export interface ConstantAttrs {
  readonly value: Tensor;
}

const KINDS = [
  "value",
  "value_float",
  "value_floats",
  "value_int",
  "value_ints",
  "value_string",
  "value_strings",
  "sparse_value",
] as const;

/** Constant: emit the attribute tensor. */
export const constant: TypedOp<ConstantAttrs> = defineOp<ConstantAttrs>({
  opType: "Constant",
  parse: (r, ctx) => {
    const set = KINDS.filter((k) => r.has(k));
    if (set.length !== 1) {
      throw new KernelError(
        `${where(ctx)}: needs exactly one of ${KINDS.join(", ")}, got ${
          set.length === 0 ? "none" : set.join(", ")
        }`,
      );
    }
    const kind = set[0];
    switch (kind) {
      case "sparse_value":
        throw new UnsupportedOpError(
          "Constant",
          ctx.node.name,
          "with sparse_value is not supported",
        );
      case "value": {
        const t = r.tensorOpt("value");
        if (!t) throw new KernelError(`${where(ctx)}: attribute value is not a tensor`);
        return { value: t };
      }
      case "value_float":
        return { value: tensorOf("f32", [], Float32Array.of(r.float(kind, 0))) };
      case "value_floats":
        return {
          value: tensorOf(
            "f32",
            [r.floats(kind, []).length],
            Float32Array.from(r.floats(kind, [])),
          ),
        };
      case "value_int":
        return { value: tensorOf("s64", [], BigInt64Array.of(BigInt(r.int(kind, 0)))) };
      case "value_ints": {
        const v = r.ints(kind, []);
        return { value: tensorOf("s64", [v.length], BigInt64Array.from(v, (x) => BigInt(x))) };
      }
      case "value_string":
        return { value: tensorOf("string", [], [r.string(kind, "")]) };
      case "value_strings": {
        const v = r.strings(kind, []);
        return { value: tensorOf("string", [v.length], [...v]) };
      }
    }
  },
  infer: (_ctx, a) => [{ dtype: a.value.dtype, shape: a.value.shape }],
  run: (_inputs, a) => [tensorOf(a.value.dtype, a.value.shape, a.value.data.slice())],
});
