import { strict as assert } from "node:assert";
import { configCommand, effectiveConfigFromFlags, isHorizonConfig } from "./config.ts";
import { createLogger } from "../util/log.ts";
import { ConfigError, UsageError } from "../errors/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());

const FULL = new URL("../../testdata/config/full.toml", import.meta.url).pathname;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), debug: false },
  };
}

Deno.test("configCommand(targets).run() prints the effective config with flag overrides applied", async () => {
  const t = io();
  const code = await configCommand(targets).run([
    "--config",
    FULL,
    "--quant.precision_analysis",
    "--compiler.check",
    "3",
  ], t.io);
  assert.equal(code, 0);
  const cfg = JSON.parse(t.out.join(""));
  assert.equal(cfg.quant.precision_analysis, true);
  assert.equal(cfg.compiler.check, 3);
  assert.equal(
    cfg.compiler.sub_configs[0].check,
    2,
    "the sub-config's own check wins over the override",
  );
  assert.equal(cfg.quant.calibration_method, "Percentile");
  assert.ok(t.err.some((l) => l.includes("INFO") && l.includes("src_layout")), t.err.join("\n"));
});

Deno.test("configCommand(targets).run() refuses bad input with typed errors", async () => {
  await assert.rejects(
    configCommand(targets).run(["--config", "/nonexistent/c.json"], io().io),
    ConfigError,
  );
  await assert.rejects(configCommand(targets).run(["c.json"], io().io), UsageError);
  await assert.rejects(
    configCommand(targets).run(["--quant.calibraton_method", "MSE"], io().io),
    UsageError,
  );
});

Deno.test("isHorizonConfig() recognises Horizon YAML groups", () => {
  assert.equal(isHorizonConfig({ model_parameters: {} }), true);
  assert.equal(isHorizonConfig({ quant: {} }), false);
});

Deno.test("configCommand(targets).run() prints the effective Horizon config for a Horizon YAML", async () => {
  const t = io();
  const yaml = new URL("../../testdata/horizon/nash_quant_config.yaml", import.meta.url).pathname;
  assert.equal(await configCommand(targets).run(["--config", yaml], t.io), 0);
  const cfg = JSON.parse(t.out.join(""));
  assert.equal(cfg.march, "nash-m");
  assert.equal(cfg.tool, "hb_compile");
  assert.equal(cfg.target_hardware, undefined, "no pulsar2 BuildConfig");
  // written in the YAML
  assert.equal(cfg.compiler_parameters.compile_mode, "balance");
  assert.deepEqual(cfg.input_parameters.input_name, ["input"]);
  // defaults of nash filled in (spec horizon.md §5.2, §5.4, §5.5)
  assert.equal(cfg.model_parameters.output_model_file_prefix, "model");
  assert.equal(cfg.calibration_parameters.per_channel, false);
  assert.equal(cfg.compiler_parameters.core_num, 1);
  assert.equal(cfg.compiler_parameters.input_source.input, "pyramid");
  assert.deepEqual(cfg.node_info.map((n: { node: string }) => n.node), ["Conv_0", "Conv_3"]);
  assert.ok(cfg.quant_config.model_config, "the loaded quant_config JSON");
});

Deno.test("configCommand(targets).run() refuses pulsar2 build flags with a Horizon YAML", async () => {
  const yaml = new URL("../../testdata/horizon/x3_multi_input.yaml", import.meta.url).pathname;
  await assert.rejects(
    configCommand(targets).run(["--config", yaml, "--compiler.check", "1"], io().io),
    (e: unknown) =>
      e instanceof UsageError && e.message.includes("--compiler.check") &&
      e.message.includes("bernoulli2"),
  );
});

Deno.test("effectiveConfigFromFlags() refuses a Horizon YAML naming the hb command", async () => {
  const yaml = new URL("../../testdata/horizon/x3_multi_input.yaml", import.meta.url).pathname;
  await assert.rejects(
    effectiveConfigFromFlags(new Map([["config", yaml]]), createLogger({ quiet: true }), {
      targets,
    }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("hb_mapper makertbin"),
  );
});
