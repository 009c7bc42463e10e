import { strict as assert } from "node:assert";
import { fileURLToPath } from "node:url";
import { attr, buildModel } from "../../core/ir/builder.ts";
import type { Node } from "../../core/ir/graph.ts";
import type { LegalityContext } from "../../targets/target.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { loadTargetPlugin } from "../load_plugin.ts";
import { join } from "node:path";
import { defaultRegistry } from "../../core/ops/mod.ts";
import { createLogger } from "../../core/util/log.ts";
import { loadModel } from "../../core/onnx/load.ts";
import { resolveBuildConfig } from "../../core/config/resolve.ts";
import { runBuild } from "../../core/build/build.ts";
import { decodeCompiledModel } from "../../core/container/decode.ts";
import { formatCompiledSummary, summarizeCompiled } from "../../core/container/inspect.ts";
import { seededFloat32, TESTDATA, writeNpyTar } from "../../core/build/_acceptance_helpers.ts";
import { runCli } from "../../core/cli/_testing.ts";

const here = new URL(".", import.meta.url);
const ctx: LegalityContext = { inputTypes: [], outputTypes: [], constantInputs: [], opset: 17 };

function node(
  opType: string,
  attrs: Parameters<typeof buildModel>[0]["nodes"][0]["attrs"] = {},
): Node {
  const m = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 3, 8, 8] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 3, 8, 8] }],
    nodes: [{ name: "n1", opType, inputs: ["x"], outputs: ["y"], attrs }],
  });
  return m.graph.nodes[0];
}

Deno.test("loadTargetPlugin() loads the toy-npu example and registers it beside the built-ins", async () => {
  const targets = new TargetRegistry(builtinTargets());
  const t = await loadTargetPlugin("toy_npu.ts", targets, { baseDir: fileURLToPath(here) });
  assert.equal(t.name, "toy-npu");
  assert.equal(targets.get("TOY").name, "toy-npu");
  assert.equal(targets.get("ax650").name, "AX650");
});

Deno.test("toy-npu legality() accepts Conv 3x3 and rejects Conv 7x7, grouped Conv and Softmax", async () => {
  const t = await loadTargetPlugin(new URL("toy_npu.ts", here).href, new TargetRegistry());
  assert.deepEqual(t.legality(node("Conv", { kernel_shape: attr.ints([3, 3]) }), ctx), {
    action: "npu",
  });
  assert.deepEqual(t.legality(node("Conv", { kernel_shape: attr.ints([7, 7]) }), ctx), {
    action: "cpu",
    cause: "limit",
    reason: 'Conv "n1": kernel_shape is [7, 7], toy-npu supports kernels up to 5x5',
  });
  const grouped = t.legality(node("Conv", { group: attr.int(3) }), ctx);
  assert.ok(grouped.action === "cpu" && grouped.reason.includes("group is 3"));
  const sm = t.legality(node("Softmax"), ctx);
  assert.ok(
    sm.action === "cpu" && sm.reason.endsWith("Softmax is not in the toy-npu operator list"),
  );
});

Deno.test("runBuild() for toy-npu (no cost hook) reports n/a estimates and writes no cost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb_toy_build_" });
  try {
    const calib = join(dir, "calib.tar");
    await writeNpyTar(calib, [0, 1, 2, 3].map((i) => seededFloat32([1, 3, 32, 32], 40 + i)));
    const targets = new TargetRegistry(builtinTargets());
    await loadTargetPlugin("toy_npu.ts", targets, { baseDir: fileURLToPath(here) });
    const { config } = await resolveBuildConfig({
      raw: {
        input: join(TESTDATA, "models", "tiny_cnn.onnx"),
        output_dir: join(dir, "out"),
        quant: {
          input_configs: [{
            tensor_name: "input",
            calibration_dataset: calib,
            calibration_format: "Numpy",
            calibration_size: 4,
          }],
        },
        compiler: { check: 0 },
        target_hardware: "toy-npu",
      },
    }, { requireIo: true, targets });
    const printed: string[] = [];
    const logged: string[] = [];
    const result = await runBuild(config, {
      registry: defaultRegistry(),
      targets,
      log: createLogger({ sink: (line) => logged.push(line) }),
      print: (text) => printed.push(text),
      quiet: true,
    });
    // tiny_cnn: conv1 relu1 pool1 conv2 relu2 gap | Flatten (CPU) | fc Gemm | Softmax (CPU)
    const table = printed.find((t) => t.startsWith("Compiled subgraphs, group 0"));
    assert.ok(table, printed.join("\n"));
    // the title wraps at the table width (80 columns when stdout is not a terminal)
    assert.match(table, /toy-npu TOY1; target has no cost model, estimates\s+n\/a\)/);
    assert.match(table, /\| subgraph_npu_0_b1 \| NPU +\| 6 +\| n\/a +\| n\/a +\| n\/a +\|/);
    assert.match(table, /\| subgraph_npu_1_b1 \| NPU +\| 1 +\| n\/a +\| n\/a +\| n\/a +\|/);
    assert.doesNotMatch(table, /0\.000/);
    assert.ok(logged.some((l) => l.endsWith("subgraph_npu_0 group 0 b1: max_cycle = n/a")));

    const model = await loadModel(result.compiledModel);
    const npuNodes = model.graph.nodes.filter((n) => n.opType === "NpuSubgraph");
    assert.deepEqual(npuNodes.map((n) => n.name), ["subgraph_npu_0", "subgraph_npu_1"]);
    for (const n of npuNodes) assert.equal(n.attrs.has("cost"), false, n.name);
    const decoded = decodeCompiledModel(model, result.compiledModel);
    for (const sg of decoded.groups[0].subgraphs) {
      if (sg.kind === "npu") assert.equal(sg.cost, undefined, sg.name);
    }
    const summary = summarizeCompiled(model, result.compiledModel);
    assert.equal(JSON.stringify(summary).includes('"cost"'), false);
    const npuRows = formatCompiledSummary(summary, { maxWidth: Infinity }).split("\n")
      .filter((l) => l.includes("toy-npu TOY1"));
    assert.equal(npuRows.length, 2);
    for (const row of npuRows) assert.match(row, /\| n\/a +\|$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** `axb ARGS` in process with the built-in targets. */
async function axb(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

const TOY = fileURLToPath(new URL("toy_npu.ts", here));
const NPU_MODE_ERROR =
  /^axb config: error: Invalid npu_mode on the command line: (\S+) is not available on (\S+); allowed: (.+)$/m;

Deno.test("axb config validates toy-npu with its own mode TOY1 when loaded by --target_plugin", async () => {
  const r = await axb(["config", "--target_plugin", TOY, "--target_hardware", "toy"]);
  assert.equal(r.code, 0, r.err);
  const config = JSON.parse(r.out);
  assert.equal(config.target_hardware, "toy-npu");
  assert.equal(config.npu_mode, "TOY1"); // the plugin's first mode is the default
  assert.match(r.err, /target_hardware toy is treated as toy-npu/);
  const explicit = await axb([
    "config",
    "--target_plugin",
    TOY,
    "--target_hardware",
    "toy-npu",
    "--npu_mode",
    "TOY1",
  ]);
  assert.equal(explicit.code, 0, explicit.err);
});

Deno.test("axb config refuses a wrong npu_mode for toy-npu in the same form as for AX650", async () => {
  const toy = await axb([
    "config",
    "--target_plugin",
    TOY,
    "--target_hardware",
    "toy-npu",
    "--npu_mode",
    "NPU2",
  ]);
  const ax650 = await axb([
    "config",
    "--target_plugin",
    TOY,
    "--target_hardware",
    "AX650",
    "--npu_mode",
    "TOY1",
  ]);
  assert.equal(toy.code, 2);
  assert.equal(ax650.code, 2);
  assert.deepEqual(NPU_MODE_ERROR.exec(toy.err)?.slice(1), ["NPU2", "toy-npu", "TOY1"]);
  assert.deepEqual(NPU_MODE_ERROR.exec(ax650.err)?.slice(1), ["TOY1", "AX650", "NPU1, NPU2, NPU3"]);
});

Deno.test("axb config warns that toy-npu does not document QuantONNX, as for AX620E", async () => {
  for (const chip of ["toy-npu", "AX620E"]) {
    const r = await axb([
      "config",
      "--target_plugin",
      TOY,
      "--target_hardware",
      chip,
      "--model_type",
      "QuantONNX",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.ok(
      r.err.includes(`model_type QuantONNX is documented for AX650 and M76H only, not ${chip}`),
      r.err,
    );
  }
});

Deno.test("axb config without --target_plugin refuses toy-npu naming the known targets", async () => {
  const r = await axb(["config", "--target_hardware", "toy-npu"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--target_hardware: "toy-npu" is not one of AX650, AX620E/);
});
