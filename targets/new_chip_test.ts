/**
 * A new AXera-style chip is one chip file plus one registry line: here the "file" is
 * `ax999` below, written as `ax650.ts` is, and the "line" is the registry built with it.
 * The CLI help and the config validation then know it exactly as they know a built-in.
 */
import { strict as assert } from "node:assert";
import { runCli } from "../core/cli/_testing.ts";
import { ConfigError } from "../core/errors/mod.ts";
import { resolveBuildConfig } from "../core/config/resolve.ts";
import type { Target } from "./target.ts";
import { builtinTargets, TargetRegistry } from "./registry.ts";
import { axeraTarget, npuModes, WITHOUT_QUANT_ONNX } from "./axera/axera_target.ts";
import { AX650_OPS } from "./axera/ops_ax650.ts";
import { AX650_HARDWARE } from "./ax650.ts";

/** A hypothetical four-core chip with an alias and its own HardwareType number. */
const ax999: Target = axeraTarget({
  name: "AX999",
  aliases: ["AX999Q"],
  npuModes: npuModes(4),
  hardwareType: 42,
  modelTypes: WITHOUT_QUANT_ONNX,
  hardware: AX650_HARDWARE,
  ops: AX650_OPS,
});

const targets = new TargetRegistry([...builtinTargets(), ax999]);

async function help(registry: TargetRegistry): Promise<string> {
  const r = await runCli(["build", "--help"], { targets: registry });
  assert.equal(r.code, 0);
  return r.stdout;
}

/** The help of `--flag`, its wrapped continuation lines joined by single spaces. */
function field(text: string, flag: string): string {
  const lines = text.split("\n").map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith(`--${flag} `));
  if (start < 0) return "";
  const end = lines.findIndex((l, i) => i > start && (l === "" || l.startsWith("-")));
  return lines.slice(start, end < 0 ? undefined : end).join(" ");
}

Deno.test("axb build --help lists a newly registered chip, its alias and its NPU4 mode", async () => {
  const text = await help(targets);
  assert.match(field(text, "target_hardware"), /\{AX650,AX620E,AX615,M76H,M57,AX637,AX999\}/);
  assert.match(field(text, "target_hardware"), /AX999Q = AX999/);
  assert.match(field(text, "npu_mode"), /\{NPU1,NPU2,NPU3,NPU4\}/);
  assert.match(field(text, "npu_mode"), /NPU3 \(AX650, M76H, M57, AX637, AX999\), NPU4 \(AX999\)/);
  const builtIn = await help(new TargetRegistry(builtinTargets()));
  assert.ok(!builtIn.includes("AX999"));
});

Deno.test("resolveBuildConfig() accepts the new chip by name, alias and number like a built-in", async () => {
  const byName = await resolveBuildConfig({ raw: { target_hardware: "AX999", npu_mode: "NPU4" } }, {
    targets,
  });
  assert.equal(byName.config.target_hardware, "AX999");
  assert.equal(byName.config.npu_mode, "NPU4");
  const byAlias = await resolveBuildConfig({ raw: { target_hardware: "AX999Q" } }, { targets });
  assert.equal(byAlias.config.target_hardware, "AX999");
  assert.deepEqual(byAlias.warnings.map((w) => [w.severity, w.message]), [
    ["note", "target_hardware AX999Q is treated as AX999 (same NPU family)"],
  ]);
  const byNumber = await resolveBuildConfig({ raw: { target_hardware: 42 } }, { targets });
  assert.equal(byNumber.config.target_hardware, "AX999");
  const quantOnnx = await resolveBuildConfig({
    raw: { target_hardware: "AX999", model_type: "QuantONNX" },
  }, { targets });
  assert.deepEqual(quantOnnx.warnings.map((w) => w.message), [
    "model_type QuantONNX is documented for AX650 and M76H only, not AX999",
  ]);
});

Deno.test("resolveBuildConfig() refuses a missing mode on the new chip as on a built-in", async () => {
  const message = async (raw: Record<string, unknown>) => {
    try {
      await resolveBuildConfig({ raw, file: "c.json" }, { targets });
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.field, "npu_mode");
      return e.message;
    }
    assert.fail("expected a ConfigError");
  };
  const unknown = await message({ target_hardware: "AX999", npu_mode: "NPU5" });
  assert.ok(
    unknown.startsWith(
      'Invalid value "NPU5" for npu_mode in c.json: expected one of NPU1, NPU2, NPU3, NPU4',
    ),
    unknown,
  );
  assert.equal(await message({ target_hardware: "AX650", npu_mode: "NPU5" }), unknown);
  assert.equal(
    await message({ target_hardware: "AX650", npu_mode: "NPU4" }),
    "Invalid npu_mode in c.json: NPU4 is not available on AX650; allowed: NPU1, NPU2, NPU3",
  );
  assert.equal(
    await message({ target_hardware: "AX620E", npu_mode: "NPU3" }),
    "Invalid npu_mode in c.json: NPU3 is not available on AX620E; allowed: NPU1, NPU2",
  );
});

Deno.test("resolveBuildConfig() refuses the new chip when it is not registered", async () => {
  await assert.rejects(
    resolveBuildConfig({ raw: { target_hardware: "AX999" }, file: "c.json" }, {
      targets: new TargetRegistry(builtinTargets()),
    }),
    (e: unknown) =>
      e instanceof ConfigError && e.field === "target_hardware" &&
      e.message.startsWith(
        'Invalid value "AX999" for target_hardware in c.json: expected one of AX650, AX620E, AX615, M76H, M57, AX637',
      ),
  );
});
