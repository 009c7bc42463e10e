/**
 * Acceptance of exact emulation on the activation and normalisation chains PyTorch and
 * Paddle export (`testdata/quant_chains/`, built by `tools/build_quant_chain_fixtures.ts`):
 * each model is built for AX650 like `axb build` does, then what `axb run` executes on
 * `quant/quant_axmodel.onnx` (the integer reference) and on `compiled.axmodel` (NPU
 * subgraphs in the NPU numeric model) is compared with onnxruntime running the QDQ file
 * at each graph optimisation level: at least 99 % of output codes within 1 LSB at every
 * level, and at least 99 % identical for the reference at onnxruntime's default level.
 * Variants keep Conv weights or biases in float (`weight_data_type`,
 * `conv_bias_data_type` FP32), the forms onnxruntime's optimiser used to rewrite.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { buildQuietly, type JsonObject, seededValues, TESTDATA } from "./_acceptance_helpers.ts";
import { loadModel } from "../onnx/load.ts";
import { fromQdqModel } from "../quant/qdq_import.ts";
import { activationParams } from "../quant/quant_model.ts";
import { modelRunner } from "../run/model_runner.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { asFloat32, f32 } from "../ir/tensor.ts";

const FIXTURES = join(TESTDATA, "quant_chains");
const LEVELS = ["disabled", "basic", "extended", "all"] as const;

const CNN = { shape: [1, 3, 16, 16], calibration: "calibration_cnn.tar" };
const SEQ = { shape: [1, 16, 32], calibration: "calibration_seq.tar" };

const CASES: { model: string; input: typeof CNN; quant?: JsonObject; label?: string }[] = [
  { model: "hardswish_op", input: CNN },
  { model: "hardswish_paddle", input: CNN },
  { model: "hardswish_hardsigmoid", input: CNN },
  { model: "hardsigmoid", input: CNN },
  { model: "silu", input: CNN },
  { model: "convtranspose_relu", input: CNN },
  { model: "gelu_erf", input: SEQ },
  { model: "gelu_tanh", input: SEQ },
  { model: "layernorm_decomposed", input: SEQ },
  { model: "layernorm_op", input: SEQ },
  {
    model: "hardswish_paddle",
    input: CNN,
    quant: { layer_configs: [{ op_types: ["Conv"], weight_data_type: "FP32" }] },
    label: "float Conv weights",
  },
  {
    model: "convtranspose_relu",
    input: CNN,
    quant: { conv_bias_data_type: "FP32" },
    label: "float biases",
  },
  {
    model: "layernorm_op",
    input: SEQ,
    quant: { layer_configs: [{ op_type: "LayerNormalization", data_type: "U16" }] },
    label: "U16 LayerNormalization",
  },
];

/** Share of codes within 1 LSB and identical, comparing real values on one grid. */
function agreement(a: Float32Array, b: Float32Array, scale: number) {
  let near = 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(Math.round(a[i] / scale) - Math.round(b[i] / scale));
    if (d <= 1) near++;
    if (d === 0) same++;
  }
  return { near, same, total: a.length };
}

for (const c of CASES) {
  Deno.test(`axb run on ${c.model}${c.label ? ` (${c.label})` : ""} agrees with onnxruntime at every optimisation level`, async () => {
    const out = await Deno.makeTempDir({ prefix: "axb_chains_" });
    try {
      const raw: JsonObject = {
        target_hardware: "AX650",
        npu_mode: "NPU1",
        compiler: { check: 0 },
        quant: {
          input_configs: [{
            tensor_name: "DEFAULT",
            calibration_dataset: join(FIXTURES, c.input.calibration),
            calibration_format: "Numpy",
            calibration_size: -1,
          }],
          ...c.quant,
        },
      };
      const { result } = await buildQuietly(raw, join(FIXTURES, `${c.model}.onnx`), out);
      const registry = defaultRegistry();
      const quantModel = await loadModel(result.quantModel);
      const params = fromQdqModel(quantModel);
      const runners = {
        quant: modelRunner(quantModel, registry, result.quantModel),
        compiled: modelRunner(await loadModel(result.compiledModel), registry, "compiled"),
      };
      const bytes = await Deno.readFile(result.quantModel);
      const inputName = quantModel.graph.runtimeInputs[0].name;
      const n = c.input.shape.reduce((a, b) => a * b, 1);
      const samples = [0, 1, 2].map((k) => f32(c.input.shape, seededValues(n, 500 + k, -3, 3)));
      for (const level of LEVELS) {
        const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level });
        for (const [kind, runner] of Object.entries(runners)) {
          let near = 0;
          let same = 0;
          let total = 0;
          for (const x of samples) {
            const theirs = await session.run({
              [inputName]: new ort.Tensor("float32", asFloat32(x), c.input.shape),
            });
            const ours = runner.run(new Map([[inputName, x]]), false);
            for (const o of quantModel.graph.outputs) {
              const p = activationParams(params, o.name);
              assert.ok(p, `output ${o.name} is quantized`);
              const r = agreement(
                asFloat32(ours.get(o.name)!),
                theirs[o.name].data as Float32Array,
                p.scale,
              );
              near += r.near;
              same += r.same;
              total += r.total;
            }
          }
          const what = `${kind} at ${level}: ${same} identical, ${near} within 1 LSB of ${total}`;
          assert.ok(near / total >= 0.99, what);
          if (kind === "quant" && level === "all") assert.ok(same / total >= 0.99, what);
        }
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });
}
