/**
 * Build options beyond the defaults, on the bundled tiny_cnn: a QDQ model re-imported as
 * `model_type: QuantONNX` keeps its scales; `compiler.sub_configs` cut separate NPU
 * subgraphs with their own (inherited) options; `quant_op_processors` patch the
 * quantized graph and name the entry when the operator does not exist; fields without effect
 * are named once per build; `onnx_opt.model_check` compares the optimised float model;
 * `weight_data_type` S16 keeps float weights.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runBuild } from "./build.ts";
import { resolveBuildConfig } from "../config/resolve.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { createLogger } from "../util/log.ts";
import { loadModel } from "../onnx/load.ts";
import { fromQdqModel } from "../quant/qdq_import.ts";
import { readCompiledModel } from "../container/decode.ts";
import { ConfigError } from "../errors/mod.ts";

const ROOT = join(import.meta.dirname ?? ".", "../..");
const MODEL = join(ROOT, "testdata/models/tiny_cnn.onnx");
const targets = new TargetRegistry(builtinTargets());

async function build(raw: Record<string, unknown>, out: string, lines?: string[]) {
  const { config } = await resolveBuildConfig(
    { file: join(ROOT, "testdata/demo/config.json") },
    { targets },
  );
  const merged = await resolveBuildConfig({
    raw: { ...JSON.parse(JSON.stringify(config)), ...raw, output_dir: out, work_dir: out },
  }, { targets, requireIo: true });
  return await runBuild(merged.config, {
    registry: defaultRegistry(),
    targets,
    log: lines
      ? createLogger({ sink: (l) => lines.push(l) })
      : createLogger({ quiet: true, sink: () => {} }),
  });
}

Deno.test("runBuild() re-imports its own QDQ model as QuantONNX with the same scales", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await build({
      input: MODEL,
      quant: { ...(await demoQuant()), precision_analysis: false },
      compiler: { check: 0 },
    }, join(dir, "a"));
    const second = await build({
      input: first.quantModel,
      model_type: "QuantONNX",
      compiler: { check: 3 },
    }, join(dir, "b"));
    const a = fromQdqModel(await loadModel(first.quantModel));
    const b = fromQdqModel(await loadModel(second.quantModel));
    assert.deepEqual([...b.activations.keys()].sort(), [...a.activations.keys()].sort());
    for (const [k, v] of a.activations) assert.deepEqual(b.activations.get(k), v, k);
    assert.ok(second.checks.length > 0 && second.checks.every((c) => c.passed));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runBuild() compiles each compiler.sub_configs range as its own NPU subgraph with its own check", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await build({
      input: MODEL,
      quant: { ...(await demoQuant()), precision_analysis: false },
      compiler: {
        check: 0,
        sub_configs: [{ start_tensor_names: ["p1"], end_tensor_names: ["r2"], check: 3 }],
      },
    }, join(dir, "out"));
    const cm = await readCompiledModel(r.compiledModel);
    const npu = cm.groups[0].subgraphs.filter((s) => s.kind === "npu").map((s) => s.name);
    assert.deepEqual(npu, ["subgraph_npu_0", "subgraph_npu_1", "subgraph_npu_2"]);
    const checked = new Set(r.checks.map((c) => c.subgraph));
    assert.deepEqual([...checked], ["subgraph_npu_1"]);
    assert.ok(r.checks.every((c) => c.passed));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runBuild() names quant_op_processors[0].op_name when the operator does not exist", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      build({
        input: MODEL,
        quant: { ...(await demoQuant()), precision_analysis: false },
        quant_op_processors: [{ op_name: "no_such_op", attrs: { ceil_mode: 1 } }],
      }, join(dir, "out")),
      (e) => e instanceof ConfigError && /quant_op_processors\[0\]\.op_name/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runBuild() names fields without effect once, runs model_check and keeps S16 weights FP32", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const quant = { ...(await demoQuant()), precision_analysis: false, device: "cuda:0" };
    const lines: string[] = [];
    const plain = await build({ input: MODEL, quant, compiler: { check: 0 } }, join(dir, "a"));
    const r = await build(
      {
        input: MODEL,
        onnx_opt: { model_check: true },
        quant: { ...quant, layer_configs: [{ op_type: "Conv", weight_data_type: "S16" }] },
        compiler: { check: 0, debug: 1 },
      },
      join(dir, "b"),
      lines,
    );
    const warned = (text: string) =>
      lines.filter((l) => l.includes("WARNING") && l.includes(text)).length;
    assert.equal(warned('quant.device "cuda:0" has no effect in axb'), 1, lines.join("\n"));
    assert.equal(warned("compiler.debug 1 has no effect in axb"), 1);
    assert.equal(warned("quant.layer_configs[0].weight_data_type S16"), 1);
    assert.ok(lines.some((l) => /SUCCESS .*model check: output \[prob\] cosine 1\.0/.test(l)));
    const convWeights = (q: typeof r.quant) =>
      q.model.graph.nodes.filter((n) => n.opType === "Conv").map((n) =>
        q.constants.has(n.inputs[1])
      );
    assert.ok(convWeights(plain.quant).every((coded) => coded), "S8 by default");
    assert.ok(convWeights(r.quant).every((coded) => !coded), "S16 keeps FP32 weights");
    assert.ok(convWeights(r.quant).length > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function demoQuant(): Promise<Record<string, unknown>> {
  const { config } = await resolveBuildConfig(
    { file: join(ROOT, "testdata/demo/config.json") },
    { targets },
  );
  const q = JSON.parse(JSON.stringify(config.quant));
  q.input_configs[0].calibration_dataset = join(ROOT, "testdata/demo/calibration.tar");
  return q;
}
