/**
 * Test helpers: run code on each kernel path.
 *
 * @module
 */
import { type KernelIsa, kernelIsa, supportedIsas, useKernelIsa } from "./kernels.ts";

/** Run `body` with the kernels switched to `isa`, then switch back. */
export function withIsa<T>(isa: KernelIsa, body: () => T): T {
  const before = kernelIsa();
  useKernelIsa(isa);
  try {
    return body();
  } finally {
    useKernelIsa(before);
  }
}

/** `body`'s result on every path the engine supports, by path. */
export function onEveryIsa<T>(body: () => T): Map<KernelIsa, T> {
  return new Map(supportedIsas().map((isa) => [isa, withIsa(isa, body)]));
}

/** Deterministic pseudo-random floats in [-1, 1), with exact zeros and ±0 mixed in. */
export function randomF32(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s % 17 === 0 ? (s % 2 ? -0 : 0) : s / 2 ** 31 - 1;
  }
  return out;
}

/** Index of the first element whose bits differ, or -1. */
export function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}
