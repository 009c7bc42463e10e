/**
 * Fixtures for the container tests: small QDQ programs built from float Conv → Relu
 * models (calibrated on seeded random samples) and a compiled model with
 * NPU → CPU → NPU subgraphs in two input-shape groups.
 *
 * @module
 */
import { attr, buildModel } from "../ir/builder.ts";
import type { Model, Node } from "../ir/graph.ts";
import { f32, type Tensor } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { Executor } from "../exec/executor.ts";
import { calibrate } from "../quant/calibrate.ts";
import { quantizeModel } from "../quant/quantize.ts";
import { resolvePrecision } from "../quant/precision.ts";
import { toQdqModel } from "../quant/qdq_export.ts";
import type { CompiledGroup, CompiledModel, CompiledSubgraph } from "../compile/types.ts";

/** A seeded uniform generator in [lo, hi) (mulberry32). */
export function seededRandom(seed: number): (lo?: number, hi?: number) => number {
  let a = seed >>> 0;
  return (lo = 0, hi = 1) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

/** A random float tensor. */
export function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): Tensor<"f32"> {
  const rnd = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return f32(shape, Array.from({ length: n }, () => rnd(lo, hi)));
}

/** What {@linkcode convReluProgram} builds. */
export interface ProgramSpec {
  input: string;
  output: string;
  inC: number;
  outC: number;
  /** Spatial size of the calibration samples. */
  hw: number;
  seed: number;
}

/** The float Conv(3x3, pad 1) → Relu model of a program (batch dim symbolic). */
export function convReluFloat(s: ProgramSpec): Model {
  return buildModel({
    name: `${s.output}_program`,
    inputs: [{ name: s.input, dtype: "f32", shape: ["N", s.inC, null, null] }],
    outputs: [{ name: s.output, dtype: "f32", shape: ["N", s.outC, null, null] }],
    nodes: [
      {
        opType: "Conv",
        name: `${s.output}_conv`,
        inputs: [s.input, `${s.output}_w`, `${s.output}_b`],
        outputs: [`${s.output}_pre`],
        attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) },
      },
      {
        opType: "Relu",
        name: `${s.output}_relu`,
        inputs: [`${s.output}_pre`],
        outputs: [s.output],
      },
    ],
    initializers: {
      [`${s.output}_w`]: randomTensor([s.outC, s.inC, 3, 3], s.seed, -0.5, 0.5),
      [`${s.output}_b`]: randomTensor([s.outC], s.seed + 1, -0.1, 0.1),
    },
  });
}

/**
 * A QDQ program: the float model calibrated (MinMax, 4 seeded samples) and exported with
 * int8 weights, as the compile stage writes NPU programs.
 */
export function convReluProgram(s: ProgramSpec): Model {
  const model = convReluFloat(s);
  const exec = new Executor(model, defaultRegistry());
  const samples = [0, 1, 2, 3].map((i) =>
    new Map([[s.input, randomTensor([1, s.inC, s.hw, s.hw], s.seed + 10 + i, 0, 1)]])
  );
  const stats = calibrate(exec, samples, { method: "MinMax" });
  const quant = quantizeModel(model, stats, {
    method: "MinMax",
    precision: resolvePrecision(model.graph, []),
    biasDataType: "S32",
    refineWeightThreshold: 0,
  });
  return toQdqModel(quant, { weightCodes: "S8" });
}

/** The CPU part between the NPU parts: `y = Sigmoid(x * cpu_scale)`. */
export function cpuNodes(input: string, mid: string, output: string): Node[] {
  return [
    {
      name: `${mid}_mul`,
      opType: "Mul",
      domain: "",
      inputs: [input, "cpu_scale"],
      outputs: [mid],
      attrs: new Map(),
    },
    {
      name: `${output}_sigmoid`,
      opType: "Sigmoid",
      domain: "",
      inputs: [mid],
      outputs: [output],
      attrs: new Map(),
    },
  ];
}

const BATCH_COST = (b: number) => ({
  batch: b,
  cycles: 1000 * b,
  ddrBytes: 64 * b,
  latencyMs: b / 8,
});

/** One group: data → NPU(Conv,Relu) → CPU(Mul,Sigmoid) → NPU(Conv,Relu) → prob. */
export function sampleGroup(index: number, hw: number, batches: number[]): CompiledGroup {
  const sfx = index > 0 ? `_${index}` : "";
  const max = batches[batches.length - 1];
  const io = (name: string, c: number, batch: number | string = max) => ({
    name: `${name}${sfx}`,
    type: { dtype: "f32" as const, shape: [batch, c, hw, hw] },
  });
  const npu = (
    i: number,
    input: string,
    output: string,
    inC: number,
    outC: number,
  ): CompiledSubgraph => ({
    kind: "npu",
    name: `subgraph_npu_${i}`,
    inputs: [io(input, inC)],
    outputs: [io(output, outC)],
    target: "AX650",
    npuMode: "NPU1",
    batches,
    program: convReluProgram({
      input: `${input}${sfx}`,
      output: `${output}${sfx}`,
      inC,
      outC,
      hw,
      seed: 100 * (i + 1),
    }),
    tiling: { ops: [{ name: `conv${i}`, tiles: [1, 2] }], budget: 65536 },
    cost: batches.map(BATCH_COST),
  });
  return {
    index,
    inputs: [io("data", 3)],
    outputs: [io("prob", 2)],
    subgraphs: [
      npu(0, "data", "npu0_out", 3, 4),
      {
        kind: "cpu",
        name: "subgraph_cpu_0",
        inputs: [io("npu0_out", 4)],
        outputs: [io("cpu_out", 4)],
        nodes: cpuNodes(`npu0_out${sfx}`, `cpu_mid${sfx}`, `cpu_out${sfx}`),
      },
      npu(1, "cpu_out", "prob", 4, 2),
    ],
  };
}

/** A compiled model with group 0 (4x4 images) and group 1 (6x6 images). */
export function sampleCompiledModel(batches: number[] = [1, 2, 4]): CompiledModel {
  return {
    groups: [sampleGroup(0, 4, batches), sampleGroup(1, 6, batches)],
    cpuInitializers: new Map([["cpu_scale", f32([], [0.5])]]),
    config: { model_type: "ONNX", compiler: { static_batch_sizes: batches }, input: "m.onnx" },
    version: "0.1.0",
    target: "AX650",
  };
}

/** `cm` as a target without a cost model compiles it: no NPU subgraph has an estimate. */
export function withoutCost(cm: CompiledModel): CompiledModel {
  return {
    ...cm,
    groups: cm.groups.map((g) => ({
      ...g,
      subgraphs: g.subgraphs.map((s) => (s.kind === "npu" ? { ...s, cost: undefined } : s)),
    })),
  };
}
