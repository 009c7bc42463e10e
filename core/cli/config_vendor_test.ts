/**
 * `axb config` accepts configs in the vendors' own forms (fixtures in `testdata/config/`,
 * written for axb after the vendor manuals and public model repositories), each with the
 * vendor's meaning.
 */
import { strict as assert } from "node:assert";
import { configCommand } from "./config.ts";
import type { BuildConfig } from "../config/build_config.ts";
import { horizonToBuildConfig, parseHorizonConfig } from "../config/horizon/mod.ts";
import { ConfigError } from "../errors/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());
const DIR = new URL("../../testdata/config/", import.meta.url).pathname;

async function axbConfig(
  file: string,
  ...flags: string[]
): Promise<{ config: BuildConfig; warnings: string[] }> {
  return await axbConfigJson<BuildConfig>(file, ...flags);
}

/** The part of the effective Horizon config the tests read. */
interface HorizonShown {
  readonly march: string;
  readonly model_parameters: { readonly onnx_model?: string };
  readonly input_parameters: { readonly input_shape: number[][] };
}

/** `axb config`'s JSON: a BuildConfig, or the effective Horizon config for a Horizon YAML. */
async function axbConfigJson<T>(
  file: string,
  ...flags: string[]
): Promise<{ config: T; warnings: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await configCommand(targets).run(["--config", `${DIR}${file}`, ...flags], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    debug: false,
  });
  assert.equal(code, 0);
  return { config: JSON.parse(out.join("")), warnings: err.filter((l) => l.includes("WARNING")) };
}

Deno.test("axb config accepts the manual's complete config template with its meaning", async () => {
  const { config, warnings } = await axbConfig("pulsar2_template.json");
  // data wins over data_path, with a word about the file that is not read
  assert.deepEqual(config.const_processors, [{
    name: "fc2.bias",
    data: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    data_path: "fc2_bias.npy",
  }]);
  assert.ok(warnings.some((w) => w.includes("const_processors[0].data_path")), warnings.join());
  // proto3: the template's empty mean/std are unset, so the calibration values apply
  assert.deepEqual(config.input_processors[0].mean, [127]);
  assert.deepEqual(config.input_processors[0].std, [1]);
  assert.deepEqual(config.quant.layer_configs.map((l) => l.weight_data_type), [
    "S8",
    "S8",
    "S8",
    "S8",
    "S8",
  ]);
  assert.equal(config.quant.layer_configs[4].data_type, "U16");
  assert.equal(config.quant_op_processors[1].op_name, "Flatten_4");
  assert.equal(config.work_dir, "/models/lenet5_out", "an empty work_dir is the output_dir");
  // every other field is written at its default: nothing is "without effect"
  assert.ok(!warnings.some((w) => w.includes("has no effect in axb")), warnings.join("\n"));
});

Deno.test("axb config accepts S16/U16/S32 weights and refine_weight_threshold 0.0001", async () => {
  const { config, warnings } = await axbConfig("pulsar2_wide_weights.json");
  assert.deepEqual(config.quant.layer_configs.map((l) => l.weight_data_type), [
    "S8",
    "S16",
    "U16",
    "S32",
  ]);
  assert.equal(config.quant.refine_weight_threshold, 0.0001);
  assert.equal(config.npu_mode, "NPU3");
  assert.deepEqual(
    warnings.filter((w) => w.includes("has no effect")).map((w) => w.replace(/^.*\| /, "")),
    [
      "quant.transformer_opt_level 1 has no effect in axb: transformer optimisation levels above 0 are not implemented",
    ],
  );
});

Deno.test("axb config --strict refuses a field without effect, naming it", async () => {
  await assert.rejects(
    axbConfig("pulsar2_wide_weights.json", "--strict"),
    (e) => e instanceof ConfigError && e.field === "quant.transformer_opt_level",
  );
});

Deno.test("axb config accepts an hb_compile fast-perf recipe without compiler_parameters", async () => {
  // a Horizon YAML prints the effective Horizon config, not a BuildConfig
  const { config } = await axbConfigJson<HorizonShown>("hb_compile_fast_perf.yaml");
  assert.equal(config.march, "nash-m");
  assert.equal(config.model_parameters.onnx_model, "./detector.onnx");
  assert.deepEqual(config.input_parameters.input_shape, [[1, 3, 640, 640]]);
  const h = parseHorizonConfig(`${DIR}hb_compile_fast_perf.yaml`, { targets, tool: "hb_compile" });
  assert.equal(h.march, "nash-m");
  assert.deepEqual(h.model_parameters.remove_node_type, [
    "Quantize",
    "Transpose",
    "Dequantize",
    "Cast",
    "Reshape",
    "Softmax",
  ]);
  // seed 004 defaults of the omitted group
  assert.equal(h.compiler_parameters.compile_mode, "latency");
  assert.equal(h.compiler_parameters.optimize_level, "O0");
  assert.equal(h.compiler_parameters.core_num, 1);
  assert.equal(h.compiler_parameters.max_time_per_fc, 0);
  assert.equal(h.calibration_parameters.calibration_type, "skip");
  const m = horizonToBuildConfig(h, targets);
  assert.equal(m.target, "nash-m");
  assert.ok(m.graphEdits.removeNodeTypes.includes("Softmax"));
  assert.equal(m.randomCalibration, true);
});

Deno.test("axb config accepts remove_node_type 'Softmax' on an RDK X5 (bayes-e) config", async () => {
  await axbConfig("x5_remove_softmax.yaml");
  const h = parseHorizonConfig(`${DIR}x5_remove_softmax.yaml`, {
    targets,
    tool: "hb_mapper",
    strict: true,
  });
  assert.equal(h.march, "bayes-e");
  assert.deepEqual(h.model_parameters.remove_node_type, ["Softmax"]);
});
