/**
 * Fixtures for the Horizon tool tests: a small container with the `axb.horizon` entry, in
 * the shape a Horizon conversion gives (one input-shape group, BPU parts with CPU nodes
 * between them and at the edges):
 *
 * ```
 * data ─ [Cast] ─ Transpose(data_transpose) ─ BPU(Conv,Relu) ─ Mul ─ Sigmoid ─
 *        BPU(Conv,Relu) ─ Transpose(prob_transpose) ─ prob
 * ```
 *
 * With `head: "none"` the model input feeds the first BPU part directly (NCHW float, the
 * intermediate type of a Horizon image input).
 *
 * @module
 */
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { bernoulli2 } from "../../targets/bernoulli2.ts";
import type { Model, Node } from "../ir/graph.ts";
import { attr } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import type { DType } from "../ir/dtype.ts";
import type { CompiledModel, CompiledSubgraph } from "../compile/types.ts";
import { encodeCompiledModel } from "./encode.ts";
import { type HorizonMeta, withHorizonMeta } from "./horizon_meta.ts";
import { convReluProgram, cpuNodes } from "./_testing.ts";

/** Options of {@linkcode horizonSampleModel}. */
export interface HorizonSampleOptions {
  /** `input_type_rt` recorded for `data` (default `featuremap`). */
  readonly typeRt?: string;
  /** `input_layout_rt` recorded for `data` (default `NHWC`). */
  readonly layoutRt?: string;
  /** Model input type: `f32` (default) or `u8` (then a Cast leads the head). */
  readonly inputDtype?: DType;
  /** `transpose` (default): CPU layout nodes at head and tail; `none`: BPU parts only. */
  readonly head?: "transpose" | "none";
  /** Target the BPU parts were compiled for (default `AX650`, which has a cost model). */
  readonly target?: string;
  /** Give the BPU parts a cost estimate (default true). */
  readonly cost?: boolean;
  /** The `debug` flag of the entry (default false). */
  readonly debug?: boolean;
}

/** Image side of the fixture. */
export const SAMPLE_HW = 4;

function node(name: string, opType: string, inputs: string[], outputs: string[]): Node {
  return { name, opType, domain: "", inputs, outputs, attrs: new Map() };
}

/** The compiled model of the fixture. */
export function horizonSampleCompiled(opts: HorizonSampleOptions = {}): CompiledModel {
  const hw = SAMPLE_HW;
  const target = opts.target ?? "AX650";
  const transposes = (opts.head ?? "transpose") === "transpose";
  const nchw = (name: string, c: number, dtype: DType = "f32") => ({
    name,
    type: { dtype, shape: [1, c, hw, hw] },
  });
  const nhwc = (name: string, c: number, dtype: DType = "f32") => ({
    name,
    type: { dtype, shape: [1, hw, hw, c] },
  });
  const cost = (opts.cost ?? true)
    ? [{ batch: 1, cycles: 2000, ddrBytes: 3 * 1024 * 1024, latencyMs: 0.25 }]
    : undefined;
  const npu = (i: number, input: string, output: string, inC: number, outC: number) =>
    ({
      kind: "npu",
      name: `subgraph_npu_${i}`,
      inputs: [nchw(input, inC)],
      outputs: [nchw(output, outC)],
      target,
      npuMode: target === "AX650" ? "NPU1" : "1",
      batches: [1],
      program: convReluProgram({ input, output, inC, outC, hw, seed: 100 * (i + 1) }),
      tiling: null,
      cost,
    }) satisfies CompiledSubgraph;
  const input = transposes ? nhwc("data", 3, opts.inputDtype ?? "f32") : nchw("data", 3);
  const head: Node[] = [];
  if (transposes && opts.inputDtype === "u8") {
    head.push({ ...node("data_cast", "Cast", ["data"], ["data_f32"]) });
    head[0].attrs.set("to", attr.int(1));
  }
  const perm = node("data_transpose", "Transpose", [head.length ? "data_f32" : "data"], [
    "data_nchw",
  ]);
  perm.attrs.set("perm", attr.ints([0, 3, 1, 2]));
  head.push(perm);
  const tail = node("prob_transpose", "Transpose", ["prob_nchw"], ["prob"]);
  tail.attrs.set("perm", attr.ints([0, 2, 3, 1]));
  const first = transposes ? "data_nchw" : "data";
  const last = transposes ? "prob_nchw" : "prob";
  const subgraphs: CompiledSubgraph[] = [
    ...(transposes
      ? [{
        kind: "cpu" as const,
        name: "subgraph_cpu_0",
        inputs: [input],
        outputs: [nchw("data_nchw", 3)],
        nodes: head,
      }]
      : []),
    npu(0, first, "npu0_out", 3, 4),
    {
      kind: "cpu",
      name: transposes ? "subgraph_cpu_1" : "subgraph_cpu_0",
      inputs: [nchw("npu0_out", 4)],
      outputs: [nchw("cpu_out", 4)],
      nodes: cpuNodes("npu0_out", "cpu_mid", "cpu_out"),
    },
    npu(1, "cpu_out", last, 4, 2),
    ...(transposes
      ? [{
        kind: "cpu" as const,
        name: "subgraph_cpu_2",
        inputs: [nchw("prob_nchw", 2)],
        outputs: [nhwc("prob", 2)],
        nodes: [tail],
      }]
      : []),
  ];
  return {
    groups: [{
      index: 0,
      inputs: [input],
      outputs: [transposes ? nhwc("prob", 2) : nchw("prob", 2)],
      subgraphs,
    }],
    cpuInitializers: new Map([["cpu_scale", f32([], [0.5])]]),
    config: { model_type: "ONNX", input: "sample.onnx" },
    version: "0.1.0",
    target,
  };
}

/** The `axb.horizon` entry of the fixture. */
export function horizonSampleMeta(opts: HorizonSampleOptions = {}): HorizonMeta {
  const typeRt = opts.typeRt ?? "featuremap";
  return {
    tool: "hb_mapper",
    march: "bernoulli2",
    yaml: {
      model_parameters: {
        onnx_model: "sample.onnx",
        march: "bernoulli2",
        output_model_file_prefix: "sample",
        working_dir: "model_output",
      },
      input_parameters: {
        input_name: "data",
        input_type_train: typeRt === "featuremap" ? "featuremap" : "rgb",
        input_type_rt: typeRt,
        input_layout_train: "NCHW",
        norm_type: "data_mean_and_scale",
        mean_value: "123.675 116.28 103.53",
        scale_value: "0.0171 0.0175 0.0174",
      },
      calibration_parameters: { cal_data_dir: "calib", calibration_type: "max" },
      compiler_parameters: { compile_mode: "latency", debug: opts.debug ?? false, core_num: 1 },
    },
    environment: { axb_version: "0.1.0", model_type: "onnx", input_model: "sample.onnx" },
    inputs: [{
      name: "data",
      type_rt: typeRt,
      layout_rt: opts.layoutRt ?? "NHWC",
      shape: [1, 3, SAMPLE_HW, SAMPLE_HW],
      norm_type: "data_mean_and_scale",
      mean_value: [123.675, 116.28, 103.53],
      scale_value: [0.0171, 0.0175, 0.0174],
    }],
    removed_nodes: [],
    debug: opts.debug ?? false,
  };
}

/** The fixture as a loaded container (encoded, with its `axb.horizon` entry). */
export function horizonSampleModel(opts: HorizonSampleOptions = {}): Model {
  return withHorizonMeta(encodeCompiledModel(horizonSampleCompiled(opts)), horizonSampleMeta(opts));
}

/**
 * The built-in targets plus `bare-bpu`: bernoulli2's identity and legality without any of
 * the cost, tiling, batch or profile hooks, for the "no estimate" paths.
 */
export function targetsWithCostlessBpu(): TargetRegistry {
  const { cost: _c, profile: _p, tile: _t, planBatches: _b, marchDialect: _d, ...rest } =
    bernoulli2;
  return new TargetRegistry([...builtinTargets(), { ...rest, name: "bare-bpu", aliases: [] }]);
}
