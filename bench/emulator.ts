/**
 * Integer emulator speed against the float executor on the same model: each shared model
 * is calibrated (MinMax, 4 images of ../shared/calib/images-32.tar) and quantized (U8
 * activations, S8 weights), then the float executor and the emulator (`qdq` and `npu`
 * arithmetic) run the same image, interleaved; medians of wall-clock time and the ratio
 * emulator / float are printed.
 *
 * Usage: deno task bench:emulator [--runs N] [--warmup N] [--models a,b]
 *
 * @module
 */
import { join } from "node:path";
import { loadModel } from "../core/onnx/load.ts";
import { defaultRegistry } from "../core/ops/mod.ts";
import { optimizeFrontend } from "../core/passes/frontend.ts";
import { Executor } from "../core/exec/executor.ts";
import { loadCalibrationSet } from "../core/dataset/load_calibration.ts";
import { calibrate } from "../core/quant/calibrate.ts";
import { resolvePrecision } from "../core/quant/precision.ts";
import { quantizeModel } from "../core/quant/quantize.ts";
import { QuantEmulator } from "../core/quant/emulator.ts";
import { parseFlags } from "../core/cli/flags.ts";
import { formatTable } from "../core/report/table.ts";
import { kernelIsa } from "../core/wasm/kernels.ts";

const { values } = parseFlags(Deno.args, [
  { name: "runs", type: "int", help: "timed runs per model and runner" },
  { name: "warmup", type: "int", help: "untimed runs per model and runner first (default 5)" },
  { name: "models", type: "string", help: "comma-separated model names" },
]);
const runs = Number(values.get("runs") ?? 5);
const warmup = Number(values.get("warmup") ?? 5);
const names = String(values.get("models") ?? "resnet18,mobilenet_v2,squeezenet1_1").split(",");
const shared = join(import.meta.dirname ?? ".", "../../shared");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timed(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

const rows: string[][] = [];
for (const name of names) {
  const registry = defaultRegistry();
  const model = await loadModel(join(shared, "models", `${name}.onnx`));
  optimizeFrontend(model, { registry });
  const set = await loadCalibrationSet(
    [{
      tensor_name: "DEFAULT",
      calibration_dataset: join(shared, "calib/images-32.tar"),
      calibration_format: "Image",
      calibration_size: 5,
      calibration_mean: [123.675, 116.28, 103.53],
      calibration_std: [58.395, 57.12, 57.375],
    }],
    model.graph.runtimeInputs,
    {},
  );
  const exec = new Executor(model, registry);
  const stats = calibrate(exec, set.samples.slice(0, 4), { method: "MinMax" });
  const quant = quantizeModel(model, stats, {
    method: "MinMax",
    precision: resolvePrecision(model.graph, []),
    biasDataType: "S32",
    refineWeightThreshold: 1e-6,
  });
  const qdq = new QuantEmulator(quant, registry, { arithmetic: "qdq" });
  const npu = new QuantEmulator(quant, registry, { arithmetic: "npu" });
  const feeds = set.samples[4];
  const runners = [() => exec.run(feeds), () => qdq.run(feeds), () => npu.run(feeds)];
  // the same warm-up for every runner: JIT and the wasm kernels' optimizing tier
  for (let i = 0; i < warmup; i++) runners.forEach((f) => f());
  const t: number[][] = runners.map(() => []);
  for (let i = 0; i < runs; i++) runners.forEach((f, k) => t[k].push(timed(f)));
  const [f, q, n] = t.map(median);
  rows.push([
    name,
    f.toFixed(1),
    q.toFixed(1),
    n.toFixed(1),
    (q / f).toFixed(2),
    (n / f).toFixed(2),
  ]);
}
const load = Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
console.log(formatTable(rows, {
  title:
    `Emulator vs float executor, median of ${runs} interleaved runs (ms); kernels ${kernelIsa()}; ` +
    `load average ${load}`,
  header: ["model", "float", "emulator qdq", "emulator npu", "qdq/float", "npu/float"],
}));
