/**
 * The phases of `axb build` (load, frontend, calibration, quantization, io export,
 * precision analysis, compile, check) on mobilenet_v2 and resnet18 from ../shared/models,
 * calibrated with MinMax on the images of ../shared/calib/images-32.tar, compiled for
 * AX650 NPU1, in process through `runBuild`. Each model is built as:
 *
 * - `plain`: `compiler.check 0`, no precision analysis;
 * - `PerLayer`: plain plus `quant.precision_analysis` (PerLayer);
 * - `check`: plain plus `compiler.check 3`;
 * - the same `plain` and `PerLayer` builds on one thread (`workers: 1`), to show what the
 *   worker pool gains.
 *
 * Every build runs in a fresh child process (this file with `--child`), cold like a real
 * `axb build`, so no build inherits another's JIT warm-up (workers start cold; a warm main
 * thread would flatter the one-thread builds). Phase ends come from the build's own
 * messages (the model summary, its log lines, the calibration bar's closing line); each
 * time is the fastest of `--runs` builds, runs of the variants alternating. CPU is user +
 * system time of all threads: CPU / wall near 2 means both cores were obtained. The peer
 * is one float inference of the same model by onnxruntime-node (one thread, median of 5):
 * the `× ort` column is the phase's time over it. Ratios printed below each table: the
 * analysed build over the plain one (acceptance: at most 1.5) and one thread over two.
 * The machine's 1-minute load average is printed with every build, since a shared
 * machine slows every figure.
 *
 * Usage: deno task bench:phases [--models a,b] [--runs N] [--images N]
 * (each build runs in a child process, hence `--allow-run`)
 *
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import * as ort from "onnxruntime-node";
import { parseFlags } from "../core/cli/flags.ts";
import { formatTable } from "../core/report/table.ts";
import { loadModel } from "../core/onnx/load.ts";
import { readNpy } from "../core/io/npy.ts";
import { asFloat32 } from "../core/ir/tensor.ts";
import { createLogger } from "../core/util/log.ts";
import { ProgressDisplay } from "../core/util/progress.ts";
import { defaultRegistry } from "../core/ops/mod.ts";
import { resolveBuildConfig } from "../core/config/resolve.ts";
import { runBuild } from "../core/build/build.ts";
import { builtinTargets, TargetRegistry } from "../targets/registry.ts";
import { fixtureConfig, type JsonObject, MODELS } from "../core/build/_acceptance_helpers.ts";

const { values } = parseFlags(Deno.args, [
  { name: "models", type: "string", help: "comma-separated model names" },
  { name: "runs", type: "int", help: "builds per variant (the fastest counts)" },
  { name: "images", type: "int", help: "calibration images (at most 32)" },
  { name: "child", type: "string", help: "internal: time one `model:variant` build and exit" },
]);
const names = String(values.get("models") ?? "mobilenet_v2,resnet18").split(",");
const runs = Number(values.get("runs") ?? 1);
const images = Number(values.get("images") ?? 32);

/** Build phases, each closed by the first message matching its pattern. */
const PHASES: readonly { name: string; end: RegExp }[] = [
  { name: "load", end: /^summary$/ },
  { name: "frontend", end: /save optimized onnx to/ },
  { name: "calibration", end: /^Calibration Progress/ },
  { name: "quantization", end: /quant\.axmodel export success/ },
  { name: "io export", end: /export io data to folder/ },
  { name: "precision analysis", end: /save precision analysis graph/ },
  { name: "compile", end: /fuse \d+ subgraph\(s\)/ },
  { name: "check", end: /save effective config/ },
  { name: "finish", end: /build finished/ },
];

interface Variant {
  name: string;
  analysis: boolean;
  check: number;
  workers?: number;
}

const VARIANTS: readonly Variant[] = [
  { name: "plain", analysis: false, check: 0 },
  { name: "PerLayer", analysis: true, check: 0 },
  { name: "check", analysis: false, check: 3 },
  { name: "plain 1 thread", analysis: false, check: 0, workers: 1 },
  { name: "PerLayer 1 thread", analysis: true, check: 0, workers: 1 },
];

interface Timing {
  /** Seconds per phase (null when the phase did not happen). */
  phases: (number | null)[];
  total: number;
  /** CPU seconds of all threads. */
  cpu: number;
  /** 1-minute load average when the build finished. */
  load: number;
}

/** Messages with their arrival time, from the log, the printed tables and the bars. */
function recorder(t0: number) {
  const ends: (number | undefined)[] = PHASES.map(() => undefined);
  const seen = (text: string) => {
    const now = (performance.now() - t0) / 1000;
    PHASES.forEach((p, i) => {
      if (ends[i] === undefined && p.end.test(text)) ends[i] = now;
    });
  };
  const dec = new TextDecoder();
  const sink = {
    isTerminal: () => false,
    writeSync: (b: Uint8Array) => {
      seen(dec.decode(b));
      return b.length;
    },
  };
  return { ends, seen, sink };
}

async function buildOnce(
  model: string,
  v: Variant,
  raw: JsonObject,
  outputDir: string,
): Promise<Timing> {
  const targets = new TargetRegistry(builtinTargets());
  const config = (await resolveBuildConfig({
    raw: merged(raw, {
      input: join(MODELS, `${model}.onnx`),
      output_dir: outputDir,
      quant: { precision_analysis: v.analysis, precision_analysis_method: "PerLayer" },
      compiler: { check: v.check },
    }),
  }, { targets, requireIo: true })).config;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const rec = recorder(t0);
  let printed = false;
  await runBuild(config, {
    registry: defaultRegistry(),
    targets,
    log: createLogger({ sink: rec.seen }),
    print: () => {
      if (!printed) rec.seen("summary");
      printed = true;
    },
    progress: new ProgressDisplay({ sink: rec.sink, lineInterval: Infinity }),
    workers: v.workers,
  });
  const total = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  let last = 0;
  const phases = rec.ends.map((e) => {
    if (e === undefined) return null;
    const d = e - last;
    last = e;
    return d;
  });
  return { phases, total, cpu: (c.user + c.system) / 1e6, load: Deno.loadavg()[0] };
}

/** The config of `model`: the mobilenet_v2 fixture with the model's input name. */
async function configOf(model: string): Promise<JsonObject> {
  const input = (await loadModel(join(MODELS, `${model}.onnx`))).graph.runtimeInputs[0].name;
  const raw = await fixtureConfig("mobilenet_v2.json", {
    quant: { calibration_method: "MinMax" },
    target_hardware: "AX650",
    npu_mode: "NPU1",
  });
  const quant = raw.quant as { input_configs: JsonObject[] };
  quant.input_configs = quant.input_configs.map((ic) => ({
    ...ic,
    tensor_name: input,
    calibration_size: images,
  }));
  raw.input_processors = (raw.input_processors as JsonObject[]).map((p) => ({
    ...p,
    tensor_name: input,
  }));
  return raw;
}

/** Time one build in a child process. */
async function spawn(model: string, variant: number, outputDir: string): Promise<Timing> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      import.meta.filename ?? "",
      "--images",
      String(images),
      "--child",
      `${model}:${variant}:${outputDir}`,
    ],
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  if (!out.success) throw new Error(`Child ${model} ${VARIANTS[variant].name} failed: ${text}`);
  return JSON.parse(text);
}

function merged(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const isObj = (x: unknown): x is JsonObject =>
      typeof x === "object" && x !== null && !Array.isArray(x);
    out[k] = isObj(b) && isObj(v) ? merged(b, v) : v;
  }
  return out;
}

/** One float inference by onnxruntime-node on one thread, median of 5, in seconds. */
async function ortSeconds(model: string): Promise<number> {
  const input = await readNpy(join(MODELS, `${model}.input.npy`));
  const session = await ort.InferenceSession.create(join(MODELS, `${model}.onnx`), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  try {
    const feeds = {
      [session.inputNames[0]]: new ort.Tensor("float32", asFloat32(input), input.shape),
    };
    await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      times.push((performance.now() - t0) / 1000);
    }
    return times.sort((a, b) => a - b)[2];
  } finally {
    await session.release();
  }
}

const fmt = (s: number | null | undefined) => (s == null ? "-" : s.toFixed(2));

async function main(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "axb_bench_phases_" });
  try {
    for (const model of names) {
      const peer = await ortSeconds(model);
      const timings: Timing[][] = VARIANTS.map(() => []);
      for (let r = 0; r < runs; r++) {
        for (const [i, v] of VARIANTS.entries()) {
          const t = await spawn(model, i, join(dir, `${model}_${i}_${r}`));
          console.error(
            `${model} ${v.name} run ${r + 1}: ${t.total.toFixed(2)} s, CPU ${
              t.cpu.toFixed(2)
            } s, load ${t.load.toFixed(1)}`,
          );
          timings[i].push(t);
        }
      }
      report(model, peer, timings.map((ts) => ts.reduce((a, b) => (b.total < a.total ? b : a))));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function report(model: string, peer: number, best: Timing[]): void {
  const rows = PHASES.map((p, i) => [
    p.name,
    ...best.map((t) => fmt(t.phases[i])),
    best[0].phases[i] == null ? "-" : (best[0].phases[i]! / peer).toFixed(0),
  ]);
  rows.push(["total", ...best.map((t) => fmt(t.total)), (best[0].total / peer).toFixed(0)]);
  rows.push(["CPU (all threads)", ...best.map((t) => fmt(t.cpu)), ""]);
  rows.push(["load average", ...best.map((t) => t.load.toFixed(1)), ""]);
  console.log(formatTable(rows, {
    title: `axb build ${model}, ${images} images MinMax, AX650 NPU1, seconds (onnxruntime-node ${
      (peer * 1000).toFixed(1)
    } ms per inference)`,
    header: ["Phase", ...VARIANTS.map((v) => v.name), "plain × ort"],
    maxWidth: Infinity,
  }));
  const [plain, perLayer, , plain1, perLayer1] = best;
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a == null || b == null ? "-" : (a / b).toFixed(2);
  const phase = (t: Timing, name: string) => t.phases[PHASES.findIndex((p) => p.name === name)];
  console.log(
    `PerLayer build / plain build: ${ratio(perLayer.total, plain.total)} (acceptance <= 1.5)\n` +
      `1 thread / 2 workers: calibration ${
        ratio(phase(plain1, "calibration"), phase(plain, "calibration"))
      }, io export ${ratio(phase(plain1, "io export"), phase(plain, "io export"))}, ` +
      `precision analysis ${
        ratio(phase(perLayer1, "precision analysis"), phase(perLayer, "precision analysis"))
      }, plain build ${ratio(plain1.total, plain.total)}, PerLayer build ${
        ratio(perLayer1.total, perLayer.total)
      }\n`,
  );
}

const child = values.get("child");
if (typeof child === "string") {
  const [model, variant, ...out] = child.split(":");
  const t = await buildOnce(model, VARIANTS[Number(variant)], await configOf(model), out.join(":"));
  console.log(JSON.stringify(t));
} else {
  await main();
}
