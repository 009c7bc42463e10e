import { strict as assert } from "node:assert";
import { configCommand, isHorizonConfig } from "./config.ts";
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

Deno.test("configCommand(targets).run() maps a Horizon YAML through the Horizon front-end", async () => {
  const t = io();
  const yaml = new URL("../../testdata/horizon/x3_multi_input.yaml", import.meta.url).pathname;
  assert.equal(
    await configCommand(targets).run(["--config", yaml, "--compiler.check", "1"], t.io),
    0,
  );
  const cfg = JSON.parse(t.out.join(""));
  assert.ok(cfg.input_processors.length >= 2, "one input processor per Horizon input");
  assert.equal(cfg.compiler.check, 1);
});
