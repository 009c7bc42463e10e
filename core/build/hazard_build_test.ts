/**
 * Acceptance of the range-hazard lint on a detector-shaped model
 * (`testdata/hazards/detector.onnx`, built by `tools/build_hazard_fixtures.ts`): boxes in
 * pixels (0–640) and sigmoid scores concatenated into one output. The default build names
 * the Concat and leaves the quantized model as `off` writes it; `--quant.hazards fix`
 * gives every score channel a cosine of at least 0.999 against onnxruntime on the float
 * model, in what `axb run` computes on both the quantized and the compiled model.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { type JsonObject, seededValues, TESTDATA } from "./_acceptance_helpers.ts";
import { runBuild } from "./build.ts";
import { resolveBuildConfig } from "../config/resolve.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { createLogger } from "../util/log.ts";
import { loadModel } from "../onnx/load.ts";
import { modelRunner } from "../run/model_runner.ts";
import { asFloat32, f32 } from "../ir/tensor.ts";

const FIXTURES = join(TESTDATA, "hazards");
const MODEL = join(FIXTURES, "detector.onnx");
const SHAPE = [1, 3, 32, 32];
/** Output `y [1, 64, 7]`: per anchor 4 box values, then 3 scores. */
const CHANNELS = 7;
const SCORES = [4, 5, 6];

/** Build the detector with `hazards`; the log's messages and the build's files. */
async function build(hazards: string, out: string) {
  const targets = new TargetRegistry(builtinTargets());
  const raw: JsonObject = {
    input: MODEL,
    output_dir: out,
    target_hardware: "AX650",
    compiler: { check: 0 },
    quant: {
      hazards,
      input_configs: [{
        tensor_name: "DEFAULT",
        calibration_dataset: join(FIXTURES, "calibration_detector.tar"),
        calibration_format: "Numpy",
        calibration_size: -1,
      }],
    },
  };
  const { config } = await resolveBuildConfig({ raw }, { requireIo: true, targets });
  const log: string[] = [];
  const result = await runBuild(config, {
    registry: defaultRegistry(),
    targets,
    log: createLogger({ sink: (line) => log.push(line) }),
    quiet: true,
  });
  return { result, log };
}

/** Cosine of each output channel over `samples` anchors × samples. */
function channelCosines(ours: Float32Array[], float: Float32Array[]): number[] {
  return Array.from({ length: CHANNELS }, (_, c) => {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    ours.forEach((o, k) => {
      const f = float[k];
      for (let i = c; i < f.length; i += CHANNELS) {
        ab += o[i] * f[i];
        aa += o[i] * o[i];
        bb += f[i] * f[i];
      }
    });
    return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
  });
}

/** Score-channel cosines of `axb run` on the quantized and the compiled model. */
async function scoreCosines(result: { quantModel: string; compiledModel: string }) {
  const n = SHAPE.reduce((a, b) => a * b, 1);
  const samples = [0, 1, 2, 3].map((k) => f32(SHAPE, seededValues(n, 700 + k, -1, 1)));
  const session = await ort.InferenceSession.create(MODEL);
  const float: Float32Array[] = [];
  for (const x of samples) {
    const r = await session.run({ x: new ort.Tensor("float32", asFloat32(x), SHAPE) });
    float.push(r.y.data as Float32Array);
  }
  const registry = defaultRegistry();
  const out: Record<string, number[]> = {};
  for (const [kind, path] of [["quant", result.quantModel], ["compiled", result.compiledModel]]) {
    const runner = modelRunner(await loadModel(path), registry, path);
    const ours = samples.map((x) => asFloat32(runner.run(new Map([["x", x]]), false).get("y")!));
    const all = channelCosines(ours, float);
    out[kind] = SCORES.map((c) => all[c]);
  }
  return out;
}

Deno.test("axb build names the box+score Concat and --quant.hazards fix keeps the scores", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb_hazards_" });
  try {
    const warn = await build("warn", join(dir, "warn"));
    const lines = warn.log.filter((l) => l.includes("quant hazard:"));
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0], /Concat "head_concat"/);
    assert.match(lines[0], /"scores" keeps 0\.\d+ U8 codes/);
    assert.match(lines[0], /\{"layer_name": "head_concat", "data_type": "FP32"\}/);
    // with the default the scores collapse: a score channel is all one code
    for (const c of Object.values(await scoreCosines(warn.result)).flat()) assert.ok(c < 0.999);

    const off = await build("off", join(dir, "off"));
    assert.deepEqual(off.log.filter((l) => l.includes("quant hazard")), []);
    assert.deepEqual(
      await Deno.readFile(warn.result.quantModel),
      await Deno.readFile(off.result.quantModel),
      "warn only reports",
    );

    const fix = await build("fix", join(dir, "fix"));
    assert.ok(
      fix.log.some((l) =>
        l.includes("quant.hazards fix:") &&
        l.includes('applying {"layer_name": "head_concat", "data_type": "FP32"}')
      ),
      fix.log.join("\n"),
    );
    assert.deepEqual(fix.log.filter((l) => l.includes("quant hazard:")), []);
    const fixed = await scoreCosines(fix.result);
    for (const [kind, cosines] of Object.entries(fixed)) {
      for (const c of cosines) assert.ok(c >= 0.999, `${kind}: score cosines ${cosines}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
