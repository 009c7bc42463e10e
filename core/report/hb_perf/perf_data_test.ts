import { strict as assert } from "node:assert";
import { perfReport } from "./perf_data.ts";
import { defaultRegistry } from "../../ops/mod.ts";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";
import {
  horizonSampleModel,
  SAMPLE_HW,
  targetsWithCostlessBpu,
} from "../../container/_horizon_testing.ts";

const opts = { targets: new TargetRegistry(builtinTargets()), registry: defaultRegistry() };
const PIXELS = SAMPLE_HW * SAMPLE_HW;

Deno.test("perfReport() sums the BPU subgraphs' per-frame cost and derives the frame rate", () => {
  // each fixture subgraph: batch 1, 0.25 ms, 3 MiB of DDR traffic
  const r = perfReport("sample", horizonSampleModel(), opts);
  assert.deepEqual(r.subgraphs.map((s) => s.name), ["subgraph_npu_0", "subgraph_npu_1"]);
  assert.equal(r.latencyMs, 0.5);
  assert.equal(r.fps, 2000);
  assert.equal(r.ddrMB, 6);
  assert.equal(r.subgraphs[0].latencyMs, 0.25);
  assert.deepEqual(r.subgraphs[0].opCounts, { Conv: 1, Relu: 1 });
});

Deno.test("perfReport() counts operations and loaded/stored bytes per frame with the target's profile", () => {
  const [a, b] = perfReport("sample", horizonSampleModel(), opts).subgraphs;
  // 3x3 conv, 3 -> 4 channels, 4x4 output: 2 ops per multiply-accumulate
  assert.equal(a.opsPerFrame, 2 * PIXELS * 4 * 3 * 9);
  assert.equal(b.opsPerFrame, 2 * PIXELS * 2 * 4 * 9);
  // int8 weights + int32 bias + int8 input loaded; the int8 output stored
  assert.equal(a.loadedBytes, 4 * 3 * 9 + 4 * 4 + 3 * PIXELS);
  assert.equal(a.storedBytes, 4 * PIXELS);
  assert.equal(a.layers, undefined, "no layer details without debug");
});

Deno.test("perfReport() gives layer details only for a debug: True model", () => {
  const r = perfReport("sample", horizonSampleModel({ debug: true }), opts);
  const layers = r.subgraphs[0].layers;
  assert.ok(layers);
  assert.deepEqual(layers.map((l) => [l.name, l.opType, l.ops]), [
    ["npu0_out_conv", "Conv+npu0_out_relu", 2 * PIXELS * 4 * 3 * 9],
  ]);
  assert.ok(!r.notes.some((n) => n.includes("debug")));
});

Deno.test("perfReport() leaves figures undefined (n/a), with a note, when the target has no cost model", () => {
  const r = perfReport("b2", horizonSampleModel({ target: "bare-bpu", cost: false }), {
    ...opts,
    targets: targetsWithCostlessBpu(),
  });
  assert.equal(r.latencyMs, undefined);
  assert.equal(r.fps, undefined);
  assert.equal(r.ddrMB, undefined);
  assert.equal(r.loadedBytes, undefined);
  assert.equal(r.subgraphs[0].opsPerFrame, undefined);
  assert.ok(r.notes.some((n) => /bare-bpu gave no cost estimate/.test(n)), r.notes.join("; "));
  assert.ok(r.notes.some((n) => /no per-operator cost model/.test(n)));
});
