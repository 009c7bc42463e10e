import { strict as assert } from "node:assert";
import { layoutStructure, structureGraph, structureSvg } from "./structure_graph.ts";
import { horizonSampleCompiled } from "../../container/_horizon_testing.ts";

Deno.test("structureGraph() has a box per model input/output, BPU subgraph and CPU node, linked by the values they pass", () => {
  const g = structureGraph(horizonSampleCompiled().groups[0]);
  assert.deepEqual(g.nodes.map((n) => `${n.kind} ${n.label} (${n.detail})`), [
    "input data (model input)",
    "cpu data_transpose (CPU, Transpose)",
    "bpu subgraph_npu_0 (BPU, 2 ops)",
    "cpu cpu_mid_mul (CPU, Mul)",
    "cpu cpu_out_sigmoid (CPU, Sigmoid)",
    "bpu subgraph_npu_1 (BPU, 2 ops)",
    "cpu prob_transpose (CPU, Transpose)",
    "output prob (model output)",
  ]);
  assert.deepEqual(g.edges.map((e) => e.value), [
    "data",
    "data_nchw",
    "npu0_out",
    "cpu_mid",
    "cpu_out",
    "prob_nchw",
    "prob",
  ]);
  assert.equal(g.nodes[2].href, "subgraph_npu_0.html");
});

Deno.test("layoutStructure() puts each box one layer below its deepest producer and centres the layers", () => {
  const g = {
    nodes: [
      { id: "a", kind: "input" as const, label: "a", detail: "" },
      { id: "b", kind: "input" as const, label: "b", detail: "" },
      { id: "c", kind: "cpu" as const, label: "c", detail: "" },
      { id: "d", kind: "bpu" as const, label: "d", detail: "" },
    ],
    edges: [{ from: "a", to: "c", value: "x" }, { from: "c", to: "d", value: "y" }, {
      from: "b",
      to: "d",
      value: "z",
    }],
  };
  const { pos, width, height } = layoutStructure(g);
  // two boxes of 220 with a 28 gap and 16 margins; three layers of 44 with 44 gaps
  assert.equal(width, 16 + 220 + 28 + 220 + 16);
  assert.equal(height, 16 + 3 * 44 + 2 * 44 + 16);
  assert.deepEqual(pos.get("a"), { x: 16, y: 16 });
  assert.deepEqual(pos.get("b"), { x: 16 + 248, y: 16 });
  assert.deepEqual(pos.get("c"), { x: (width - 220) / 2, y: 16 + 88 });
  assert.deepEqual(pos.get("d"), { x: (width - 220) / 2, y: 16 + 176 });
});

Deno.test("structureSvg() draws every box and edge, escapes names and shortens long ones", () => {
  const g = {
    nodes: [
      { id: "input:<x>", kind: "input" as const, label: "<x>", detail: "model input" },
      {
        id: "cpu:long",
        kind: "cpu" as const,
        label: "a_really_long_node_name_that_does_not_fit",
        detail: "CPU, Softmax",
      },
    ],
    edges: [{ from: "input:<x>", to: "cpu:long", value: "<x>" }],
  };
  const svg = structureSvg(g);
  assert.equal([...svg.matchAll(/<g class="node /g)].length, 2);
  assert.equal([...svg.matchAll(/<line class="edge"/g)].length, 1);
  assert.ok(svg.includes("&lt;x&gt;") && !svg.includes("<x>"));
  assert.ok(svg.includes(">a_really_long_node_name_that_…</text>"));
  assert.ok(
    svg.includes("<title>a_really_long_node_name_that_does_not_fit (CPU, Softmax)</title>"),
  );
});
