/**
 * The shared shape of binary broadcasting operators: a spec picks a run loop per input
 * dtype; {@linkcode runBinary} validates, broadcasts and encodes the result.
 *
 * @module
 */
import type { BigIntArray, DType, NumberArray, TensorData } from "../../ir/dtype.ts";
import { allocate } from "../../ir/dtype.ts";
import type { AttrReader } from "../../ir/attribute.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { broadcastShapes, required } from "../_util.ts";
import { defineOp, type ParseContext, type RegisteredOp } from "../op.ts";
import { type BinaryLoop, broadcastBinary } from "./broadcast.ts";
import { badType, bigView, fromNum, inferBroadcast, numOut, numView, tensorOf } from "./_data.ts";
import { sizeOf } from "../../ir/tensor.ts";
import { wasmKernels } from "../../wasm/kernels.ts";

/** Loop over number storage (halves arrive as float32). */
export type NumLoop = BinaryLoop<NumberArray, NumberArray, NumberArray>;
/** Loop over bigint storage producing bigints. */
export type BigLoop = BinaryLoop<BigIntArray, BigIntArray, BigIntArray>;
/** Loop over bigint storage producing bools. */
export type BigBoolLoop = BinaryLoop<BigIntArray, BigIntArray, Uint8Array>;
/** Loop over raw storage of any dtype (no decoding; e.g. string equality). */
export type RawLoop = BinaryLoop<TensorData, TensorData, TensorData>;

/** The run loop chosen for one dtype. */
export type BinaryKernel =
  | { readonly kind: "num"; readonly loop: NumLoop }
  | { readonly kind: "big"; readonly loop: BigLoop }
  | { readonly kind: "bigBool"; readonly loop: BigBoolLoop }
  | { readonly kind: "raw"; readonly loop: RawLoop };

/** Definition of a binary broadcasting operator with attributes `A`. */
export interface BinarySpec<A> {
  readonly opType: string;
  /** Output is bool (comparisons) instead of the input dtype. */
  readonly bool?: boolean;
  parse(attrs: AttrReader, ctx: ParseContext): A;
  /** The loop for inputs of `dtype`, or undefined when the dtype is not accepted. */
  pick(dtype: DType, attrs: A, ctx: ParseContext): BinaryKernel | undefined;
  /** Extra validation of concrete inputs (e.g. integer division by zero). */
  check?(a: Tensor, b: Tensor, attrs: A, ctx: ParseContext): void;
  /** For float32 inputs, the wasm kernel computing the same bits as the loop. */
  readonly f32?: F32Binary;
}

/** The float32 operations the wasm binary kernel has, by its operation code. */
export const F32_BINARY = { add: 0, sub: 1, mul: 2, div: 3 } as const;
/** One of them. */
export type F32Binary = keyof typeof F32_BINARY;

/** Rows shorter than this cost more to hand to wasm than to compute here. */
const MIN_WASM_ROW = 16;

/** `spec.f32` over broadcast float32 inputs in wasm, or undefined on the scalar path. */
function binaryWasm(
  op: F32Binary,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  shape: readonly number[],
  n: number,
): Float32Array | undefined {
  const k = wasmKernels();
  const same = a.length === n && b.length === n;
  if (!k || n === 0 || (!same && (shape.at(-1) ?? 1) < MIN_WASM_ROW)) return undefined;
  const { heap, fn } = k;
  const ap = heap.put(a);
  const bp = heap.put(b);
  const yp = heap.alloc(n * 4);
  try {
    const code = F32_BINARY[op];
    // element offsets become byte addresses: the loop walks pointers, not arrays
    broadcastBinary(ap, aShape, bp, bShape, yp, shape, (x, ix, sx, y, iy, sy, o, io, len) => {
      fn.binary(code, x + 4 * ix, sx, y + 4 * iy, sy, o + 4 * io, len);
    });
    return heap.f32(yp, n).slice();
  } finally {
    for (const p of [ap, bp, yp]) heap.free(p);
  }
}

/** Compute `spec` on two tensors of one dtype with broadcasting. */
export function runBinary<A>(
  spec: BinarySpec<A>,
  a: Tensor,
  b: Tensor,
  attrs: A,
  ctx: ParseContext,
): Tensor {
  if (a.dtype !== b.dtype) {
    throw badType(ctx, b.dtype, [a.dtype]);
  }
  const k = spec.pick(a.dtype, attrs, ctx);
  if (!k) throw badType(ctx, a.dtype);
  spec.check?.(a, b, attrs, ctx);
  const shape = broadcastShapes([a.shape, b.shape], ctx);
  const n = sizeOf(shape);
  const outType: DType = spec.bool ? "bool" : a.dtype;
  if (spec.f32 && a.is("f32") && b.is("f32")) {
    const y = binaryWasm(spec.f32, a.data, a.shape, b.data, b.shape, shape, n);
    if (y) return tensorOf("f32", shape, y);
  }
  switch (k.kind) {
    case "num": {
      const out = numOut(outType, n);
      broadcastBinary(numView(a), a.shape, numView(b), b.shape, out, shape, k.loop);
      return fromNum(outType, shape, out);
    }
    case "big": {
      const out = allocate(a.dtype, n) as BigIntArray;
      broadcastBinary(bigView(a), a.shape, bigView(b), b.shape, out, shape, k.loop);
      return tensorOf(outType, shape, out);
    }
    case "bigBool": {
      const out = new Uint8Array(n);
      broadcastBinary(bigView(a), a.shape, bigView(b), b.shape, out, shape, k.loop);
      return tensorOf("bool", shape, out);
    }
    case "raw": {
      const out = allocate(outType, n);
      broadcastBinary(a.data, a.shape, b.data, b.shape, out, shape, k.loop);
      return tensorOf(outType, shape, out);
    }
  }
}

/** Register a binary broadcasting operator. */
export function defineBinary<A>(spec: BinarySpec<A>): RegisteredOp {
  return defineOp<A>({
    opType: spec.opType,
    parse: (r, ctx) => spec.parse(r, ctx),
    infer: (ctx) => [inferBroadcast(ctx, spec.bool ? "bool" : undefined, [0, 1])],
    run: (inputs, attrs, ctx) => [
      runBinary(spec, required(inputs, 0, ctx), required(inputs, 1, ctx), attrs, ctx),
    ],
  });
}

/** A spec without attributes. */
export function simpleBinary(
  opType: string,
  pick: (dtype: DType) => BinaryKernel | undefined,
  opts: {
    bool?: boolean;
    check?: (a: Tensor, b: Tensor, ctx: ParseContext) => void;
    f32?: F32Binary;
  } = {},
): RegisteredOp {
  const check = opts.check;
  return defineBinary<null>({
    opType,
    bool: opts.bool,
    f32: opts.f32,
    parse: () => null,
    pick: (d) => pick(d),
    check: check ? (a, b, _attrs, ctx) => check(a, b, ctx) : undefined,
  });
}
