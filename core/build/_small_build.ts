/**
 * Small end-to-end builds for tests: a model built in code is saved, given one seeded
 * `.npy` calibration archive per input, built quietly with a config, and its compiled
 * model run through `axb run` in process.
 *
 * @module
 */
import { join } from "node:path";
import { attr, buildModel } from "../ir/builder.ts";
import type { Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { saveModel } from "../onnx/save.ts";
import { loadModel } from "../onnx/load.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { createLogger } from "../util/log.ts";
import { resolveBuildConfig } from "../config/resolve.ts";
import { summarizeCompiled } from "../container/inspect.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { runBuild } from "./build.ts";
import {
  buildQuietly,
  type BuiltModel,
  type JsonObject,
  seededFloat32,
  seededValues,
  writeNpyTar,
} from "./_acceptance_helpers.ts";

/** One model input: its name and the shape of its calibration samples. */
export interface SmallInput {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * Save `model` under `dir`, write 4 seeded calibration samples per input and build it
 * with `raw` (its `quant.input_configs` are generated; other fields are kept). With
 * `log`, the build's messages (without timestamp and level) are collected there.
 */
export async function buildSmall(
  model: Model,
  inputs: readonly SmallInput[],
  raw: JsonObject,
  dir: string,
  log?: string[],
): Promise<BuiltModel> {
  const file = join(dir, "model.onnx");
  await saveModel(model, file);
  const configs = [];
  for (const [k, input] of inputs.entries()) {
    const tar = join(dir, `calib_${input.name}.tar`);
    await writeNpyTar(
      tar,
      Array.from({ length: 4 }, (_, i) => seededFloat32(input.shape, 100 * k + i)),
    );
    configs.push({
      tensor_name: input.name,
      calibration_dataset: tar,
      calibration_format: "Numpy",
      calibration_size: 4,
    });
  }
  const quant = typeof raw.quant === "object" && raw.quant !== null ? raw.quant : {};
  const full = { ...raw, quant: { ...quant, input_configs: configs } };
  if (!log) return await buildQuietly(full, file, join(dir, "out"));
  const targets = new TargetRegistry(builtinTargets());
  const { config } = await resolveBuildConfig(
    { raw: { ...full, input: file, output_dir: join(dir, "out") } },
    { requireIo: true, targets },
  );
  const result = await runBuild(config, {
    registry: defaultRegistry(),
    targets,
    log: createLogger({ sink: (line) => log.push(line.replace(/^.*? \| \w+ +\| /, "")) }),
    quiet: true,
  });
  const summary = summarizeCompiled(await loadModel(result.compiledModel), result.compiledModel);
  return { result, summary };
}

/** Seeded Conv weights `[outC, inC, k, k]` in [-0.5, 0.5). */
export function convWeights(outC: number, inC: number, k: number, seed: number): Tensor<"f32"> {
  const t = seededFloat32([outC, inC, k, k], seed);
  t.data.set(seededValues(t.size, seed, -0.5, 0.5));
  return t;
}

/**
 * Two inputs of different shapes: `a [1, 3, 8, 8]` → Conv 3×3 → MaxPool 2×2, and
 * `b [1, 3, 4, 4]` → Conv 3×3; their sum is `out [1, 4, 4, 4]`.
 */
export function twoInputModel(): Model {
  const conv = (x: string, w: string, y: string) => ({
    opType: "Conv",
    name: `${y}_conv`,
    inputs: [x, w],
    outputs: [y],
    attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) },
  });
  return buildModel({
    name: "two_inputs",
    opset: 13,
    inputs: [
      { name: "a", dtype: "f32", shape: [1, 3, 8, 8] },
      { name: "b", dtype: "f32", shape: [1, 3, 4, 4] },
    ],
    outputs: [{ name: "out", dtype: "f32", shape: [1, 4, 4, 4] }],
    nodes: [
      conv("a", "wa", "ca"),
      {
        opType: "MaxPool",
        name: "pool",
        inputs: ["ca"],
        outputs: ["pa"],
        attrs: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) },
      },
      conv("b", "wb", "cb"),
      { opType: "Add", name: "sum", inputs: ["pa", "cb"], outputs: ["out"] },
    ],
    initializers: { wa: convWeights(4, 3, 3, 11), wb: convWeights(4, 3, 3, 12) },
  });
}

/** `x [1, 3, 4, 4]` → Conv 1×1 → GlobalAveragePool → Flatten → `y [1, 10]` (10 channels). */
export function vectorOutputModel(): Model {
  return buildModel({
    name: "vector_out",
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 3, 4, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 10] }],
    nodes: [
      {
        opType: "Conv",
        name: "conv",
        inputs: ["x", "w"],
        outputs: ["c"],
        attrs: { kernel_shape: attr.ints([1, 1]) },
      },
      { opType: "GlobalAveragePool", name: "gap", inputs: ["c"], outputs: ["g"] },
      { opType: "Flatten", name: "flatten", inputs: ["g"], outputs: ["y"] },
    ],
    initializers: { w: convWeights(10, 3, 1, 21) },
  });
}

/** `x [1, 3, 8, 8]` → Conv 3×3 (pad 1) → Relu → GlobalAveragePool → Flatten → `y [1, 4]`. */
export function anySizeModel(): Model {
  return buildModel({
    name: "any_size",
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 3, 8, 8] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
    nodes: [
      {
        opType: "Conv",
        name: "conv",
        inputs: ["x", "w"],
        outputs: ["c"],
        attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) },
      },
      { opType: "Relu", name: "relu", inputs: ["c"], outputs: ["r"] },
      { opType: "GlobalAveragePool", name: "gap", inputs: ["r"], outputs: ["g"] },
      { opType: "Flatten", name: "flatten", inputs: ["g"], outputs: ["y"] },
    ],
    initializers: { w: convWeights(4, 3, 3, 31) },
  });
}
