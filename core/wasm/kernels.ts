/**
 * The compute kernels' instruction-set choice and the loaded WebAssembly kernels.
 *
 * Three paths exist for every heavy kernel: `relaxed-simd` (WebAssembly SIMD with fused
 * multiply-add), `simd` (WebAssembly SIMD, every rounding as in the TypeScript
 * reference) and `scalar` (the TypeScript reference kernels themselves). The engine's
 * support is detected once, by validating the binaries.
 *
 * The default is the fastest path the engine validates: `relaxed-simd`, else `simd`,
 * else `scalar`. `simd` and `scalar` give the same bits in the GEMM and convolution
 * kernels; `relaxed-simd` rounds a multiply-add once instead of twice, which moves float
 * results (and so calibration ranges) in the last bits, and may round differently on
 * an engine whose relaxed multiply-add is not fused. It also computes Erf and Gelu in
 * float32 lanes, within 2 float32 ulp of erf, where `simd` and `scalar` share the
 * reference's float64 table step and its bits (see `assembly/README.md`). A caller that
 * needs the exact bits of the TypeScript reference (tests, reproducing a calibration
 * across machines) selects `simd` with {@linkcode useKernelIsa} (on the command line:
 * `AXB_KERNELS=simd`); the calibration and analysis workers are told the main thread's
 * path.
 * The integer kernels of the emulator compute the same bits on every path.
 *
 * The sources are AssemblyScript in `assembly/` (see its README); `deno task wasm`
 * rebuilds `_binaries.ts`.
 *
 * @module
 */
import { relaxedSimd, simd } from "./_binaries.ts";
import { WasmHeap } from "./heap.ts";

/** A kernel path, fastest first. */
export type KernelIsa = "relaxed-simd" | "simd" | "scalar";

type Fn = (...args: number[]) => number;

/** The exported functions of the kernel module (pointers are byte offsets; bools 0/1). */
export interface KernelExports {
  readonly packA: Fn;
  readonly packedABytes: Fn;
  readonly panelBytes: Fn;
  readonly gemmPacked: Fn;
  readonly dotRows: Fn;
  readonly conv2d: Fn;
  readonly convWorkBytes: Fn;
  readonly depthwise2d: Fn;
  readonly maxPool2d: Fn;
  readonly globalAvgPool: Fn;
  readonly clip: Fn;
  readonly relu: Fn;
  readonly binary: Fn;
  readonly softmaxRows: Fn;
  readonly minMax: Fn;
  readonly histogram: Fn;
  readonly toI16: Fn;
  readonly i32ToI16: Fn;
  readonly packQA: Fn;
  readonly packedQABytes: Fn;
  readonly qgemm: Fn;
  readonly qgemmWorkBytes: Fn;
  readonly accToF64: Fn;
  readonly im2colI16: Fn;
  readonly depthwiseI16: Fn;
  readonly depthwiseI16WorkBytes: Fn;
  readonly requantNpu: Fn;
  readonly requantNpuI32: Fn;
  readonly requantQdq: Fn;
  readonly requantQdqI32: Fn;
  readonly addQdq: Fn;
  readonly quantize: Fn;
  readonly dequantize: Fn;
  readonly erfF32: Fn;
  readonly geluF32: Fn;
  readonly layerNorm: Fn;
  readonly packARows: Fn;
  readonly gather32: Fn;
  readonly similaritySums: Fn;
  readonly codeSimilaritySums: Fn;
  readonly channelCodeStats: Fn;
}

const NAMES: readonly (keyof KernelExports)[] = [
  "packA",
  "packedABytes",
  "panelBytes",
  "gemmPacked",
  "dotRows",
  "conv2d",
  "convWorkBytes",
  "depthwise2d",
  "maxPool2d",
  "globalAvgPool",
  "clip",
  "relu",
  "binary",
  "softmaxRows",
  "minMax",
  "histogram",
  "toI16",
  "i32ToI16",
  "packQA",
  "packedQABytes",
  "qgemm",
  "qgemmWorkBytes",
  "accToF64",
  "im2colI16",
  "depthwiseI16",
  "depthwiseI16WorkBytes",
  "requantNpu",
  "requantNpuI32",
  "requantQdq",
  "requantQdqI32",
  "addQdq",
  "quantize",
  "dequantize",
  "erfF32",
  "geluF32",
  "layerNorm",
  "packARows",
  "gather32",
  "similaritySums",
  "codeSimilaritySums",
  "channelCodeStats",
];

/** One instantiated kernel module with its memory. */
export interface WasmKernels {
  readonly isa: Exclude<KernelIsa, "scalar">;
  readonly heap: WasmHeap;
  readonly fn: KernelExports;
}

function decode(b64: readonly string[] | string): Uint8Array<ArrayBuffer> {
  const bin = atob(typeof b64 === "string" ? b64 : b64.join(""));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const BINARIES: Readonly<Record<Exclude<KernelIsa, "scalar">, string>> = {
  "relaxed-simd": relaxedSimd,
  "simd": simd,
};

function validates(isa: Exclude<KernelIsa, "scalar">): boolean {
  try {
    return WebAssembly.validate(decode(BINARIES[isa]));
  } catch {
    return false;
  }
}

const SUPPORTED: readonly KernelIsa[] = [
  ...(["relaxed-simd", "simd"] as const).filter(validates),
  "scalar",
];

function instantiate(isa: Exclude<KernelIsa, "scalar">): WasmKernels {
  const heap = new WasmHeap();
  const inst = new WebAssembly.Instance(new WebAssembly.Module(decode(BINARIES[isa])), {
    env: { memory: heap.memory },
  });
  const table: Partial<Record<keyof KernelExports, Fn>> = {};
  for (const name of NAMES) {
    const f = inst.exports[name];
    if (typeof f !== "function") {
      throw new Error(`Kernel module (${isa}) lacks the export "${name}"; run deno task wasm`);
    }
    table[name] = f as Fn;
  }
  return { isa, heap, fn: table as KernelExports };
}

const loaded = new Map<KernelIsa, WasmKernels>();
let current: KernelIsa = SUPPORTED[0];

/** The paths this engine can run, fastest first (always ends with `scalar`). */
export function supportedIsas(): readonly KernelIsa[] {
  return SUPPORTED;
}

/** The path in use. */
export function kernelIsa(): KernelIsa {
  return current;
}

/**
 * Switch every kernel to `isa` for the rest of the process (tests and benchmarks run
 * each path; a caller that needs the exact bits selects `simd`).
 *
 * @throws {RangeError} when the engine cannot run `isa`
 */
export function useKernelIsa(isa: KernelIsa): void {
  if (!SUPPORTED.includes(isa)) {
    throw new RangeError(
      `Cannot use the ${isa} kernels: this engine supports ${SUPPORTED.join(", ")}`,
    );
  }
  current = isa;
}

/** The WebAssembly kernels of the path in use, or undefined on the scalar path. */
export function wasmKernels(): WasmKernels | undefined {
  if (current === "scalar") return undefined;
  let k = loaded.get(current);
  if (!k) {
    k = instantiate(current);
    loaded.set(current, k);
  }
  return k;
}
