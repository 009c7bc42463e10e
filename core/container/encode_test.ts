import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import type { CompiledModel } from "../compile/types.ts";
import { decodeModel, loadModel } from "../onnx/load.ts";
import { encodeModel } from "../onnx/save.ts";
import { graphDifference } from "../onnx/ir_equal.ts";
import { buildModel } from "../ir/builder.ts";
import { GraphError, ModelFormatError } from "../errors/mod.ts";
import { encodeCompiledModel, writeCompiledModel } from "./encode.ts";
import { decodeCompiledModel, isCompiledModel, readCompiledModel } from "./decode.ts";
import { randomTensor, sampleCompiledModel, withoutCost } from "./_testing.ts";
import { runCompiled } from "./runtime.ts";

const FIXTURE = sampleCompiledModel();

function assertSameCompiled(got: CompiledModel, want: CompiledModel): void {
  assert.equal(got.version, want.version);
  assert.equal(got.target, want.target);
  assert.deepEqual(got.config, want.config);
  assert.deepEqual(got.cpuInitializers, want.cpuInitializers);
  assert.equal(got.groups.length, want.groups.length);
  got.groups.forEach((g, gi) => {
    const w = want.groups[gi];
    assert.equal(g.index, w.index);
    assert.deepEqual(g.inputs, w.inputs);
    assert.deepEqual(g.outputs, w.outputs);
    assert.equal(g.subgraphs.length, w.subgraphs.length);
    g.subgraphs.forEach((s, si) => {
      const ws = w.subgraphs[si];
      const at = `group ${gi} subgraph ${si}`;
      assert.equal(s.kind, ws.kind, at);
      assert.equal(s.name, ws.name, at);
      assert.deepEqual(s.inputs, ws.inputs, at);
      assert.deepEqual(s.outputs, ws.outputs, at);
      if (s.kind === "npu" && ws.kind === "npu") {
        assert.equal(s.target, ws.target);
        assert.equal(s.npuMode, ws.npuMode);
        assert.deepEqual(s.batches, ws.batches);
        assert.deepEqual(s.outputBatchAxes, ws.outputBatchAxes);
        assert.deepEqual(s.tiling, ws.tiling);
        assert.deepEqual(s.cost, ws.cost);
        assert.equal(graphDifference(s.program.graph, ws.program.graph), undefined, at);
        assert.deepEqual(s.program.opsetImports, ws.program.opsetImports);
        assert.deepEqual(s.program.metadataProps, ws.program.metadataProps);
      } else if (s.kind === "cpu" && ws.kind === "cpu") {
        assert.deepEqual(s.nodes, ws.nodes, at);
      }
    });
  });
}

Deno.test("decodeCompiledModel() inverts encodeCompiledModel() through the ONNX bytes", () => {
  const bytes = encodeModel(encodeCompiledModel(FIXTURE));
  const model = decodeModel(bytes);
  assert.ok(isCompiledModel(model));
  assertSameCompiled(decodeCompiledModel(model, "mem.axmodel"), FIXTURE);
});

Deno.test("encodeCompiledModel() writes no cost attribute when a subgraph has no estimate, and decoding keeps it absent", () => {
  const noCost = withoutCost(FIXTURE);
  const m = encodeCompiledModel(noCost);
  const npu = m.graph.nodes.filter((n) => n.opType === "NpuSubgraph");
  assert.equal(npu.length, 4);
  for (const n of npu) assert.equal(n.attrs.has("cost"), false, n.name);
  const decoded = decodeCompiledModel(decodeModel(encodeModel(m)), "mem.axmodel");
  for (const s of decoded.groups.flatMap((g) => g.subgraphs)) {
    if (s.kind === "npu") assert.equal(s.cost, undefined, s.name);
  }
  assertSameCompiled(decoded, noCost);
});

Deno.test("encodeCompiledModel() writes batch_axes only for a subgraph whose output batch moved, and decoding keeps it", () => {
  const moved: CompiledModel = {
    ...FIXTURE,
    groups: FIXTURE.groups.map((g) => ({
      ...g,
      subgraphs: g.subgraphs.map((s) =>
        s.kind === "npu" && s.name === "subgraph_npu_1" ? { ...s, outputBatchAxes: [2] } : s
      ),
    })),
  };
  const m = encodeCompiledModel(moved);
  const axes = m.graph.nodes.filter((n) => n.opType === "NpuSubgraph")
    .map((n) => [n.name, n.attrs.get("batch_axes")?.value]);
  assert.deepEqual(axes, [
    ["subgraph_npu_0", undefined],
    ["subgraph_npu_1", [2]],
    ["subgraph_npu_0_g1", undefined],
    ["subgraph_npu_1_g1", [2]],
  ]);
  assertSameCompiled(decodeCompiledModel(decodeModel(encodeModel(m)), "mem.axmodel"), moved);
});

Deno.test("encodeCompiledModel() lays out the container as documented", () => {
  const m = encodeCompiledModel(FIXTURE);
  assert.equal(m.producerName, "axb");
  assert.match(m.docString, /axb/);
  assert.match(m.docString, /not a vendor board binary/);
  assert.equal(m.graph.name, "axb-compiled");
  assert.deepEqual([...m.opsetImports], [["", 17], ["ai.axb.npu", 1]]);
  assert.deepEqual([...m.metadataProps.keys()], [
    "axb.version",
    "axb.target",
    "axb.config",
    "axb.groups",
  ]);
  assert.equal(m.metadataProps.get("axb.target"), "AX650");
  // config JSON has sorted keys at every level
  assert.equal(
    m.metadataProps.get("axb.config"),
    '{"compiler":{"static_batch_sizes":[1,2,4]},"input":"m.onnx","model_type":"ONNX"}',
  );
  assert.deepEqual(m.graph.inputs.map((v) => v.name), ["data", "data_1"]);
  assert.deepEqual(m.graph.outputs.map((v) => v.name), ["prob", "prob_1"]);
  assert.deepEqual(m.graph.inputs[1].type, { dtype: "f32", shape: [4, 3, 6, 6] });
  assert.deepEqual(
    m.graph.nodes.map((n) => `${n.domain}::${n.opType}:${n.name}`),
    [
      "ai.axb.npu::NpuSubgraph:subgraph_npu_0",
      "::Mul:cpu_mid_mul",
      "::Sigmoid:cpu_out_sigmoid",
      "ai.axb.npu::NpuSubgraph:subgraph_npu_1",
      "ai.axb.npu::NpuSubgraph:subgraph_npu_0_g1",
      "::Mul:cpu_mid_1_mul",
      "::Sigmoid:cpu_out_1_sigmoid",
      "ai.axb.npu::NpuSubgraph:subgraph_npu_1_g1",
    ],
  );
  const npu = m.graph.nodes[4];
  assert.deepEqual([...npu.attrs.keys()], [
    "program",
    "opset",
    "program_metadata",
    "batches",
    "target",
    "npu_mode",
    "group",
    "tiling",
    "cost",
  ]);
  assert.deepEqual(npu.attrs.get("batches"), { kind: "ints", value: [1, 2, 4] });
  assert.deepEqual(npu.attrs.get("group"), { kind: "int", value: 1 });
  assert.deepEqual(npu.attrs.get("opset"), { kind: "int", value: 17 });
  assert.deepEqual(npu.attrs.get("tiling"), {
    kind: "string",
    value: '{"budget":65536,"ops":[{"name":"conv0","tiles":[1,2]}]}',
  });
  const program = npu.attrs.get("program");
  assert.ok(program?.kind === "graph");
  // S8 weights and S32 bias stored once in the program graph, not in the main graph
  const w = program.value.initializers.get("npu0_out_1_w_quantized");
  assert.equal(w?.dtype, "s8");
  assert.deepEqual(w?.shape, [4, 3, 3, 3]);
  assert.equal(program.value.initializers.get("npu0_out_1_b_quantized")?.dtype, "s32");
  assert.deepEqual([...m.graph.initializers.keys()], ["cpu_scale"]);
  // intermediate boundary values are typed in value_info
  assert.deepEqual([...m.graph.valueInfo.keys()], [
    "npu0_out",
    "cpu_out",
    "npu0_out_1",
    "cpu_out_1",
  ]);
  // no vendor node types or initializer names
  const text = new TextDecoder().decode(encodeModel(m));
  assert.ok(!text.includes("neu mode") && !text.includes("npu_params"));
});

Deno.test("encodeCompiledModel() gives byte-identical files for identical inputs", async () => {
  const a = encodeModel(encodeCompiledModel(sampleCompiledModel()));
  const b = encodeModel(encodeCompiledModel(sampleCompiledModel()));
  assert.equal(a.length, b.length);
  assert.deepEqual(a, b);
  // same config with another key order: same bytes
  const cm = sampleCompiledModel();
  const reordered = {
    ...cm,
    config: { input: "m.onnx", compiler: { static_batch_sizes: [1, 2, 4] }, model_type: "ONNX" },
  };
  assert.deepEqual(encodeModel(encodeCompiledModel(reordered)), a);
  const dir = await Deno.makeTempDir({ prefix: "axb-container-" });
  try {
    const p1 = join(dir, "one.axmodel");
    const p2 = join(dir, "two.axmodel");
    await writeCompiledModel(cm, p1);
    await writeCompiledModel(sampleCompiledModel(), p2);
    assert.deepEqual(await Deno.readFile(p1), await Deno.readFile(p2));
    assert.deepEqual(await Deno.readFile(p1), a);
    assertSameCompiled(await readCompiledModel(p1), cm);
    const plain = await loadModel(p1);
    assert.equal(plain.graph.nodes.length, 8);
    // the loaded file runs like the in-memory compiled model
    const feeds = new Map([["data", randomTensor([3, 3, 4, 4], 4, 0, 1)]]);
    assert.deepEqual(
      runCompiled(plain, feeds).outputs.get("prob")?.data,
      runCompiled(cm, feeds).outputs.get("prob")?.data,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodeCompiledModel() refuses a plain ONNX model as not an axb compiled model", () => {
  const plain = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1] }],
    nodes: [{ opType: "Relu", inputs: ["x"], outputs: ["y"] }],
  });
  assert.equal(isCompiledModel(plain), false);
  assert.throws(
    () => decodeCompiledModel(plain, "plain.onnx"),
    (e) =>
      e instanceof ModelFormatError && /plain\.onnx/.test(e.message) &&
      /not an axb compiled model/.test(e.message),
  );
});

Deno.test("decodeCompiledModel() names the node when the graph and axb.groups disagree", () => {
  const m = encodeCompiledModel(FIXTURE);
  m.graph.nodes.splice(1, 1);
  assert.throws(
    () => decodeCompiledModel(m, "cut.axmodel"),
    (e) => e instanceof ModelFormatError && /subgraph_npu_1/.test(e.message),
  );
});

Deno.test("encodeCompiledModel() refuses two groups that produce the same value", () => {
  const cm = sampleCompiledModel();
  const clash: CompiledModel = {
    ...cm,
    groups: [cm.groups[0], { ...cm.groups[0], index: 1, inputs: cm.groups[1].inputs }],
  };
  assert.throws(
    () => encodeCompiledModel(clash),
    (e) => e instanceof GraphError && /"npu0_out" is produced by both/.test(e.message),
  );
});

Deno.test("encodeCompiledModel() refuses batches that are not ascending", () => {
  const cm = sampleCompiledModel([1, 2]);
  const g = cm.groups[0];
  const s = g.subgraphs[0];
  assert.ok(s.kind === "npu");
  const bad = { ...cm, groups: [{ ...g, subgraphs: [{ ...s, batches: [2, 1] }] }] };
  assert.throws(
    () => encodeCompiledModel(bad),
    (e) => e instanceof GraphError && /subgraph_npu_0.*\[2, 1\]/.test(e.message),
  );
});

Deno.test("compiled.axmodel parses in onnxruntime, which refuses the ai.axb.npu nodes by name", async () => {
  const bytes = encodeModel(encodeCompiledModel(FIXTURE));
  let message = "";
  try {
    const s = await ort.InferenceSession.create(bytes);
    await s.release();
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
  }
  assert.match(message, /ai\.axb\.npu/);
  // the protobuf itself is well-formed: the error is about the custom domain, not parsing
  assert.doesNotMatch(message, /protobuf parsing failed/i);
});
