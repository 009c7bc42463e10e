/**
 * Float32 Erf and exact Gelu in the wasm kernels. The `simd` build takes the same table
 * step as {@linkcode erfFromTable}, from the same grid, so the same bits as the scalar
 * loops; the `relaxed-simd` build ignores the grid and computes in float32 lanes, within
 * 2 float32 ulp of erf (core/wasm/assembly/erf_f32.ts).
 *
 * @module
 */
import { mapF32 } from "../../wasm/map.ts";
import { wasmKernels } from "../../wasm/kernels.ts";
import { erfTable } from "./erf_table.ts";

/** `erf(x)` (`"erf"`) or `x/2·(1 + erf(x/√2))` (`"gelu"`); undefined on the scalar path. */
export function erfWasm(x: Float32Array, f: "erf" | "gelu"): Float32Array | undefined {
  const k = wasmKernels();
  if (!k) return undefined;
  const grid = erfTable();
  // the grid stays in the kernels' memory for the life of the process
  const table = k.heap.resident(grid, "erf", grid.byteLength, (p) => {
    k.heap.f64(p, grid.length).set(grid);
  });
  return mapF32(x, (fn, p, n) => {
    if (f === "gelu") fn.geluF32(p, p, n, table);
    else fn.erfF32(p, p, n, table);
  });
}
