/**
 * Acceptance of exact emulation on the activation and normalisation chains PyTorch and
 * Paddle export (`testdata/quant_chains/`, built by `tools/build_quant_chain_fixtures.ts`):
 * each model is built for AX650 like `axb build` does, then what `axb run` executes on
 * `quant/quant_axmodel.onnx` (the integer reference) and on `compiled.axmodel` (NPU
 * subgraphs in the NPU numeric model) is compared with onnxruntime running the QDQ file
 * at each graph optimisation level: at least 99 % of output codes within 1 LSB at every
 * level, and at least 99 % identical for the reference at onnxruntime's default level.
 * Variants keep Conv weights or biases in float (`weight_data_type`,
 * `conv_bias_data_type` FP32), the forms onnxruntime's optimiser used to rewrite; the
 * shared mobilenet_v2 and tiny_vit (U16 LayerNormalization and Softmax) run the same way.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import {
  buildQuietly,
  type JsonObject,
  MODELS,
  seededValues,
  SHARED,
  TESTDATA,
} from "./_acceptance_helpers.ts";
import { loadModel } from "../onnx/load.ts";
import { fromQdqModel } from "../quant/qdq_import.ts";
import { activationParams } from "../quant/quant_model.ts";
import { modelRunner } from "../run/model_runner.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { asFloat32, f32 } from "../ir/tensor.ts";

const FIXTURES = join(TESTDATA, "quant_chains");
const LEVELS = ["disabled", "basic", "extended", "all"] as const;

/** Where a case's model and calibration come from, and the input it is fed. */
interface Source {
  readonly path: string;
  readonly shape: number[];
  readonly inputConfig: JsonObject;
}

function fixture(model: string, shape: number[], calibration: string): Source {
  return {
    path: join(FIXTURES, `${model}.onnx`),
    shape,
    inputConfig: {
      tensor_name: "DEFAULT",
      calibration_dataset: join(FIXTURES, calibration),
      calibration_format: "Numpy",
      calibration_size: -1,
    },
  };
}
const cnn = (model: string) => fixture(model, [1, 3, 16, 16], "calibration_cnn.tar");
const seq = (model: string) => fixture(model, [1, 16, 32], "calibration_seq.tar");
const shared = (model: string): Source => ({
  path: join(MODELS, `${model}.onnx`),
  shape: [1, 3, 224, 224],
  inputConfig: {
    tensor_name: "DEFAULT",
    calibration_dataset: join(SHARED, "calib/images-32.tar"),
    calibration_format: "Image",
    calibration_size: 8,
    calibration_mean: [123.675, 116.28, 103.53],
    calibration_std: [58.395, 57.12, 57.375],
  },
});

const CASES: { name: string; source: Source; quant?: JsonObject }[] = [
  { name: "hardswish_op", source: cnn("hardswish_op") },
  { name: "hardswish_paddle", source: cnn("hardswish_paddle") },
  { name: "hardswish_hardsigmoid", source: cnn("hardswish_hardsigmoid") },
  { name: "hardsigmoid", source: cnn("hardsigmoid") },
  { name: "silu", source: cnn("silu") },
  { name: "convtranspose_relu", source: cnn("convtranspose_relu") },
  { name: "gelu_erf", source: seq("gelu_erf") },
  { name: "gelu_tanh", source: seq("gelu_tanh") },
  { name: "layernorm_decomposed", source: seq("layernorm_decomposed") },
  { name: "layernorm_op", source: seq("layernorm_op") },
  {
    name: "hardswish_paddle (float Conv weights)",
    source: cnn("hardswish_paddle"),
    quant: { layer_configs: [{ op_types: ["Conv"], weight_data_type: "FP32" }] },
  },
  {
    name: "convtranspose_relu (float biases)",
    source: cnn("convtranspose_relu"),
    quant: { conv_bias_data_type: "FP32" },
  },
  {
    name: "layernorm_op (U16 LayerNormalization)",
    source: seq("layernorm_op"),
    quant: { layer_configs: [{ op_type: "LayerNormalization", data_type: "U16" }] },
  },
  { name: "mobilenet_v2", source: shared("mobilenet_v2") },
  {
    name: "tiny_vit (U16 LayerNormalization, Softmax)",
    source: shared("tiny_vit"),
    quant: { layer_configs: [{ op_types: ["LayerNormalization", "Softmax"], data_type: "U16" }] },
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
  Deno.test(`axb run on ${c.name} agrees with onnxruntime at every optimisation level`, async () => {
    const out = await Deno.makeTempDir({ prefix: "axb_chains_" });
    try {
      const raw: JsonObject = {
        target_hardware: "AX650",
        npu_mode: "NPU1",
        compiler: { check: 0 },
        quant: { input_configs: [c.source.inputConfig], ...c.quant },
      };
      const { result } = await buildQuietly(raw, c.source.path, out);
      const registry = defaultRegistry();
      const quantModel = await loadModel(result.quantModel);
      const params = fromQdqModel(quantModel);
      const inputName = quantModel.graph.runtimeInputs[0].name;
      const shape = c.source.shape;
      const n = shape.reduce((a, b) => a * b, 1);
      const samples = [0, 1, 2].map((k) => f32(shape, seededValues(n, 500 + k, -2, 2)));
      // what `axb run` computes on each model, once per sample
      const ours = {
        quant: modelRunner(quantModel, registry, result.quantModel),
        compiled: modelRunner(await loadModel(result.compiledModel), registry, "compiled"),
      };
      const outputs = Object.entries(ours).map(([kind, runner]) => ({
        kind,
        values: samples.map((x) => runner.run(new Map([[inputName, x]]), false)),
      }));
      const bytes = await Deno.readFile(result.quantModel);
      for (const level of LEVELS) {
        const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level });
        const theirs: ort.InferenceSession.OnnxValueMapType[] = [];
        for (const x of samples) {
          theirs.push(
            await session.run({ [inputName]: new ort.Tensor("float32", asFloat32(x), shape) }),
          );
        }
        for (const { kind, values } of outputs) {
          let near = 0;
          let same = 0;
          let total = 0;
          values.forEach((v, k) => {
            for (const o of quantModel.graph.outputs) {
              const p = activationParams(params, o.name);
              assert.ok(p, `output ${o.name} is quantized`);
              const r = agreement(
                asFloat32(v.get(o.name)!),
                theirs[k][o.name].data as Float32Array,
                p.scale,
              );
              near += r.near;
              same += r.same;
              total += r.total;
            }
          });
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
