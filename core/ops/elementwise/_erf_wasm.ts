/**
 * Float32 Erf and exact Gelu in the wasm kernels. The `simd` build takes the same table
 * step as {@linkcode erfFromTable}, from the same grid, so the same bits as the scalar
 * loops; the `relaxed-simd` build ignores the grid and computes in float32 lanes, within
 * 2 float32 ulp of erf (core/wasm/assembly/erf_f32.ts).
 *
 * @module
 */
import { mapF32 } from "../../wasm/map.ts";
import { type WasmKernels, wasmKernels } from "../../wasm/kernels.ts";
import { erfTable } from "./erf_table.ts";

/** The grid's address in `k`'s memory, where it stays for the life of the process. */
function gridIn(k: WasmKernels): number {
  const grid = erfTable();
  return k.heap.resident(grid, "erf", grid.byteLength, (p) => {
    k.heap.f64(p, grid.length).set(grid);
  });
}

/** `erf(x)` (`"erf"`) or `x/2·(1 + erf(x/√2))` (`"gelu"`); undefined on the scalar path. */
export function erfWasm(x: Float32Array, f: "erf" | "gelu"): Float32Array | undefined {
  const k = wasmKernels();
  if (!k) return undefined;
  const table = gridIn(k);
  return mapF32(x, (fn, p, n) => {
    if (f === "gelu") fn.geluF32(p, p, n, table);
    else fn.erfF32(p, p, n, table);
  });
}

/**
 * The exact Gelu of the `n` floats at `ptr` in `k`'s memory, in place: the Gelu node's
 * kernel and bits, for a kernel that applies it to its own output (an epilogue).
 */
export function geluInPlace(k: WasmKernels, ptr: number, n: number): void {
  const table = gridIn(k);
  k.fn.geluF32(ptr, ptr, n, table);
}
