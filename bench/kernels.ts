/**
 * Throughput of the heavy kernels on each path (`relaxed-simd`, `simd`, `scalar`), in
 * GFLOP/s (integer kernels: billions of multiply-adds ×2 per second) or ns per element.
 * Each figure is the best of `--runs` calls, timed in process CPU time (user + system,
 * all threads) so that other load on a shared machine, which only delays a call, does
 * not count; calls include copying operands into and out of the kernels' memory. Every
 * kernel runs a few times on every path before timing starts.
 *
 * The float convolutions include the shapes of resnet18 and of mobilenet_v2's 1×1
 * layers (`--models` picks the sets: `kernels`, `resnet18`, `mobilenet_v2`).
 *
 * Usage: deno task bench:kernels [--runs N] [--scalar] [--models kernels,resnet18,…]
 *
 * @module
 */
import process from "node:process";
import { convF32, type ConvShape } from "../core/ops/nn/conv_kernel.ts";
import { gemm } from "../core/ops/nn/gemm_kernel.ts";
import { maxPool, poolGeometry } from "../core/ops/nn/pool_kernel.ts";
import { convAccumulate } from "../core/quant/int_kernels.ts";
import { type KernelIsa, supportedIsas } from "../core/wasm/kernels.ts";
import { randomF32, withIsa } from "../core/wasm/_testing.ts";
import { mapF32 } from "../core/wasm/map.ts";
import { parseFlags } from "../core/cli/flags.ts";
import { formatTable } from "../core/report/table.ts";

const { values } = parseFlags(Deno.args, [
  { name: "runs", type: "int", help: "calls per kernel and path (best shown)" },
  { name: "scalar", type: "bool", help: "also time the TypeScript reference path (slow)" },
  { name: "models", type: "string", help: "case sets: kernels, resnet18, mobilenet_v2" },
]);
const runs = Number(values.get("runs") ?? 10);
const isas = supportedIsas().filter((i) => i !== "scalar" || values.get("scalar") === true);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function best(f: () => unknown): number {
  let b = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = cpuMs();
    f();
    b = Math.min(b, cpuMs() - t0);
  }
  return b;
}

function convShape(c: number, m: number, g: number, hw: number, k: number, s: number): ConvShape {
  const p = (k - 1) >> 1;
  const o = Math.floor((hw + 2 * p - k) / s) + 1;
  return {
    batch: 1,
    inChannels: c,
    outChannels: m,
    group: g,
    inSpatial: [hw, hw],
    window: {
      kernel: [k, k],
      strides: [s, s],
      dilations: [1, 1],
      pads: [p, p, p, p],
      outShape: [o, o],
    },
  };
}

interface Case {
  name: string;
  /** Work per call: floating-point operations, or elements when `perElement`. */
  work: number;
  perElement?: boolean;
  run: () => unknown;
}

function convCase(name: string, s: ConvShape): Case {
  const k = s.window.kernel[0] * s.window.kernel[1];
  const cg = s.inChannels / s.group;
  const x = randomF32(s.inChannels * s.inSpatial[0] * s.inSpatial[1], 1);
  const w = randomF32(s.outChannels * cg * k, 2);
  const b = randomF32(s.outChannels, 3);
  const outP = s.window.outShape[0] * s.window.outShape[1];
  return {
    name,
    work: 2 * s.outChannels * cg * k * outP,
    run: () => convF32(x, w, b, s, { constantWeights: true }),
  };
}

function intConvCase(name: string, s: ConvShape): Case {
  const k = s.window.kernel[0] * s.window.kernel[1];
  const x = Float32Array.from(
    randomF32(s.inChannels * s.inSpatial[0] * s.inSpatial[1], 4),
    (v) => Math.round(v * 255),
  );
  const w = Int32Array.from(
    randomF32(s.outChannels * s.inChannels * k, 5),
    (v) => Math.round(v * 127),
  );
  const outP = s.window.outShape[0] * s.window.outShape[1];
  return {
    name,
    work: 2 * s.outChannels * s.inChannels * k * outP,
    run: () => convAccumulate(x, s, w, undefined),
  };
}

const gemmA = randomF32(256 * 256, 6), gemmB = randomF32(256 * 256, 7);
const gemmC = new Float32Array(256 * 256);
const pool = convShape(64, 64, 64, 112, 3, 2);
const poolX = randomF32(64 * 112 * 112, 8);
const poolGeo = poolGeometry(64, [112, 112], pool.window);
const act = randomF32(1 << 20, 9);
/** Conv layers of resnet18 (every distinct 3×3 and 7×7 shape, plus a 1×1 downsample). */
const resnet18: Case[] = [
  [3, 64, 224, 7, 2],
  [64, 64, 56, 3, 1],
  [64, 128, 56, 3, 2],
  [128, 128, 28, 3, 1],
  [128, 256, 28, 3, 2],
  [256, 256, 14, 3, 1],
  [256, 512, 14, 3, 2],
  [512, 512, 7, 3, 1],
  [256, 512, 14, 1, 2],
].map(([c, m, hw, k, s]) =>
  convCase(`resnet18 ${k}x${k}${s > 1 ? " s2" : ""} ${c}→${m} ${hw}²`, convShape(c, m, 1, hw, k, s))
);

/** The 1×1 layers of mobilenet_v2 (its expansions and projections). */
const mobilenetV2: Case[] = [
  [32, 16, 112],
  [16, 96, 112],
  [24, 144, 56],
  [144, 24, 56],
  [192, 32, 28],
  [384, 64, 14],
  [576, 96, 14],
  [960, 160, 7],
  [320, 1280, 7],
].map(([c, m, hw]) => convCase(`mobilenet_v2 1x1 ${c}→${m} ${hw}²`, convShape(c, m, 1, hw, 1, 1)));

const kernels: Case[] = [
  convCase("conv 3x3 64→64 56²", convShape(64, 64, 1, 56, 3, 1)),
  convCase("conv 3x3 256→256 14²", convShape(256, 256, 1, 14, 3, 1)),
  convCase("conv 1x1 96→24 56²", convShape(96, 24, 1, 56, 1, 1)),
  convCase("conv 1x1 32→192 28²", convShape(32, 192, 1, 28, 1, 1)),
  convCase("depthwise 3x3 144 56²", convShape(144, 144, 144, 56, 3, 1)),
  convCase("depthwise 3x3 s2 144 56²", convShape(144, 144, 144, 56, 3, 2)),
  {
    name: "gemm 256³",
    work: 2 * 256 ** 3,
    run: () =>
      gemm({ m: 256, n: 256, k: 256, a: gemmA, lda: 256, b: gemmB, ldb: 256, c: gemmC, ldc: 256 }),
  },
  intConvCase("int conv 3x3 64→64 56²", convShape(64, 64, 1, 56, 3, 1)),
  {
    name: "max pool 3x3 s2 64×112²",
    work: poolX.length,
    perElement: true,
    run: () => maxPool(poolX, poolGeo, false, false),
  },
  {
    name: "clip 1M",
    work: act.length,
    perElement: true,
    run: () =>
      mapF32(act, (fn, p, n) => fn.clip(p, p, n, 0, 6)) ??
        act.map((v) => Math.min(Math.max(v, 0), 6)),
  },
];

const sets: Record<string, Case[]> = { kernels, resnet18, mobilenet_v2: mobilenetV2 };
const chosen = String(values.get("models") ?? "kernels,resnet18,mobilenet_v2").split(",");
for (const name of chosen) {
  if (!sets[name]) {
    throw new RangeError(`--models: unknown set "${name}"; use ${Object.keys(sets).join(", ")}`);
  }
}
const cases = chosen.flatMap((name) => sets[name]);

// warm-up on every path first: JIT, wasm tier-up (compiled on other threads, which the
// CPU clock would count) and packed weights
for (const isa of isas) withIsa(isa, () => cases.forEach((c) => [1, 2, 3].forEach(() => c.run())));
const rows = cases.map((c) => [
  c.name,
  ...isas.map((isa: KernelIsa) => {
    const ms = withIsa(isa, () => best(c.run));
    return c.perElement
      ? `${(ms * 1e6 / c.work).toFixed(2)} ns/elt`
      : `${(c.work / ms / 1e6).toFixed(1)}`;
  }),
]);
const load = Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
console.log(formatTable(rows, {
  title:
    `Kernel throughput, GFLOP/s unless stated, best of ${runs} (CPU time); load average ${load}`,
  header: ["kernel", ...isas],
}));
