import { strict as assert } from "node:assert";
import { resolveBuildConfig } from "../config/resolve.ts";
import { parseFlags } from "./flags.ts";
import { buildFlags, configOverrides } from "./build_flags.ts";
import { ConfigError } from "../errors/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());

const DIR = new URL("../../testdata/config/", import.meta.url).pathname;
const fixture = (name: string) => DIR + name;

function flags(...argv: string[]) {
  return configOverrides(parseFlags(argv, buildFlags(targets)).values);
}

Deno.test("resolveBuildConfig() lets --quant.precision_analysis 1 override the file's false", async () => {
  const file = fixture("seed001_mix_precision.json");
  const { config } = await resolveBuildConfig({
    file,
    overrides: flags("--quant.precision_analysis", "1"),
  }, { targets });
  assert.equal(config.quant.precision_analysis, true);
  assert.equal(config.quant.layer_configs.length, 5, "file fields next to the override survive");
});

Deno.test("resolveBuildConfig() applies list, shape and enum flags over the file", async () => {
  const { config } = await resolveBuildConfig({
    file: fixture("full.json"),
    overrides: flags(
      "--compiler.static_batch_sizes",
      "1",
      "8",
      "--compiler.check_tensor_black_list",
      "x",
      "y",
      "--input_shapes",
      "input:1x3x320x320",
      "--quant.calibration_method",
      "kl",
      "--target_hardware",
      "AX620L",
      "--npu_mode",
      "NPU2",
    ),
  }, { targets });
  assert.deepEqual(config.compiler.static_batch_sizes, [1, 8]);
  assert.deepEqual(config.compiler.check_tensor_black_list, ["x", "y"]);
  assert.equal(config.input_shapes, "input:1x3x320x320");
  assert.equal(config.quant.calibration_method, "KL");
  assert.equal(config.target_hardware, "AX620E");
  assert.deepEqual(
    config.compiler.sub_configs[0].static_batch_sizes,
    [1, 8],
    "sub-configs inherit flag values",
  );
});

Deno.test("resolveBuildConfig() blames the command line for a bad flag value", async () => {
  await assert.rejects(
    resolveBuildConfig({ overrides: flags("--quant.transformer_opt_level", "3") }, { targets }),
    (e: unknown) =>
      e instanceof ConfigError && e.file === "command line" &&
      e.message.includes("--quant.transformer_opt_level") && e.message.includes("0, 1 or 2"),
  );
  await assert.rejects(
    resolveBuildConfig({
      raw: { target_hardware: "AX620E" },
      overrides: flags("--npu_mode", "NPU3"),
    }, { targets }),
    (e: unknown) => e instanceof ConfigError && e.file === "command line" && e.field === "npu_mode",
  );
});

Deno.test("resolveBuildConfig() refuses a config without input/output_dir when requireIo is set", async () => {
  await assert.rejects(
    resolveBuildConfig({ raw: {} }, { targets, requireIo: true }),
    (e: unknown) => e instanceof ConfigError && e.field === "input",
  );
  const ok = await resolveBuildConfig({
    overrides: flags("--input", "m.onnx", "--output_dir", "o"),
  }, { targets, requireIo: true });
  assert.equal(ok.config.work_dir, "o");
});

Deno.test("buildFlags() help says which flags have no effect in axb", () => {
  const help = new Map(buildFlags(targets).map((f) => [f.name, f.help]));
  assert.match(help.get("quant.device") ?? "", /\(no effect in axb\)$/);
  assert.match(help.get("compiler.enable_data_soft_compression") ?? "", /\(no effect in axb\)$/);
  assert.doesNotMatch(help.get("onnx_opt.model_check") ?? "", /no effect/);
  assert.doesNotMatch(help.get("debug") ?? "", /no effect/, "axb's own --debug");
});

Deno.test("resolveBuildConfig() reads --quant.hazards, whose default is warn", async () => {
  const file = fixture("seed001_mix_precision.json");
  const { config: dflt } = await resolveBuildConfig({ file }, { targets });
  assert.equal(dflt.quant.hazards, "warn");
  const { config } = await resolveBuildConfig({
    file,
    overrides: flags("--quant.hazards", "fix"),
  }, { targets });
  assert.equal(config.quant.hazards, "fix");
  assert.throws(() => flags("--quant.hazards", "strict"), /warn, fix, off/);
});
