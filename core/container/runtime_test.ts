import { strict as assert } from "node:assert";
import type { Tensor } from "../ir/tensor.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { buildModel } from "../ir/builder.ts";
import { QuantEmulator } from "../quant/emulator.ts";
import { fromQdqModel } from "../quant/qdq_import.ts";
import { UsageError } from "../errors/mod.ts";
import type { CompiledGroup, CompiledSubgraph } from "../compile/types.ts";
import { encodeCompiledModel } from "./encode.ts";
import { compiledRegistry, CompiledRunner, runCompiled } from "./runtime.ts";
import { npuRunLog } from "./npu_kernel.ts";
import { sliceBatch } from "./batch.ts";
import { convReluFloat, cpuNodes, randomTensor, sampleCompiledModel } from "./_testing.ts";

const REGISTRY = defaultRegistry();

function npuOf(g: CompiledGroup, i: number): Extract<CompiledSubgraph, { kind: "npu" }> {
  const s = g.subgraphs[i];
  assert.ok(s.kind === "npu");
  return s;
}

/** Group `g` run piece by piece: emulator, float executor, emulator. */
function byHand(g: CompiledGroup, sfx: string, data: Tensor): Tensor {
  const emu0 = new QuantEmulator(fromQdqModel(npuOf(g, 0).program), REGISTRY);
  const a = emu0.run(new Map([[`data${sfx}`, data]])).get(`npu0_out${sfx}`)!;
  const cpu = g.subgraphs[1];
  assert.ok(cpu.kind === "cpu");
  const cpuModel = buildModel({
    inputs: [{ name: `npu0_out${sfx}`, dtype: "f32", shape: [...a.shape] }],
    outputs: [{ name: `cpu_out${sfx}`, dtype: "f32", shape: [...a.shape] }],
    nodes: [],
  });
  cpuModel.graph.nodes = [...cpu.nodes];
  cpuModel.graph.initializers.set(
    "cpu_scale",
    sampleCompiledModel().cpuInitializers.get("cpu_scale")!,
  );
  const b = new Executor(cpuModel, REGISTRY).run(new Map([[`npu0_out${sfx}`, a]])).get(
    `cpu_out${sfx}`,
  )!;
  const emu1 = new QuantEmulator(fromQdqModel(npuOf(g, 2).program), REGISTRY);
  return emu1.run(new Map([[`cpu_out${sfx}`, b]])).get(`prob${sfx}`)!;
}

Deno.test("runCompiled() runs NPU → CPU → NPU exactly like the pieces run by hand", () => {
  const cm = sampleCompiledModel();
  const data = randomTensor([4, 3, 4, 4], 7, 0, 1);
  const { outputs, npuRuns } = runCompiled(cm, new Map([["data", data]]));
  const want = byHand(cm.groups[0], "", data);
  assert.deepEqual([...outputs.keys()], ["prob"]);
  const got = outputs.get("prob")!;
  assert.deepEqual(got.shape, [4, 2, 4, 4]);
  assert.deepEqual(got.data, want.data);
  // the result is not trivially zero: Relu outputs with positive entries
  assert.ok(Array.from(got.data as Float32Array).some((x) => x > 0));
  assert.deepEqual(npuRuns.map((r) => [r.node, r.chunks.map((c) => c.batch)]), [
    ["subgraph_npu_0", [4]],
    ["subgraph_npu_1", [4]],
  ]);
});

Deno.test("runCompiled() splits batches 3 and 9 greedily and matches batch-1 runs per sample", () => {
  const cm = sampleCompiledModel([1, 2, 4]);
  const runner = new CompiledRunner(encodeCompiledModel(cm));
  for (const [n, expected] of [[3, [2, 1]], [9, [4, 4, 1]]] as const) {
    const data = randomTensor([n, 3, 4, 4], 20 + n, 0, 1);
    const { outputs, npuRuns } = runner.run(new Map([["data", data]]), { batch: n });
    const got = outputs.get("prob")!;
    assert.deepEqual(got.shape, [n, 2, 4, 4]);
    assert.equal(npuRuns.length, 2);
    for (const r of npuRuns) {
      assert.equal(r.batch, n);
      assert.deepEqual(r.chunks.map((c) => c.batch), expected);
    }
    const per = got.size / n;
    for (let i = 0; i < n; i++) {
      const one = runner.run(new Map([["data", sliceBatch(data, i, 1, 1)]])).outputs.get("prob")!;
      assert.deepEqual(
        (got.data as Float32Array).subarray(i * per, (i + 1) * per),
        one.data,
        `sample ${i} of batch ${n}`,
      );
    }
  }
  const log = npuRunLog(
    runner.run(new Map([["data", randomTensor([3, 3, 4, 4], 1, 0, 1)]]))
      .npuRuns[0],
  );
  assert.deepEqual(log, [
    "subgraph_npu_0: batch 3 = 2 + 1 over the compiled batches [1, 2, 4]",
    "running npu subgraph: subgraph_npu_0, version: 1, target batch: 1 (size 2)",
    "running npu subgraph: subgraph_npu_0, version: 1, target batch: 0 (size 1)",
  ]);
});

Deno.test("runCompiled() repeats single-batch runs N times when only batch 1 was compiled", () => {
  const cm = sampleCompiledModel([1]);
  const data = randomTensor([3, 3, 4, 4], 5, 0, 1);
  const { outputs, npuRuns } = runCompiled(cm, new Map([["data", data]]));
  assert.deepEqual(npuRuns[0].chunks.map((c) => c.batch), [1, 1, 1]);
  assert.deepEqual(outputs.get("prob")!.data, byHand(cm.groups[0], "", data).data);
});

Deno.test("runCompiled() runs only the selected group's nodes", () => {
  const cm = sampleCompiledModel();
  const data = randomTensor([2, 3, 6, 6], 11, 0, 1);
  const ran: string[] = [];
  const { outputs, npuRuns } = runCompiled(cm, new Map([["data", data]]), {
    group: 1,
    onValue: (_name, _t, node) => ran.push(node.name),
  });
  assert.deepEqual(ran, [
    "subgraph_npu_0_g1",
    "cpu_mid_1_mul",
    "cpu_out_1_sigmoid",
    "subgraph_npu_1_g1",
  ]);
  assert.deepEqual(npuRuns.map((r) => [r.node, r.group]), [
    ["subgraph_npu_0_g1", 1],
    ["subgraph_npu_1_g1", 1],
  ]);
  assert.deepEqual([...outputs.keys()], ["prob_1"]);
  assert.deepEqual(outputs.get("prob_1")!.data, byHand(cm.groups[1], "_1", data).data);
  assert.throws(
    () => runCompiled(cm, new Map([["data", data]]), { group: 2 }),
    (e) => e instanceof UsageError && /Group 2 does not exist.*0, 1/.test(e.message),
  );
});

Deno.test("runCompiled() keeps every intermediate value with keep: all", () => {
  const cm = sampleCompiledModel();
  const { outputs } = runCompiled(cm, new Map([["data", randomTensor([1, 3, 4, 4], 3, 0, 1)]]), {
    keep: "all",
  });
  for (const k of ["npu0_out", "cpu_mid", "cpu_out", "prob"]) assert.ok(outputs.has(k), k);
});

Deno.test("compiledRegistry() adds NpuSubgraph to the base operators without changing the base", () => {
  const base = defaultRegistry();
  const reg = compiledRegistry(base);
  assert.ok(reg.has("ai.axb.npu", "NpuSubgraph"));
  assert.ok(reg.has("", "Conv") && reg.has("com.microsoft", "QuantizeLinear"));
  assert.equal(base.has("ai.axb.npu", "NpuSubgraph"), false);
  assert.equal(reg.list().length, base.list().length + 1);
});

Deno.test("runCompiled() pads the last run when the smallest compiled batch is too large", () => {
  const cm = sampleCompiledModel([2, 4]);
  const runner = new CompiledRunner(cm);
  const data = randomTensor([3, 3, 4, 4], 31, 0, 1);
  const { outputs, npuRuns } = runner.run(new Map([["data", data]]));
  assert.deepEqual(npuRuns[0].chunks.map((c) => [c.batch, c.take]), [[2, 2], [2, 1]]);
  const got = outputs.get("prob")!;
  assert.deepEqual(got.shape, [3, 2, 4, 4]);
  const per = got.size / 3;
  const last = runner.run(new Map([["data", sliceBatch(data, 2, 1, 1)]])).outputs.get("prob")!;
  assert.deepEqual((got.data as Float32Array).subarray(2 * per), last.data);
});

Deno.test("runCompiled() stays within quantization error of the float pipeline", () => {
  const cm = sampleCompiledModel();
  const data = randomTensor([2, 3, 4, 4], 9, 0, 1);
  const got = runCompiled(cm, new Map([["data", data]])).outputs.get("prob")!;
  // the float pipeline, built from the same float programs and CPU nodes
  const floatModel = buildModel({
    inputs: [{ name: "data", dtype: "f32", shape: [2, 3, 4, 4] }],
    outputs: [{ name: "prob", dtype: "f32", shape: [2, 2, 4, 4] }],
    nodes: [],
  });
  const g = floatModel.graph;
  for (
    const spec of [
      { input: "data", output: "npu0_out", inC: 3, outC: 4, hw: 4, seed: 100 },
      { input: "cpu_out", output: "prob", inC: 4, outC: 2, hw: 4, seed: 200 },
    ]
  ) {
    const f = convReluFloat(spec).graph;
    g.nodes.push(...f.nodes);
    for (const [k, v] of f.initializers) g.initializers.set(k, v);
  }
  g.nodes.splice(2, 0, ...cpuNodes("npu0_out", "cpu_mid", "cpu_out"));
  g.initializers.set("cpu_scale", cm.cpuInitializers.get("cpu_scale")!);
  const want = new Executor(floatModel, REGISTRY).run(new Map([["data", data]])).get("prob")!;
  const a = got.data as Float32Array, b = want.data as Float32Array;
  let maxDiff = 0, maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    maxAbs = Math.max(maxAbs, Math.abs(b[i]));
  }
  assert.ok(maxAbs > 0.05, `float output is not trivial (max ${maxAbs})`);
  assert.ok(maxDiff < 0.05 * maxAbs + 0.01, `max |emulated - float| = ${maxDiff} (max ${maxAbs})`);
});
