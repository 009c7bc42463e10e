import { strict as assert } from "node:assert";
import { fileURLToPath } from "node:url";
import { attr, buildModel } from "../../core/ir/builder.ts";
import type { Node } from "../../core/ir/graph.ts";
import type { LegalityContext } from "../../targets/target.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { loadTargetPlugin } from "../load_plugin.ts";
import { main } from "../../cli.ts";

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

/** `axb ARGS` in process with the built-in targets. */
async function axb(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    debug: false,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
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
