/**
 * The Horizon YAML dialect of each march (spec `horizon.md` §5), one row per family; the
 * target files (`../bernoulli2.ts`, `../bayes.ts`, `../nash.ts`) attach them. The shape is
 * {@linkcode MarchDialect} in the config layer.
 *
 * Decisions (documented, spec silent):
 * - `bayes` (J5, RDK Ultra) and `bayes-e` (X5) are `hb_mapper` marches and share the
 *   bernoulli2 schema. Where newer public D-Robotics docs [S] describe them differently we
 *   follow those docs: `core_num` only 1 ("do not configure"), `max_time_per_fc` 0 or
 *   1000–4294967295 µs, `calibration_type` also `mix`/`load`/`skip` (default `default`),
 *   `optimization`, `node_info`, `remove_node_*`, `debug_mode`, `jobs` accepted.
 * - bernoulli2 follows seed 003 strictly (`calibration_type` required: default/kl/max;
 *   `optimization` only `set_model_output_int8` [S]); it is the march read when the YAML
 *   names none (seed 003's templates leave `march` optional).
 * - `nash-p`/`nash-h` follow the nash-e/nash-m rules of seed 004.
 * - `remove_node_type` takes the same six node types on bayes marches as on nash (public
 *   RDK X5 configs remove a trailing `Softmax`).
 * - hb_compile (nash) fills `calibration_parameters` and `compiler_parameters` with their
 *   defaults when the YAML omits them, as the vendor's `--fast-perf` recipes do; hb_mapper
 *   needs all four groups (seed 003). See `core/config/horizon/schema.ts`.
 *
 * @module
 */
import type { MarchDialect } from "../../core/config/horizon/march.ts";

const MODEL_COMMON = [
  "prototxt",
  "caffe_model",
  "onnx_model",
  "march",
  "output_model_file_prefix",
  "working_dir",
  "layer_out_dump",
  "output_nodes",
];
const INPUT_COMMON = [
  "input_name",
  "input_type_train",
  "input_layout_train",
  "input_type_rt",
  "input_space_and_range",
  "input_shape",
  "input_batch",
  "norm_type",
  "mean_value",
  "scale_value",
];
const CAL_COMMON = ["cal_data_dir", "calibration_type", "max_percentile", "per_channel"];
/** Node types `remove_node_type` may name (seed 004), on every march that has the key. */
const REMOVABLE_NODE_TYPES = ["Quantize", "Transpose", "Dequantize", "Cast", "Reshape", "Softmax"];
const COMPILER_COMMON = [
  "compile_mode",
  "core_num",
  "optimize_level",
  "input_source",
  "max_time_per_fc",
];

/** bernoulli2 (X3/J3), `hb_mapper`, seed 003. */
export const BERNOULLI2_DIALECT: MarchDialect = {
  tool: "hb_mapper",
  chip: "X3/J3",
  defaultMarch: true,
  marchRequired: false,
  prefixRequired: true,
  normTypeRequired: true,
  layoutTrainRequired: false,
  calibrationTypeRequired: true,
  calibrationTypes: ["default", "kl", "max"],
  percentileRange: [0, 1],
  inputBatchMax: 128,
  compileModes: ["latency", "bandwidth"],
  optimizeLevels: ["O0", "O1", "O2", "O3"],
  optimizeLevelRequired: true,
  maxTimePerFcMin: 1,
  maxTimePerFcUnit: "ms",
  keys: {
    model_parameters: [...MODEL_COMMON, "log_level"],
    input_parameters: [...INPUT_COMMON, "input_layout_rt"],
    calibration_parameters: [
      ...CAL_COMMON,
      "preprocess_on",
      "run_on_cpu",
      "run_on_bpu",
      "cal_data_type",
      "optimization",
    ],
    compiler_parameters: [...COMPILER_COMMON, "debug"],
  },
  customOp: true,
  fullOptimization: false,
  spaceRangeStrict: false,
  removeNodeTypes: [],
};

const BAYES_KEYS = {
  model_parameters: [
    ...MODEL_COMMON,
    "log_level",
    "remove_node_type",
    "remove_node_name",
    "set_node_data_type",
    "debug_mode",
    "node_info",
  ],
  input_parameters: [...INPUT_COMMON, "input_layout_rt"],
  calibration_parameters: [
    ...CAL_COMMON,
    "preprocess_on",
    "run_on_cpu",
    "run_on_bpu",
    "cal_data_type",
    "optimization",
    "node_info",
  ],
  compiler_parameters: [...COMPILER_COMMON, "debug", "jobs"],
};

/** A bayes-family march (`hb_mapper`): bernoulli2's schema with the later docs' changes [S]. */
export function bayesDialect(chip: string): MarchDialect {
  return {
    ...BERNOULLI2_DIALECT,
    chip,
    defaultMarch: false,
    calibrationTypeRequired: false,
    calibrationTypes: ["default", "mix", "kl", "max", "load", "skip"],
    maxTimePerFcMin: 1000,
    maxTimePerFcUnit: "µs",
    keys: BAYES_KEYS,
    fullOptimization: true,
    removeNodeTypes: REMOVABLE_NODE_TYPES,
  };
}

/** A nash-family march (`hb_compile`), seed 004. */
export function nashDialect(chip: string): MarchDialect {
  return {
    tool: "hb_compile",
    chip,
    defaultMarch: false,
    marchRequired: true,
    prefixRequired: false,
    normTypeRequired: false,
    layoutTrainRequired: true,
    calibrationTypeRequired: false,
    calibrationTypes: ["default", "mix", "kl", "max", "skip"],
    percentileRange: [0.5, 1],
    inputBatchMax: 4096,
    compileModes: ["latency", "bandwidth", "balance"],
    optimizeLevels: ["O0", "O1", "O2"],
    optimizeLevelRequired: false,
    maxTimePerFcMin: 1000,
    maxTimePerFcUnit: "µs",
    keys: {
      model_parameters: [
        ...MODEL_COMMON,
        "remove_node_type",
        "remove_node_name",
        "debug_mode",
        "node_info",
      ],
      input_parameters: [...INPUT_COMMON, "separate_batch"],
      calibration_parameters: [
        ...CAL_COMMON,
        "cal_data_type",
        "optimization",
        "quant_config",
        "node_info",
      ],
      // `debug` is not in seed 004 but appears in public J6 configs [S].
      compiler_parameters: [...COMPILER_COMMON, "balance_factor", "jobs", "advice", "debug"],
    },
    customOp: false,
    fullOptimization: true,
    spaceRangeStrict: true,
    removeNodeTypes: REMOVABLE_NODE_TYPES,
    omittableGroups: ["calibration_parameters", "compiler_parameters"],
  };
}
