import { strict as assert } from "node:assert";
import { encodeCompiledModel } from "./encode.ts";
import { formatCompiledSummary, summarizeCompiled } from "./inspect.ts";
import { sampleCompiledModel, withoutCost } from "./_testing.ts";

Deno.test("summarizeCompiled() lists every subgraph with engine, group, batches and ops", () => {
  const s = summarizeCompiled(encodeCompiledModel(sampleCompiledModel()), "compiled.axmodel");
  assert.equal(s.kind, "compiled");
  assert.equal(s.target, "AX650");
  assert.equal(s.producer, "axb 0.1.0");
  assert.deepEqual(s.inputs.map((i) => [i.name, i.shape]), [
    ["data", [4, 3, 4, 4]],
    ["data_1", [4, 3, 6, 6]],
  ]);
  assert.deepEqual(
    s.subgraphs.map((x) => [x.name, x.kind, x.group, x.batches, x.target]),
    [
      ["subgraph_npu_0", "npu", 0, [1, 2, 4], "AX650 NPU1"],
      ["subgraph_cpu_0", "cpu", 0, [], "CPU"],
      ["subgraph_npu_1", "npu", 0, [1, 2, 4], "AX650 NPU1"],
      ["subgraph_npu_0_g1", "npu", 1, [1, 2, 4], "AX650 NPU1"],
      ["subgraph_cpu_0", "cpu", 1, [], "CPU"],
      ["subgraph_npu_1_g1", "npu", 1, [1, 2, 4], "AX650 NPU1"],
    ],
  );
  assert.deepEqual(s.subgraphs[0].nodes, { Conv: 1, Relu: 1 });
  // the model's operators: group 0's NPU programs (no Q/DQ) and CPU nodes, no NpuSubgraph
  assert.deepEqual(s.ops, { Conv: 2, Mul: 1, Relu: 2, Sigmoid: 1 });
  assert.deepEqual(s.subgraphs[1].nodes, { Mul: 1, Sigmoid: 1 });
  // program 0: S8 weights 4·3·3·3 = 108 B + S32 bias 4·4 = 16 B, plus fp32 scales and
  // zero points of the QDQ encoding
  assert.ok(s.subgraphs[0].weightBytes >= 124, String(s.subgraphs[0].weightBytes));
  assert.equal(s.subgraphs[1].weightBytes, 4);
  assert.deepEqual(s.subgraphs[2].cost?.map((c) => c.batch), [1, 2, 4]);
  assert.deepEqual(s.groups.map((g) => [g.index, g.subgraphs.length, g.outputs[0].name]), [
    [0, 3, "prob"],
    [1, 3, "prob_1"],
  ]);
  // parameters include the programs' weights, not only the CPU initializer
  assert.ok(s.parameters.bytes > 4 * 124);
  const text = formatCompiledSummary(s, { maxWidth: Infinity });
  assert.match(text, /subgraph_npu_1_g1/);
  assert.match(text, /Conv×1 Relu×1/);
  assert.match(text, /b4: 0\.500/);
});

Deno.test("summarizeCompiled() leaves cost out and formatCompiledSummary() shows n/a when the target made no estimate", () => {
  const model = encodeCompiledModel(withoutCost(sampleCompiledModel()));
  const s = summarizeCompiled(model, "compiled.axmodel");
  assert.deepEqual(s.subgraphs.map((x) => "cost" in x), [false, false, false, false, false, false]);
  assert.equal(JSON.stringify(s).includes('"cost"'), false);
  const rows = formatCompiledSummary(s, { maxWidth: Infinity }).split("\n").filter((l) =>
    l.startsWith("| subgraph_")
  );
  assert.equal(rows.length, 6);
  for (const row of rows) {
    assert.match(row, row.includes("| NPU ") ? /\| n\/a +\|$/ : /\| - +\|$/, row);
  }
});

Deno.test("summarizeCompiled() gives CPU subgraphs no cost entry", () => {
  const s = summarizeCompiled(encodeCompiledModel(sampleCompiledModel()), "compiled.axmodel");
  assert.deepEqual(s.subgraphs.map((x) => x.kind === "npu" ? x.cost?.length : "cost" in x), [
    3,
    false,
    3,
    3,
    false,
    3,
  ]);
});
