import { strict as assert } from "node:assert";
import { buildModel } from "../../../core/ir/builder.ts";
import { f32, Tensor } from "../../../core/ir/tensor.ts";
import { AX650_HARDWARE, AX650_MOBILENETV2_CYCLES } from "../../ax650.ts";
import { AX620E_HARDWARE } from "../../ax620e.ts";
import { ax650 } from "../../ax650.ts";
import { CONV_PIPELINE_ACTIVATIONS, estimateSubgraph } from "./model.ts";
import { AXERA_COST_ASSUMPTIONS } from "./constants.ts";
import { listedCapabilities, opCapabilities } from "../../../core/quant/op_capabilities.ts";
import { opWork } from "./op_work.ts";
import type { ExecutionPlan } from "../../target.ts";
import { convModel, mobilenetV2, wholeGraph } from "./_testing.ts";

const LANES = { rows: 64, cols: 64, kernelFold: 3 };

Deno.test("opWork() counts the MACs of a 3x3 conv by hand: 16x10x10 outputs x 8x3x3 taps", () => {
  const sub = wholeGraph(convModel(8, 16, 10, 10, 3));
  const w = opWork(sub, sub.nodes[0], LANES);
  assert.equal(w.macs, 16 * 10 * 10 * 8 * 3 * 3);
  assert.equal(w.unit, "conv");
  // Weights S8 (16·8·9) + bias S32 (16·4).
  assert.equal(w.weightBytes, 16 * 8 * 9 + 16 * 4);
  // Rows: 16 of 64; reduction: 8 channels × 3 folded taps = 24 of 64.
  assert.equal(w.laneUtilisation, (16 / 64) * (24 / 64));
});

Deno.test("opWork() gives a depthwise conv one input lane per folded tap", () => {
  const sub = wholeGraph(convModel(64, 64, 8, 8, 3, 64));
  const w = opWork(sub, sub.nodes[0], LANES);
  assert.equal(w.macs, 64 * 8 * 8 * 9);
  assert.equal(w.laneUtilisation, 1 * (3 / 64));
  const noFold = opWork(sub, sub.nodes[0], { ...LANES, kernelFold: 1 });
  assert.equal(noFold.laneUtilisation, 1 / 64);
});

Deno.test("estimateSubgraph() sums mobilenet_v2 MACs to pulsar2's logged 300,774,272", async () => {
  const sub = await mobilenetV2();
  const e = estimateSubgraph(sub, AX650_HARDWARE, { batch: 1, cores: 1 });
  assert.equal(e.ops.reduce((s, o) => s + o.macs, 0), 300_774_272);
  // The 35 Clip (ReLU6) nodes fuse into their convs.
  assert.equal(e.ops.reduce((s, o) => s + o.fused.length, 0), 35);
});

Deno.test("estimateSubgraph() puts mobilenet_v2 on AX650 NPU1 b1 within 30% of max_cycle 450,182", async () => {
  const sub = await mobilenetV2();
  const e = estimateSubgraph(sub, AX650_HARDWARE, { batch: 1, cores: 1 });
  const ratio = e.cycles / AX650_MOBILENETV2_CYCLES;
  assert.ok(ratio > 0.7 && ratio < 1.3, `cycles ${e.cycles}, ratio ${ratio}`);
  assert.equal(e.latencySeconds, e.ops.reduce((s, o) => s + o.cycles, 0) / 625e6);
  // Weights are loaded exactly once: the total ld:param equals the model's constant bytes.
  const params = e.ops.reduce((s, o) => s + o.ddr.loadParams, 0);
  assert.ok(params > 3.4e6 && params < 3.6e6, `${params}`);
});

Deno.test("estimateSubgraph() makes mobilenet_v2 faster on more AX650 cores, but sub-linearly", async () => {
  const sub = await mobilenetV2();
  const lat = [1, 2, 3].map((cores) =>
    estimateSubgraph(sub, AX650_HARDWARE, { batch: 1, cores }).latencySeconds
  );
  assert.ok(lat[0] > lat[1] && lat[1] > lat[2], `${lat}`);
  assert.ok(lat[2] > lat[0] / 3, "three cores cannot be three times faster with shared DDR");
});

Deno.test("estimateSubgraph() makes AX620E slower than AX650 on mobilenet_v2", async () => {
  const sub = await mobilenetV2();
  const plan = { batch: 1, cores: 1 };
  assert.ok(
    estimateSubgraph(sub, AX620E_HARDWARE, plan).latencySeconds >
      estimateSubgraph(sub, AX650_HARDWARE, plan).latencySeconds,
  );
});

Deno.test("estimateSubgraph() lowers per-sample latency of mobilenet_v2 at batch 2 on AX650", async () => {
  const sub = await mobilenetV2();
  const b1 = estimateSubgraph(sub, AX650_HARDWARE, { batch: 1, cores: 1 });
  const b2 = estimateSubgraph(sub, AX650_HARDWARE, { batch: 2, cores: 1 });
  assert.ok(b2.latencySeconds / 2 < b1.latencySeconds);
  // Weights are not loaded twice.
  const params = (e: typeof b1) => e.ops.reduce((s, o) => s + o.ddr.loadParams, 0);
  assert.equal(params(b2), params(b1));
});

Deno.test("estimateSubgraph() never gets faster when ddr_bw_limit lowers the bandwidth", async () => {
  const sub = await mobilenetV2();
  const plan = { batch: 1, cores: 1 };
  const free = estimateSubgraph(sub, AX650_HARDWARE, plan).latencySeconds;
  const high = estimateSubgraph(sub, AX650_HARDWARE, plan, { ddrBwLimitGBps: 100 }).latencySeconds;
  const low = estimateSubgraph(sub, AX650_HARDWARE, plan, { ddrBwLimitGBps: 2 }).latencySeconds;
  assert.equal(high, free, "a limit above the chip's bandwidth changes nothing");
  assert.ok(low > free, `${low} vs ${free}`);
});

Deno.test("estimateSubgraph() spills mobilenet_v2 at batch 8 and slice/tile mode reduce the spills", async () => {
  const sub = await mobilenetV2();
  const plan = { batch: 8, cores: 1 };
  const swap = (opts: { sliceMode?: boolean; tileMode?: boolean }) =>
    estimateSubgraph(sub, AX650_HARDWARE, plan, opts).ops
      .reduce((s, o) => s + o.ddr.storeSwap + o.ddr.loadSwap, 0);
  const none = swap({});
  const tile = swap({ tileMode: true });
  const slice = swap({ sliceMode: true });
  const both = swap({ sliceMode: true, tileMode: true });
  assert.ok(none > 0);
  assert.ok(tile < none && slice < tile && both <= slice, `${none} ${tile} ${slice} ${both}`);
  const b1 = estimateSubgraph(sub, AX650_HARDWARE, { batch: 1, cores: 1 }).ops;
  assert.equal(b1.reduce((s, o) => s + o.ddr.storeSwap, 0), 0, "batch 1 fits the 4 MiB OCM");
});

Deno.test("ax650.cost() is the model's estimate and reads compiler options from the plan", async () => {
  const sub = await mobilenetV2();
  assert.ok(ax650.cost);
  const plan = { batch: 1, cores: 2 };
  const hook = ax650.cost(sub, plan);
  const direct = estimateSubgraph(sub, AX650_HARDWARE, plan);
  assert.equal(hook.cycles, direct.cycles);
  assert.equal(hook.ddrBytes, direct.ddrBytes);
  const withLimit: ExecutionPlan = { ...plan, compiler: { ddrBwLimitGBps: 2 } };
  const limited = ax650.cost(sub, withLimit);
  assert.ok(limited.latencySeconds > hook.latencySeconds);
});

Deno.test("estimateSubgraph() reads a QDQ conv like the float one: dequantised weights are weights", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8, 10, 10] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 16, 10, 10] }],
    initializers: {
      wq: new Tensor("s8", [16, 8, 3, 3]),
      s: f32([], [0.1]),
      z: new Tensor("s8", []),
    },
    nodes: [
      { name: "dq_w", opType: "DequantizeLinear", inputs: ["wq", "s", "z"], outputs: ["w"] },
      {
        name: "conv",
        opType: "Conv",
        inputs: ["x", "w"],
        outputs: ["c"],
        attrs: { pads: { kind: "ints", value: [1, 1, 1, 1] } },
      },
      { name: "relu", opType: "Relu", inputs: ["c"], outputs: ["y"] },
    ],
  });
  const e = estimateSubgraph(wholeGraph(model), AX650_HARDWARE, { batch: 1, cores: 1 });
  assert.deepEqual(e.ops.map((o) => [o.name, o.fused, o.macs, o.ddr.loadParams]), [
    ["conv", ["relu"], 16 * 10 * 10 * 8 * 9, 16 * 8 * 9],
  ]);
  // Input 8·10·10 U8 loaded, output 16·10·10 U8 stored.
  assert.equal(e.ops[0].ddr.loadInput, 800);
  assert.equal(e.ops[0].ddr.storeOutput, 1600);
});

Deno.test("CONV_PIPELINE_ACTIVATIONS are table operators and hold every bounds activation", () => {
  for (const op of CONV_PIPELINE_ACTIVATIONS) {
    assert.ok(opCapabilities(op).lut, `${op} merges into a conv but has no lookup table`);
  }
  for (const [op, caps] of listedCapabilities()) {
    if (caps.boundsActivation) assert.ok(CONV_PIPELINE_ACTIVATIONS.has(op), op);
  }
});

Deno.test("estimateSubgraph() charges a conv with 16-bit activations two passes and twice the activation bytes", () => {
  // 64→64 3x3 conv on 56x56: compute-bound at U8 on AX650
  const sub = wholeGraph(convModel(64, 64, 56, 56, 3));
  const plan: ExecutionPlan = { batch: 1, cores: 1 };
  const u8 = estimateSubgraph(sub, AX650_HARDWARE, plan);
  const wide = estimateSubgraph(
    { ...sub, activationBits: new Map([["x", 16], ["y", 16]]) },
    AX650_HARDWARE,
    plan,
  );
  const [a] = u8.ops;
  const [b] = wide.ops;
  const overhead = AXERA_COST_ASSUMPTIONS.opOverheadCycles.value;
  assert.ok(
    Math.abs((b.computeCycles - overhead) - 2 * (a.computeCycles - overhead)) < 1e-6,
    `${a.computeCycles} -> ${b.computeCycles}`,
  );
  // input and output cross DDR at 2 bytes per element, the weights stay S8
  const acts = 2 * 64 * 56 * 56;
  assert.equal(b.ddrBytes - a.ddrBytes, acts);
  // a map that names no 16-bit tensor changes nothing
  const same = estimateSubgraph({ ...sub, activationBits: new Map() }, AX650_HARDWARE, plan);
  assert.equal(same.cycles, u8.cycles);
});
