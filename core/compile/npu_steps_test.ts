import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import { ConfigError } from "../errors/mod.ts";
import { defaultCompilerOptions } from "../config/build_config.ts";
import type { Target, TargetSubgraph } from "../../targets/target.ts";
import { ax650 } from "../../targets/ax650.ts";
import { selectNpuMode } from "./npu_mode.ts";
import { batchConfig, planBatches } from "./npu_batches.ts";
import { estimateNpuPart } from "./npu_estimate.ts";

const { cost: _cost, planBatches: _plan, tile: _tile, profile: _profile, ...hookless } = ax650;
/** AX650's identity and legality without any of the optional hooks. */
const bare: Target = { ...hookless, name: "bare" };

function subgraph(): TargetSubgraph {
  const m = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
    nodes: [{ name: "relu", opType: "Relu", inputs: ["x"], outputs: ["y"] }],
  });
  return { graph: m.graph, nodes: m.graph.nodes, types: new Map(), opset: 13 };
}

Deno.test("selectNpuMode() throws a ConfigError naming npu_mode and the offered modes when the target lacks the mode", () => {
  assert.deepEqual(selectNpuMode(ax650, "NPU2"), { name: "NPU2", cores: 2 });
  assert.throws(
    () => selectNpuMode(ax650, "NPU4"),
    (e: unknown) =>
      e instanceof ConfigError && e.field === "npu_mode" &&
      e.message === "npu_mode NPU4 is not available on AX650; expected one of NPU1, NPU2, NPU3",
  );
});

Deno.test("planBatches() sorts and deduplicates static sizes when the target has no planBatches hook", () => {
  const o = { ...defaultCompilerOptions(), static_batch_sizes: [4, 1, 2, 1] };
  const mode = { name: "NPU1", cores: 1 };
  assert.deepEqual(planBatches(bare, subgraph(), batchConfig(o, mode)), [1, 2, 4]);
  const none = { ...defaultCompilerOptions(), static_batch_sizes: [] };
  assert.deepEqual(planBatches(bare, subgraph(), batchConfig(none, mode)), [1]);
});

Deno.test("planBatches() refuses max_dynamic_batch_size when the target has no planBatches hook", () => {
  const o = { ...defaultCompilerOptions(), max_dynamic_batch_size: 8 };
  assert.throws(
    () => planBatches(bare, subgraph(), batchConfig(o, { name: "NPU1", cores: 1 })),
    (e: unknown) => e instanceof ConfigError && e.field === "compiler.max_dynamic_batch_size",
  );
});

Deno.test("estimateNpuPart() gives no cost (undefined, not zeros) when the target has no cost hook", () => {
  const e = estimateNpuPart(bare, subgraph(), {
    batches: [1, 2],
    mode: { name: "NPU1", cores: 1 },
    knobs: {},
  });
  assert.equal(e.cost, undefined);
  assert.equal(e.tiling, undefined);
});

Deno.test("estimateNpuPart() asks the cost hook once per batch and converts seconds to milliseconds", () => {
  const seen: [number, number][] = [];
  const costly: Target = {
    ...bare,
    cost: (_ts, plan) => {
      seen.push([plan.batch, plan.cores]);
      return { cycles: 1000 * plan.batch, ddrBytes: 64 * plan.batch, latencySeconds: 2e-3 };
    },
  };
  const e = estimateNpuPart(costly, subgraph(), {
    batches: [1, 4],
    mode: { name: "NPU3", cores: 3 },
    knobs: {},
  });
  assert.deepEqual(seen, [[1, 3], [4, 3]]);
  assert.deepEqual(e.cost, [
    { batch: 1, cycles: 1000, ddrBytes: 64, latencyMs: 2 },
    { batch: 4, cycles: 4000, ddrBytes: 256, latencyMs: 2 },
  ]);
});
