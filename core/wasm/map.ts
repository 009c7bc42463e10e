/**
 * Running a kernel over copies: the input goes into the kernels' memory, the kernel
 * rewrites it in place, the result comes back as a new array.
 *
 * @module
 */
import { type KernelExports, wasmKernels } from "./kernels.ts";

/**
 * `body` transforms the `n` floats at `ptr` in place; returns the transformed copy of
 * `x`, or undefined on the scalar path (the caller then runs its reference loop).
 */
export function mapF32(
  x: Float32Array,
  body: (fn: KernelExports, ptr: number, n: number) => void,
): Float32Array | undefined {
  const k = wasmKernels();
  if (!k) return undefined;
  const p = k.heap.put(x);
  try {
    body(k.fn, p, x.length);
    return k.heap.f32(p, x.length).slice();
  } finally {
    k.heap.free(p);
  }
}
