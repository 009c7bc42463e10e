/**
 * Global pools over all spatial axes: GlobalAveragePool, GlobalMaxPool, GlobalLpPool.
 *
 * @module
 */
import { asFloat32, fromFloat32 } from "../../ir/tensor.ts";
import type { TensorType } from "../../ir/types.ts";
import { KernelError } from "../../errors/mod.ts";
import { defineOp, type RegisteredOp } from "../op.ts";
import { required, where } from "../_util.ts";
import { wasmKernels } from "../../wasm/kernels.ts";

/**
 * Reduce each of `y.length` consecutive planes of `n` elements of `x` into `y`. One loop
 * over the whole tensor per operator (not one call per plane) keeps each loop
 * monomorphic, so the engine optimises it on the first run.
 */
type ReducePlanes = (x: Float32Array, n: number, p: number, y: Float32Array) => void;

function inferGlobal(t: TensorType | undefined): TensorType {
  const shape = t?.shape ? t.shape.map((d, i) => (i < 2 ? d : 1)) : undefined;
  return { dtype: t?.dtype ?? "f32", shape };
}

function globalPool(opType: string, reduce: ReducePlanes): RegisteredOp {
  return defineOp<{ p: number }>({
    opType,
    parse: (r) => ({ p: r.float("p", 2) }),
    infer: (ctx) => [inferGlobal(ctx.inputTypes[0])],
    run(inputs, a, ctx) {
      const x = required(inputs, 0, ctx);
      if (x.rank < 2) {
        throw new KernelError(
          `${where(ctx)}: input has shape [${x.shape.join(", ")}], expected [N, C, spatial…]`,
        );
      }
      const planes = x.shape[0] * x.shape[1];
      const n = planes === 0 ? 0 : x.size / planes;
      const xv = asFloat32(x);
      const y = new Float32Array(planes);
      reduce(xv, n, a.p, y);
      return [fromFloat32(x.dtype, x.shape.map((d, i) => (i < 2 ? d : 1)), y)];
    },
  });
}

/**
 * GlobalAveragePool (opset 1, 22). The sum runs in float64 over two interleaved
 * accumulators (even and odd elements), added and divided at the end: calibration of
 * CNNs reads these bits, so every change of order shows in compiled models.
 */
export const globalAveragePool: RegisteredOp = globalPool("GlobalAveragePool", (x, n, _p, y) => {
  if (averageWasm(x, n, y)) return;
  for (let o = 0, s = 0; o < y.length; o++, s += n) {
    let a = 0, b = 0, i = 0;
    for (; i + 1 < n; i += 2) {
      a += x[s + i];
      b += x[s + i + 1];
    }
    if (i < n) a += x[s + i];
    y[o] = (a + b) / n;
  }
});

/**
 * The same means in WebAssembly (core/wasm/assembly/global_pool.ts, the same float64
 * sums in the same order); false on the scalar path.
 */
function averageWasm(x: Float32Array, n: number, y: Float32Array): boolean {
  const k = wasmKernels();
  if (!k) return false;
  const { heap, fn } = k;
  // input and output in one block; the output starts past the input's vector reads
  const yAt = Math.ceil((x.byteLength + 64) / 64) * 64;
  const block = heap.alloc(yAt + y.byteLength);
  try {
    heap.f32(block, x.length).set(x);
    fn.globalAvgPool(block, block + yAt, y.length, n);
    y.set(heap.f32(block + yAt, y.length));
  } finally {
    heap.free(block);
  }
  return true;
}

/** GlobalMaxPool (opset 1, 22). */
export const globalMaxPool: RegisteredOp = globalPool("GlobalMaxPool", (x, n, _p, y) => {
  for (let o = 0, s = 0; o < y.length; o++, s += n) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) if (x[s + i] > m) m = x[s + i];
    y[o] = m;
  }
});

/** GlobalLpPool (opset 1, 2, 22). */
export const globalLpPool: RegisteredOp = globalPool("GlobalLpPool", (x, n, p, y) => {
  for (let o = 0, s = 0; o < y.length; o++, s += n) {
    let a = 0;
    for (let i = 0; i < n; i++) a += Math.abs(x[s + i]) ** p;
    y[o] = a ** (1 / p);
  }
});
