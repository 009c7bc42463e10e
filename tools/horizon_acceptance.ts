/**
 * Horizon acceptance figures (issue 9): for each shared model, convert with
 * `hb_mapper makertbin` for bernoulli2 (`input_type_rt` featuremap, rgb, nv12 — rgb-trained,
 * mean/scale in the YAML) and `hb_compile` for nash-e and nash-m (plus two `per_channel: True`
 * runs, `-pc`, and the kl run without it), then on the 8 held-out
 * images of `../shared/calib/images-32.tar` (the first 24 calibrate):
 *
 * - every artifact exists;
 * - the quantized / ptq ONNX runs in onnxruntime-node; its final output's cosine with the
 *   float model (onnxruntime, ImageNet-normalised input);
 * - the emulated `.bin`/`.hbm` (runtime input: uint8 NHWC, NV12 bytes or float32) against
 *   that ONNX: the share of output elements within 1 LSB, the LSB being the output's int8
 *   step `threshold / 127` (threshold = the calibrated max |value| of the output, the
 *   similarity table's Threshold column; the outputs here are Conv/Gemm int32 tails, so they
 *   carry no quantization step of their own) — against onnxruntime with its default
 *   optimisations (int8 kernel fusions such as QGemm) and with `basic` optimisations (the
 *   QDQ graph's plain float meaning).
 *
 * Usage: deno run -A tools/horizon_acceptance.ts [--models mobilenet_v2,resnet18] [--out DIR]
 *
 * @module
 */
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { parseFlags } from "../core/cli/flags.ts";
import { formatTable } from "../core/report/table.ts";
import { horizonToBuildConfig, parseHorizonConfig } from "../core/config/horizon/mod.ts";
import { convertHorizon } from "../core/cli/horizon_convert.ts";
import { readCompiledModel } from "../core/container/decode.ts";
import { runCompiled } from "../core/container/runtime.ts";
import { Tensor } from "../core/ir/tensor.ts";
import { builtinTargets, TargetRegistry } from "../targets/registry.ts";
import { cosineSimilarity } from "../core/build/horizon/similarity.ts";
import {
  type HwcImage,
  normalised,
  sharedImages,
  toChw,
  toNv12,
  writeCalibration,
} from "./horizon_data.ts";

const shared = join(import.meta.dirname ?? ".", "../../shared");
const { values } = parseFlags(Deno.args, [
  { name: "models", type: "string", help: "comma-separated model names" },
  { name: "out", type: "string", help: "working folder" },
  { name: "runs", type: "string", help: "comma-separated run names (default: all)" },
]);
const models = String(values.get("models") ?? "mobilenet_v2,resnet18").split(",");
const out = String(values.get("out") ?? await Deno.makeTempDir({ prefix: "axb_horizon_" }));
const targets = new TargetRegistry(builtinTargets());

interface Run {
  readonly name: string;
  readonly march: string;
  readonly rt: "featuremap" | "rgb" | "nv12";
  readonly calibration: string;
  /** `per_channel: True` (feature maps quantized per channel). */
  readonly perChannel?: boolean;
}
const RUNS: Run[] = [
  { name: "b2-featuremap", march: "bernoulli2", rt: "featuremap", calibration: "default" },
  { name: "b2-rgb", march: "bernoulli2", rt: "rgb", calibration: "default" },
  { name: "b2-nv12", march: "bernoulli2", rt: "nv12", calibration: "default" },
  { name: "nash-e-rgb", march: "nash-e", rt: "rgb", calibration: "default" },
  { name: "nash-m-nv12", march: "nash-m", rt: "nv12", calibration: "default" },
  { name: "b2-rgb-pc", march: "bernoulli2", rt: "rgb", calibration: "max", perChannel: true },
  { name: "nash-e-rgb-kl", march: "nash-e", rt: "rgb", calibration: "kl" },
  { name: "nash-e-rgb-pc", march: "nash-e", rt: "rgb", calibration: "kl", perChannel: true },
];
const only = values.get("runs");
const runs = typeof only === "string" ? RUNS.filter((r) => only.split(",").includes(r.name)) : RUNS;

function yaml(model: string, run: Run, dir: string): string {
  const fm = run.rt === "featuremap";
  return [
    "model_parameters:",
    `  onnx_model: '${join(shared, "models", `${model}.onnx`)}'`,
    `  march: '${run.march}'`,
    `  output_model_file_prefix: '${model}'`,
    `  working_dir: '${dir}'`,
    "input_parameters:",
    "  input_name: 'input'",
    `  input_type_train: '${fm ? "featuremap" : "rgb"}'`,
    "  input_layout_train: 'NCHW'",
    `  input_type_rt: '${run.rt}'`,
    ...(run.march === "bernoulli2" && run.rt === "rgb" ? ["  input_layout_rt: 'NHWC'"] : []),
    ...(fm ? ["  norm_type: 'no_preprocess'"] : [
      "  norm_type: 'data_mean_and_scale'",
      "  mean_value: '123.675 116.28 103.53'",
      `  scale_value: '${[58.395, 57.12, 57.375].map((s) => 1 / s).join(" ")}'`,
    ]),
    "calibration_parameters:",
    `  cal_data_dir: '${join(out, fm ? "cal_f32" : "cal_rgb")}'`,
    `  calibration_type: '${run.calibration}'`,
    ...(run.perChannel ? ["  per_channel: True"] : []),
    "compiler_parameters:",
    "  compile_mode: 'latency'",
    "  core_num: 1",
    `  optimize_level: '${run.march === "bernoulli2" ? "O3" : "O2"}'`,
    "",
  ].join("\n");
}

/** The quantized ONNX's host input and the container's runtime input for one image. */
function feeds(
  im: HwcImage,
  rt: Run["rt"],
  nhwcRuntime: boolean,
): { host: ort.Tensor; runtime: Tensor } {
  const s = 224;
  if (rt === "featuremap") {
    const chw = normalised(im.hwc, s);
    const nhwc = new Float32Array(chw.length);
    for (let i = 0; i < s * s; i++) {
      for (let c = 0; c < 3; c++) nhwc[3 * i + c] = chw[c * s * s + i];
    }
    return {
      host: new ort.Tensor("float32", nhwc, [1, s, s, 3]),
      runtime: new Tensor("f32", [1, 3, s, s], chw),
    };
  }
  if (rt === "rgb") {
    // bernoulli2 runs set input_layout_rt NHWC; nash keeps the training layout (NCHW)
    return {
      host: new ort.Tensor("int8", Int8Array.from(im.hwc, (v) => v - 128), [1, s, s, 3]),
      runtime: nhwcRuntime
        ? new Tensor("u8", [1, s, s, 3], Uint8Array.from(im.hwc))
        : new Tensor("u8", [1, 3, s, s], Uint8Array.from(toChw(im.hwc, s))),
    };
  }
  const { nv12, yuv444 } = toNv12(im.hwc, s);
  return {
    host: new ort.Tensor("int8", Int8Array.from(yuv444, (v) => v - 128), [1, s, s, 3]),
    runtime: new Tensor("u8", [1, (s * 3) / 2, s, 1], nv12),
  };
}

async function ortOutput(session: ort.InferenceSession, x: ort.Tensor): Promise<Float32Array> {
  const r = await session.run({ [session.inputNames[0]]: x });
  const t = r[session.outputNames[0]];
  if (!(t.data instanceof Float32Array)) throw new Error("expected a float32 output");
  return Float32Array.from(t.data); // onnxruntime may reuse the buffer on the next run
}

const images = await sharedImages(shared);
const held = images.slice(24);
await writeCalibration(images.slice(0, 24), join(out, "cal_rgb"), "rgb");
await writeCalibration(images.slice(0, 24), join(out, "cal_f32"), "featuremap");
const rows: string[][] = [];
for (const model of models) {
  const float = await ort.InferenceSession.create(join(shared, "models", `${model}.onnx`));
  const reference: Float32Array[] = [];
  for (const im of held) {
    reference.push(
      await ortOutput(float, new ort.Tensor("float32", normalised(im.hwc, 224), [1, 3, 224, 224])),
    );
  }
  for (const run of runs) {
    const dir = join(out, `${model}_${run.name}`);
    const file = join(out, `${model}_${run.name}.yaml`);
    await Deno.writeTextFile(file, yaml(model, run, dir));
    const t0 = performance.now();
    const tool = run.march === "bernoulli2" ? "hb_mapper" : "hb_compile";
    const h = parseHorizonConfig(file, { targets, tool });
    const sink: string[] = [];
    const result = await convertHorizon(horizonToBuildConfig(h, targets), {
      stdout: (t) => sink.push(t),
      stderr: (t) => sink.push(t),
      debug: false,
    }, { targets, logFile: join(out, `${model}_${run.name}.log`), command: tool });
    const seconds = (performance.now() - t0) / 1000;
    const missing = [];
    for (const a of result.artifacts) {
      try {
        await Deno.stat(a);
      } catch {
        missing.push(a);
      }
    }
    const session = await ort.InferenceSession.create(result.quantizedOnnx);
    // The QDQ graph's own meaning, without onnxruntime's int8 kernel fusions.
    const plain = await ort.InferenceSession.create(result.quantizedOnnx, {
      graphOptimizationLevel: "basic",
    });
    let withinPlain = 0;
    const container = await readCompiledModel(result.container ?? "");
    const lsb = result.similarity[0].threshold / 127;
    let within = 0;
    let total = 0;
    const cos: number[] = [];
    for (const [k, im] of held.entries()) {
      const f = feeds(im, run.rt, run.march === "bernoulli2");
      const q = await ortOutput(session, f.host);
      cos.push(cosineSimilarity(q, reference[k]));
      const emu = runCompiled(container, new Map([["input", f.runtime]])).outputs.get("output");
      const e = emu?.data ?? new Float32Array(0);
      const p = await ortOutput(plain, f.host);
      for (let i = 0; i < q.length; i++) {
        total++;
        if (Math.abs(Number(e[i]) - q[i]) <= lsb * (1 + 1e-6)) within++;
        if (Math.abs(Number(e[i]) - p[i]) <= lsb * (1 + 1e-6)) withinPlain++;
      }
    }
    rows.push([
      model,
      run.name,
      result.calibration,
      String(result.artifacts.length - missing.length) + "/" + result.artifacts.length,
      Math.min(...cos).toFixed(6),
      (cos.reduce((a, b) => a + b, 0) / cos.length).toFixed(6),
      ((100 * within) / total).toFixed(2),
      ((100 * withinPlain) / total).toFixed(2),
      seconds.toFixed(0),
    ]);
    console.log(rows[rows.length - 1].join("  "));
  }
}
console.log(formatTable(rows, {
  title: `Horizon acceptance (held-out images 24-31; working folder ${out})`,
  header: [
    "Model",
    "Run",
    "Calibration",
    "Artifacts",
    "Min cosine",
    "Mean cosine",
    "% within 1 LSB",
    "% within 1 LSB (ORT basic)",
    "Build s",
  ],
}));
