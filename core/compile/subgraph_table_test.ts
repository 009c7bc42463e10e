import { strict as assert } from "node:assert";
import { cpuRow, formatSubgraphTable, maxCycleLine, npuRows } from "./subgraph_table.ts";

Deno.test("npuRows() formats cycles, DDR MB and per-sample latency when the target estimated them", () => {
  const rows = npuRows("subgraph_npu_0", 5, [1, 2], [
    { batch: 1, cycles: 450_182.4, ddrBytes: 1_234_567, latencyMs: 0.72 },
    { batch: 2, cycles: 800_000, ddrBytes: 2_500_000, latencyMs: 1.3 },
  ]);
  assert.deepEqual(rows, [
    ["subgraph_npu_0_b1", "NPU", "5", "450,182", "1.23", "0.720 (0.720/sample)"],
    ["subgraph_npu_0_b2", "NPU", "5", "800,000", "2.50", "1.300 (0.650/sample)"],
  ]);
});

Deno.test("npuRows() shows n/a for every batch when the target has no cost model", () => {
  assert.deepEqual(npuRows("subgraph_npu_1", 3, [1, 4], undefined), [
    ["subgraph_npu_1_b1", "NPU", "3", "n/a", "n/a", "n/a"],
    ["subgraph_npu_1_b4", "NPU", "3", "n/a", "n/a", "n/a"],
  ]);
});

Deno.test("maxCycleLine() reads n/a without an estimate and rounded cycles with one", () => {
  assert.equal(
    maxCycleLine("subgraph_npu_0", 1, 2, undefined),
    "subgraph_npu_0 group 1 b2: max_cycle = n/a",
  );
  assert.equal(
    maxCycleLine("subgraph_npu_0", 0, 1, { batch: 1, cycles: 1234.6, ddrBytes: 0, latencyMs: 0 }),
    "subgraph_npu_0 group 0 b1: max_cycle = 1,235",
  );
});

Deno.test("formatSubgraphTable() says the estimates are n/a when the target has no cost model", () => {
  const rows = [cpuRow("subgraph_cpu_0", 2)];
  const without = formatSubgraphTable(rows, {
    group: 0,
    target: "toy-npu",
    mode: "NPU1",
    costModel: false,
    maxWidth: Infinity,
  });
  assert.match(
    without,
    /^Compiled subgraphs, group 0 \(toy-npu NPU1; target has no cost model, estimates n\/a\)\n/,
  );
  assert.match(without, /\| subgraph_cpu_0 \| CPU +\| 2 +\| - +\| - +\| - +\|/);
  const withCost = formatSubgraphTable(rows, {
    group: 1,
    target: "AX650",
    mode: "NPU3",
    costModel: true,
    maxWidth: Infinity,
  });
  assert.match(
    withCost,
    /^Compiled subgraphs, group 1 \(AX650 NPU3; estimates from the documented, partly assumed cost model\)\n/,
  );
});
