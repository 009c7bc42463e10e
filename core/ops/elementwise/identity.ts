/**
 * Identity and Dropout (inference only).
 *
 * Dropout returns a copy of its input and an all-true mask (bool from opset 10, the
 * input type before). Training mode with a non-zero ratio draws random numbers, which
 * a reference executor cannot reproduce: it raises UnsupportedOpError. The `is_test`
 * attribute of opsets 1–6 is ignored: old exporters often left it at 0 in inference
 * graphs, and onnxruntime runs those Dropouts as the identity too.
 *
 * @module
 */
import { allocate } from "../../ir/dtype.ts";
import { fromFloat32, readNumber, type Tensor } from "../../ir/tensor.ts";
import { isTensor } from "../../ir/value.ts";
import { required, where } from "../_util.ts";
import { defineOp, defineValueOp, type RegisteredOp } from "../op.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import { tensorOf } from "./_data.ts";

function copy(x: Tensor): Tensor {
  return tensorOf(x.dtype, x.shape, x.data.slice());
}

/** Identity: a copy of the input tensor; sequences and optionals (immutable) pass as is. */
export const identity: RegisteredOp = defineValueOp<null>({
  opType: "Identity",
  parse: () => null,
  infer: (ctx) => [ctx.inputTypes[0]],
  run: (inputs, _a, ctx) => {
    const x = inputs[0];
    if (x === undefined) throw new KernelError(`${where(ctx)}: required input 0 is missing`);
    return [isTensor(x) ? copy(x) : x];
  },
});

/** Parsed attributes of Dropout. */
export interface DropoutAttrs {
  /** Ratio attribute (opset < 12). */
  readonly ratio: number;
  /** Mask is bool (opset >= 10) rather than the input type. */
  readonly boolMask: boolean;
  /** Ratio and training_mode come from inputs (opset >= 12). */
  readonly fromInputs: boolean;
}

/** Dropout in inference mode: identity plus an all-true mask. */
export const dropout: RegisteredOp = defineOp<DropoutAttrs>({
  opType: "Dropout",
  parse: (r, ctx) => {
    return {
      ratio: r.float("ratio", 0.5),
      boolMask: ctx.opset >= 10,
      fromInputs: ctx.opset >= 12,
    };
  },
  infer: (ctx, a) => {
    const x = ctx.inputTypes[0];
    if (!x) return [undefined, undefined];
    return [x, { dtype: a.boolMask ? "bool" : x.dtype, shape: x.shape }];
  },
  run: (inputs, a, ctx) => {
    const x = required(inputs, 0, ctx);
    if (a.fromInputs) {
      const ratio = inputs[1] ? readNumber(inputs[1], 0) : a.ratio;
      const training = inputs[2] ? readNumber(inputs[2], 0) !== 0 : false;
      if (training && ratio > 0) {
        throw new UnsupportedOpError(
          "Dropout",
          ctx.node.name,
          `with training_mode=true and ratio=${ratio} is random; axb runs inference only`,
        );
      }
    }
    const mask = a.boolMask ? tensorOf("bool", x.shape, new Uint8Array(x.size).fill(1)) : ones(x);
    return [copy(x), mask];
  },
});

function ones(x: Tensor): Tensor {
  if (x.dtype === "f32" || x.dtype === "f16" || x.dtype === "bf16" || x.dtype === "f64") {
    if (x.dtype === "f64") return tensorOf("f64", x.shape, new Float64Array(x.size).fill(1));
    return fromFloat32(x.dtype, x.shape, new Float32Array(x.size).fill(1));
  }
  const d = allocate(x.dtype, x.size);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) d.fill(1n);
  else if (Array.isArray(d)) d.fill("1");
  else d.fill(1);
  return tensorOf(x.dtype, x.shape, d);
}
