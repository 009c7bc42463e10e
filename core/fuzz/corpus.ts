/**
 * The fuzzer's seeds: the project's own small models and configs, plus a fixed list of ONNX
 * node-test models (subgraphs, recurrent and window operators) from the shared suite.
 *
 * @module
 */
import { join } from "node:path";
import { type ConfigFormat, formatFromName, parseConfigText } from "../config/load.ts";
import { parseHorizonYaml } from "../config/horizon/parse.ts";
import type { ConfigSeed } from "./config_mutants.ts";

/** Node tests whose operators the small models do not have. */
const NODE_TESTS = [
  "test_averagepool_2d_pads",
  "test_batchnorm_example",
  "test_concat_3d_axis_1",
  "test_conv_with_strides_padding",
  "test_convtranspose",
  "test_gather_0",
  "test_gemm_default_matrix_bias",
  "test_gru_defaults",
  "test_if",
  "test_loop11",
  "test_lstm_defaults",
  "test_matmul_2d",
  "test_maxpool_2d_pads",
  "test_constant_pad",
  "test_range_float_type_positive_delta",
  "test_reduce_mean_keepdims_example",
  "test_reshape_reordered_all_dims",
  "test_resize_upsample_scales_linear",
  "test_scan9_sum",
  "test_slice",
  "test_softmax_axis_1",
  "test_split_equal_parts_1d",
  "test_tile",
  "test_top_k",
  "test_transpose_default",
  "test_unsqueeze_axis_0",
];

/** A seed model. */
export interface ModelSeed {
  name: string;
  bytes: Uint8Array;
}

/** All seeds, read once. */
export interface Corpus {
  models: ModelSeed[];
  configs: ConfigSeed[];
}

function readIfPresent(path: string): Uint8Array | undefined {
  try {
    return Deno.readFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/**
 * Read the seeds below the repository root `root` (node tests from `../shared`).
 *
 * @throws when a seed config does not parse (the seeds must be valid)
 */
export function loadCorpus(root: string): Corpus {
  const models: ModelSeed[] = [];
  const modelDir = join(root, "testdata/models");
  for (const name of [...Deno.readDirSync(modelDir)].map((e) => e.name).sort()) {
    if (name.endsWith(".onnx")) {
      models.push({ name, bytes: Deno.readFileSync(join(modelDir, name)) });
    }
  }
  for (const t of NODE_TESTS) {
    const bytes = readIfPresent(join(root, "../shared/onnx-node-tests", t, "model.onnx"));
    if (bytes) models.push({ name: t, bytes });
  }
  const configs: ConfigSeed[] = [];
  const configDir = join(root, "testdata/config");
  for (const name of [...Deno.readDirSync(configDir)].map((e) => e.name).sort()) {
    const format = formatFromName(name);
    if (!format) continue;
    const text = Deno.readTextFileSync(join(configDir, name));
    configs.push({ name, text, format, horizon: false, data: parseConfigText(text, format, name) });
  }
  const horizonDir = join(root, "testdata/horizon");
  for (const name of [...Deno.readDirSync(horizonDir)].map((e) => e.name).sort()) {
    if (!name.endsWith(".yaml")) continue;
    const text = Deno.readTextFileSync(join(horizonDir, name));
    const format: ConfigFormat = "yaml";
    configs.push({ name, text, format, horizon: true, data: parseHorizonYaml(text, name).value });
  }
  return { models, configs };
}
