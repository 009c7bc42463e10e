import { strict as assert } from "node:assert";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../core/errors/mod.ts";
import { buildModel } from "../core/ir/builder.ts";
import type { LegalityContext } from "../targets/target.ts";
import { TargetRegistry } from "../targets/registry.ts";
import { loadTargetPlugin, resolvePluginSpecifier } from "./load_plugin.ts";
import { validateHorizonConfig } from "../core/config/horizon/schema.ts";

const FACT = `{ value: 1, unit: "x", assumed: true, why: "test" }`;
const HW = `{ macArray: { rows: ${FACT}, cols: ${FACT} }, onChipMemoryBytes: ${FACT},
  ddrBandwidthBytesPerSecond: ${FACT}, clockHz: ${FACT}, cores: ${FACT}, vectorElementsPerCycle: ${FACT} }`;
const ctx: LegalityContext = { inputTypes: [], outputTypes: [], constantInputs: [], opset: 17 };
const relu = buildModel({
  inputs: [{ name: "x", dtype: "f32", shape: [2] }],
  outputs: [{ name: "y", dtype: "f32", shape: [2] }],
  nodes: [{ name: "r", opType: "Relu", inputs: ["x"], outputs: ["y"] }],
}).graph.nodes[0];

const dir = Deno.makeTempDirSync({ prefix: "axb_plugin_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
let serial = 0;

/** Write a plugin module with `body` into the temp dir; returns its path. */
async function plugin(body: string): Promise<string> {
  const path = join(dir, `p${serial++}.js`);
  await Deno.writeTextFile(path, body);
  return path;
}

async function rejects(p: Promise<unknown>, text: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.ok(e.message.includes(text), e.message);
    return true;
  });
}

Deno.test("loadTargetPlugin() names the plugin and the hook when legality is missing", async () => {
  const p = await plugin(`export const target = { name: "t1", aliases: [], family: "axera",
    npuModes: [{ name: "NPU1", cores: 1 }], hardware: ${HW} };`);
  await rejects(
    loadTargetPlugin(p, new TargetRegistry()),
    `Target plugin "${p}" does not provide hook legality`,
  );
});

Deno.test("loadTargetPlugin() names the field when the hardware facts are malformed", async () => {
  const p = await plugin(`export const target = { name: "t2", aliases: [], family: "axera",
    npuModes: [{ name: "NPU1", cores: 1 }], hardware: { ...${HW}, clockHz: { value: 5, unit: "Hz" } },
    legality: () => ({ action: "npu" }) };`);
  await rejects(loadTargetPlugin(p, new TargetRegistry()), "field hardware.clockHz is");
});

Deno.test("loadTargetPlugin() accepts a default export and wraps a throwing hook", async () => {
  const p = await plugin(`export default { name: "t3", aliases: ["T-three"], family: "horizon",
    npuModes: [{ name: "1", cores: 1 }], hardware: ${HW},
    legality: (node) => { if (node.opType === "Relu") throw new Error("boom"); return { action: "npu" }; } };`);
  const reg = new TargetRegistry();
  const t = await loadTargetPlugin(pathToFileURL(p).href, reg);
  assert.equal(reg.get("t-THREE"), t);
  assert.throws(() => t.legality(relu, ctx), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(
      e.message,
      `Target plugin "${pathToFileURL(p).href}" (t3) hook legality failed on node "r" (Relu): boom`,
    );
    return true;
  });
});

Deno.test("loadTargetPlugin() rejects a malformed legality answer and fills a missing cause", async () => {
  const p = await plugin(`export const target = { name: "t4", aliases: [], family: "axera",
    npuModes: [{ name: "NPU1", cores: 1 }], hardware: ${HW},
    legality: (node) => node.name === "r" ? { action: "cpu", reason: "no" } : { action: "maybe" } };`);
  const t = await loadTargetPlugin(p, new TargetRegistry());
  assert.deepEqual(t.legality(relu, ctx), { action: "cpu", reason: "no", cause: "only" });
  assert.throws(
    () => t.legality({ ...relu, name: "s" }, ctx),
    /hook legality returned \{"action":"maybe"\}/,
  );
});

Deno.test("loadTargetPlugin() reports a module that cannot be imported or exports no target", async () => {
  await rejects(
    loadTargetPlugin("/nonexistent/plugin.ts", new TargetRegistry()),
    'Cannot load target plugin "/nonexistent/plugin.ts"',
  );
  const p = await plugin(`export const other = 1;`);
  await rejects(
    loadTargetPlugin(p, new TargetRegistry()),
    "exports no target or default: found other",
  );
});

Deno.test("loadTargetPlugin() refuses a name already registered", async () => {
  const p = await plugin(`export const target = { name: "dup", aliases: [], family: "axera",
    npuModes: [{ name: "NPU1", cores: 1 }], hardware: ${HW}, legality: () => ({ action: "npu" }) };`);
  const reg = new TargetRegistry();
  await loadTargetPlugin(p, reg);
  await rejects(loadTargetPlugin(p, reg), 'name "dup" is already used');
});

/** A valid axera plugin whose fields `extra` (object-literal text) adds or replaces. */
function axeraPlugin(name: string, extra: string): Promise<string> {
  return plugin(`export const target = { name: "${name}", aliases: [], family: "axera",
    npuModes: [{ name: "NPU1", cores: 1 }], hardware: ${HW}, legality: () => ({ action: "npu" }),
    ${extra} };`);
}

Deno.test("loadTargetPlugin() accepts any mode names and keeps hardwareType and modelTypes", async () => {
  const p = await axeraPlugin(
    "m1",
    `npuModes: [{ name: "SOLO", cores: 1 }, { name: "DUO", cores: 2 }], hardwareType: 40,
    modelTypes: ["ONNX", "QuantONNX"]`,
  );
  const t = await loadTargetPlugin(p, new TargetRegistry());
  assert.deepEqual(t.npuModes, [{ name: "SOLO", cores: 1 }, { name: "DUO", cores: 2 }]);
  assert.equal(t.hardwareType, 40);
  assert.deepEqual(t.modelTypes, ["ONNX", "QuantONNX"]);
});

Deno.test("loadTargetPlugin() refuses repeated mode names and non-positive or fractional cores", async () => {
  const twice = await axeraPlugin(
    "m2",
    `npuModes: [{ name: "A", cores: 1 }, { name: "A", cores: 2 }]`,
  );
  await rejects(loadTargetPlugin(twice, new TargetRegistry()), `field npuModes[1].name is "A"`);
  for (const cores of ["0", "1.5", "-2"]) {
    const p = await axeraPlugin("m3", `npuModes: [{ name: "A", cores: ${cores} }]`);
    await rejects(loadTargetPlugin(p, new TargetRegistry()), "field npuModes[0] is");
  }
});

Deno.test("loadTargetPlugin() checks modelTypes, hardwareType and marchDialect for shape", async () => {
  const cases: [string, string][] = [
    [`modelTypes: ["ONNX", "TFLite"]`, "field modelTypes is"],
    [`modelTypes: []`, "field modelTypes is"],
    [`hardwareType: -1`, "field hardwareType is -1"],
    [`hardwareType: "AX"`, 'field hardwareType is "AX"'],
    [`marchDialect: {}`, 'only family "horizon" targets have a YAML dialect'],
  ];
  for (const [extra, text] of cases) {
    await rejects(loadTargetPlugin(await axeraPlugin("m4", extra), new TargetRegistry()), text);
  }
  const p = await plugin(`export const target = { name: "h1", aliases: [], family: "horizon",
    npuModes: [{ name: "1", cores: 1 }], hardware: ${HW}, legality: () => ({ action: "npu" }),
    marchDialect: { tool: "hb_compile", chip: "Z1" } };`);
  await rejects(loadTargetPlugin(p, new TargetRegistry()), "field marchDialect.defaultMarch is");
  const marches = pathToFileURL(join(import.meta.dirname ?? ".", "../targets/horizon/marches.ts"));
  const q = await plugin(`import { nashDialect } from "${marches.href}";
    export const target = { name: "h2", aliases: [], family: "horizon",
    npuModes: [{ name: "1", cores: 1 }], hardware: ${HW}, legality: () => ({ action: "npu" }),
    marchDialect: { ...nashDialect("Z2"), omittableGroups: ["model_parameters"] } };`);
  await rejects(loadTargetPlugin(q, new TargetRegistry()), "field marchDialect.omittableGroups is");
});

Deno.test("loadTargetPlugin() refuses a hardwareType number another target has", async () => {
  const reg = new TargetRegistry();
  await loadTargetPlugin(await axeraPlugin("n1", "hardwareType: 9"), reg);
  await rejects(
    loadTargetPlugin(await axeraPlugin("n2", "hardwareType: 9"), reg),
    'hardwareType 9 is already used by target "n1"',
  );
});

Deno.test("loadTargetPlugin() registers a Horizon march whose YAML the config layer then validates", async () => {
  const marches = pathToFileURL(join(import.meta.dirname ?? ".", "../targets/horizon/marches.ts"));
  const p = await plugin(`import { nashDialect } from "${marches.href}";
    export const target = { name: "zeta", aliases: [], family: "horizon",
    npuModes: [{ name: "1", cores: 1 }, { name: "2", cores: 2 }], hardware: ${HW},
    legality: () => ({ action: "npu" }), marchDialect: nashDialect("Z1") };`);
  const targets = new TargetRegistry();
  await loadTargetPlugin(p, targets);
  const yaml = (coreNum: number) => ({
    model_parameters: { onnx_model: "m.onnx", march: "zeta" },
    input_parameters: { input_type_train: "bgr", input_type_rt: "bgr", input_layout_train: "NCHW" },
    calibration_parameters: { calibration_type: "skip" },
    compiler_parameters: { core_num: coreNum },
  });
  const h = validateHorizonConfig(yaml(2), { targets, tool: "hb_compile" });
  assert.equal(h.march, "zeta");
  // the nash dialect lets compiler_parameters (and calibration_parameters) be omitted
  const { compiler_parameters: _, ...bareYaml } = yaml(1);
  const bare = validateHorizonConfig(bareYaml, { targets, tool: "hb_compile" });
  assert.equal(bare.march, "zeta");
  assert.throws(
    () => validateHorizonConfig(yaml(3), { targets, tool: "hb_compile" }),
    /compiler_parameters\.core_num is 3, expected 1 or 2 for march zeta/,
  );
});

Deno.test("resolvePluginSpecifier() keeps npm:/jsr:/file: specifiers, resolves paths, refuses http", () => {
  assert.equal(resolvePluginSpecifier("npm:my-target@1"), "npm:my-target@1");
  assert.equal(resolvePluginSpecifier("jsr:@me/target"), "jsr:@me/target");
  assert.equal(resolvePluginSpecifier("file:///a/b.ts"), "file:///a/b.ts");
  assert.equal(resolvePluginSpecifier("x/p.ts", "/base"), "file:///base/x/p.ts");
  assert.throws(() => resolvePluginSpecifier("https://example.com/p.ts"), ConfigError);
});
