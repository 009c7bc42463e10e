/**
 * Epilogues: the node after a kernel that the kernel can apply to its own
 * float32 output (see {@linkcode OpDef.runEpilogue}), with the bits the separate node
 * gives.
 *
 * - `relu`: `x < 0 ? 0 : x`, NaN and −0 kept, as the Relu kernel.
 * - `clip`: `x < lo ? (lo > hi ? hi : lo) : x > hi ? hi : x` with float32 bounds, as the
 *   Clip kernel (NaN and −0 kept, `hi` wins when `lo > hi`).
 * - `bias`: `x + bias[j]` along the last axis, one float32 rounding as the Add kernel
 *   (a float64 sum of two float32 values rounds to the float32 sum).
 * - `softmax`: Softmax along the last axis, run by the Softmax kernel itself on the
 *   kernel's output while it is still in the kernels' memory (not elementwise, so the
 *   kernel that absorbs it applies it; see MatMul).
 * - `softmax-matmul`: two nodes, that Softmax and then a MatMul that alone reads the
 *   Softmax's output as its A, with a B (`operand`) computed before the kernel runs
 *   (attention's scores·V): the scores never leave the kernels' memory. The executor
 *   passes the operand's value after the kernel's own inputs.
 * - `bias-gelu`: two nodes, the `bias` Add and then an exact Gelu that alone reads the
 *   Add's output (a transformer's first feed-forward layer), the Gelu run by the Gelu
 *   kernel itself in the kernels' memory (see MatMul).
 *
 * @module
 */
import type { KernelExports } from "../wasm/kernels.ts";

/** A consumer a kernel applies to its output 0. */
export type Epilogue =
  | { readonly kind: "relu" }
  | { readonly kind: "clip"; readonly lo: number; readonly hi: number }
  | {
    readonly kind: "bias";
    /** The last-axis values, length = the output's last dimension. */
    readonly bias: Float32Array;
    /** The bias tensor's rank: the Add's output has the kernel's shape only up to it. */
    readonly rank: number;
  }
  | {
    readonly kind: "bias-gelu";
    /** The Add's last-axis values, as for `bias`. */
    readonly bias: Float32Array;
    /** The Add's bias tensor's rank, as for `bias`. */
    readonly rank: number;
  }
  | {
    readonly kind: "softmax-matmul";
    /** The Softmax node's axis attribute, as for `softmax`. */
    readonly axis: number;
    /** The value the second MatMul multiplies the Softmax's output by. */
    readonly operand: string;
  }
  | {
    readonly kind: "softmax";
    /** The Softmax node's axis attribute: fused only when it names the last axis. */
    readonly axis: number;
  };

/** How many nodes after the kernel `e` stands for (the executor skips them all). */
export function epilogueNodes(e: Epilogue): number {
  return e.kind === "bias-gelu" || e.kind === "softmax-matmul" ? 2 : 1;
}

/** The values `e` reads besides the kernel's inputs (passed after them, in this order). */
export function epilogueOperands(e: Epilogue): readonly string[] {
  return e.kind === "softmax-matmul" ? [e.operand] : [];
}

/** The epilogues that act on each value alone (no operand). */
export type ActivationEpilogue = Extract<Epilogue, { kind: "relu" | "clip" }>;

/** The epilogues {@linkcode applyEpilogue} applies: one value at a time. */
export type ElementwiseEpilogue = Extract<Epilogue, { kind: "relu" | "clip" | "bias" }>;

/** The kinds of {@linkcode Epilogue}. */
export type EpilogueKind = Epilogue["kind"];

/** Apply `e` to the `n` floats at `ptr` in the kernels' memory, in place (not `bias`). */
export function applyEpilogueWasm(
  fn: KernelExports,
  ptr: number,
  n: number,
  e: ActivationEpilogue,
): void {
  if (e.kind === "relu") fn.relu(ptr, ptr, n);
  else fn.clip(ptr, ptr, n, e.lo, e.hi);
}

/** Apply `e` to `y` in place. */
export function applyEpilogue(y: Float32Array, e: ElementwiseEpilogue): void {
  switch (e.kind) {
    case "relu":
      for (let i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
      return;
    case "clip": {
      const { lo, hi } = e;
      for (let i = 0; i < y.length; i++) {
        const v = y[i];
        y[i] = v < lo ? (lo > hi ? hi : lo) : v > hi ? hi : v;
      }
      return;
    }
    case "bias": {
      const b = e.bias;
      const n = b.length;
      for (let r = 0; r < y.length; r += n) {
        for (let j = 0; j < n; j++) y[r + j] += b[j];
      }
    }
  }
}
