/**
 * Cast and CastLike between every numeric type, bool and string. Conversion rules are
 * in cast_convert.ts. Targets axb has no storage for (float8, int4, float4, complex)
 * raise UnsupportedOpError; the `saturate` attribute only concerns float8 and is
 * ignored.
 *
 * @module
 */
import {
  allocate,
  type BigIntArray,
  type DType,
  dtypeFromOnnx,
  DTYPES,
  isBigIntDType,
  isHalfDType,
  type NumberArray,
} from "../../ir/dtype.ts";
import { fromFloat32, type Tensor } from "../../ir/tensor.ts";
import { required, where } from "../_util.ts";
import { defineOp, type ParseContext, type RegisteredOp, type TypedOp } from "../op.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import { bigView, isFloat, numView, tensorOf } from "./_data.ts";
import {
  floatToNarrowInt,
  floatToS64,
  floatToU32,
  floatToU64,
  formatFloat,
  parseFloatText,
  parseIntText,
} from "./cast_convert.ts";

function toStrings(x: Tensor): string[] {
  const out = new Array<string>(x.size);
  if (isBigIntDType(x.dtype)) {
    const src = bigView(x);
    for (let i = 0; i < out.length; i++) out[i] = src[i].toString();
  } else if (isFloat(x.dtype)) {
    const src = numView(x);
    const single = x.dtype !== "f64";
    for (let i = 0; i < out.length; i++) out[i] = formatFloat(src[i], single);
  } else {
    const src = numView(x);
    for (let i = 0; i < out.length; i++) out[i] = String(src[i]);
  }
  return out;
}

function fromStrings(x: Tensor<"string">, to: DType, ctx: ParseContext): Tensor {
  const src = x.data;
  const bad = (i: number) =>
    new KernelError(
      `${where(ctx)}: string element ${i} ("${src[i]}") does not start with a ${
        DTYPES[to].label
      } number`,
    );
  if (DTYPES[to].isInteger || to === "bool") {
    const unsigned = to === "bool" || !DTYPES[to].isSigned;
    const ints = new BigInt64Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = parseIntText(src[i], unsigned);
      if (v === undefined) throw bad(i);
      ints[i] = v;
    }
    return castTensor(tensorOf("s64", x.shape, ints), to, ctx);
  }
  const vals = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = parseFloatText(src[i]);
    if (v === undefined) throw bad(i);
    vals[i] = v;
  }
  return castTensor(tensorOf("f64", x.shape, vals), to, ctx);
}

function toFloat(x: Tensor, to: DType): Tensor {
  let vals: NumberArray;
  if (isBigIntDType(x.dtype)) {
    const src = bigView(x);
    vals = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) vals[i] = Number(src[i]);
  } else {
    vals = numView(x);
  }
  if (isHalfDType(to)) {
    const f = vals instanceof Float32Array ? vals : Float32Array.from(vals);
    return fromFloat32(to, x.shape, f);
  }
  const out = allocate(to, vals.length) as NumberArray;
  out.set(vals);
  return tensorOf(to, x.shape, out);
}

function toBigInt(x: Tensor, to: "s64" | "u64"): Tensor {
  const out = allocate(to, x.size) as BigIntArray;
  if (isBigIntDType(x.dtype)) {
    out.set(bigView(x));
  } else if (isFloat(x.dtype)) {
    const src = numView(x);
    const conv = to === "s64" ? floatToS64 : floatToU64;
    for (let i = 0; i < src.length; i++) out[i] = conv(src[i]);
  } else {
    const src = numView(x);
    for (let i = 0; i < src.length; i++) out[i] = BigInt(src[i]);
  }
  return tensorOf(to, x.shape, out);
}

function toNarrowInt(x: Tensor, to: DType): Tensor {
  const out = allocate(to, x.size) as NumberArray;
  if (isBigIntDType(x.dtype)) {
    const src = bigView(x);
    for (let i = 0; i < src.length; i++) out[i] = Number(BigInt.asIntN(32, src[i]));
  } else if (isFloat(x.dtype)) {
    const src = numView(x);
    const conv = to === "u32" ? floatToU32 : floatToNarrowInt;
    for (let i = 0; i < src.length; i++) out[i] = conv(src[i]);
  } else {
    out.set(numView(x));
  }
  return tensorOf(to, x.shape, out);
}

/** Convert a tensor to dtype `to` with onnxruntime's Cast semantics. */
export function castTensor(x: Tensor, to: DType, ctx: ParseContext): Tensor {
  if (x.dtype === to) return tensorOf(to, x.shape, x.data.slice());
  if (to === "string") return tensorOf("string", x.shape, toStrings(x));
  if (x.is("string")) return fromStrings(x, to, ctx);
  if (to === "bool") {
    const out = new Uint8Array(x.size);
    if (isBigIntDType(x.dtype)) {
      const src = bigView(x);
      for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0n ? 1 : 0;
    } else {
      const src = numView(x);
      for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
    }
    return tensorOf("bool", x.shape, out);
  }
  if (DTYPES[to].isFloat) return toFloat(x, to);
  if (to === "s64" || to === "u64") return toBigInt(x, to);
  return toNarrowInt(x, to);
}

/** Parsed attributes of Cast. */
export interface CastAttrs {
  readonly to: DType;
}

/** Cast: convert to the type named by the `to` attribute. */
export const cast: TypedOp<CastAttrs> = defineOp<CastAttrs>({
  opType: "Cast",
  parse: (r, ctx) => {
    const code = r.intOpt("to");
    if (code === undefined) {
      throw new KernelError(`${where(ctx)}: required attribute to is missing`);
    }
    const to = dtypeFromOnnx(code);
    if (!to) {
      throw new UnsupportedOpError(
        "Cast",
        ctx.node.name,
        `to ONNX type ${code} is not supported (axb has no float8/int4/float4/complex tensors)`,
      );
    }
    return { to };
  },
  infer: (ctx, a) => [{ dtype: a.to, shape: ctx.inputTypes[0]?.shape }],
  run: (inputs, a, ctx) => [castTensor(required(inputs, 0, ctx), a.to, ctx)],
});

/** CastLike: convert input 0 to the type of input 1. */
export const castLike: RegisteredOp = defineOp<null>({
  opType: "CastLike",
  parse: () => null,
  infer: (ctx) => {
    const target = ctx.inputTypes[1]?.dtype;
    return [target ? { dtype: target, shape: ctx.inputTypes[0]?.shape } : undefined];
  },
  run: (inputs, _a, ctx) => [
    castTensor(required(inputs, 0, ctx), required(inputs, 1, ctx).dtype, ctx),
  ],
});
