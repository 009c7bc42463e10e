/**
 * Valibot schema of a pulsar2 `BuildConfig` **as written** (a file or the command line):
 * every field optional, so the parsed value keeps proto3 presence (unset = `undefined`).
 * Per-field types, enums (names and proto numbers), allowed subsets and numeric limits are
 * checked here; rules spanning several fields live in `rules.ts` and run on the effective
 * config. Unknown keys are dropped by the schema after `fields.ts` has reported them.
 * `target_hardware` and `npu_mode` take their leaves from the caller, which builds them from
 * the target registry (`targets.ts`).
 *
 * @module
 */
import * as v from "valibot";
import {
  CHECK_MODE,
  COLOR_SPACE,
  CSC_MODE,
  DATA_FORMAT,
  DATA_TYPE,
  LAYOUT,
  MATCH_MODE,
  MODEL_TYPE,
  PRECISION_ANALYSIS_METHOD,
  PRECISION_ANALYSIS_MODE,
  QUANT_METHOD,
  SCHEDULE_STRATEGY,
} from "./build_config.ts";
import {
  bool,
  choiceOf,
  enumOf,
  float,
  int,
  type Leaf,
  leaf,
  list,
  namesOf,
  str,
  struct,
} from "./leaf.ts";
import { HAZARD_MODES } from "./quant_types.ts";
import { checkInputShapes } from "./input_shapes.ts";

const MSG = "expected an object (a message with named fields)";
const LIST = "expected a list";
const o = v.optional;

/** Activation precisions allowed in `layer_configs[].data_type`/`output_data_type`. */
export const LAYER_DATA_TYPES = ["U8", "S8", "U16", "S16", "FP32"] as const;
/**
 * Weight precisions allowed in `layer_configs[].weight_data_type`. The manual lists S8 and
 * FP32; the vendor's own public configs also write S16, U16 and S32, which pulsar2 accepts
 * (wider integer weights). axb stores weights as S8 or FP32: the wider integer types keep
 * FP32 weights, with a warning (`weightStorage` in `core/quant/precision.ts`).
 */
export const WEIGHT_DATA_TYPES = ["S8", "S16", "U16", "S32", "FP32"] as const;
/** Runtime input dtypes allowed in `input_processors[].src_dtype`. */
export const SRC_DTYPES = ["U8", "S8", "U16", "S16", "U32", "S32", "FP16", "FP32"] as const;
/** `tensor_format` values the manual allows. */
export const TENSOR_FORMATS = ["AutoColorSpace", "BGR", "RGB", "GRAY"] as const;
/** `src_format` values the manual allows. */
export const SRC_FORMATS = [
  "AutoColorSpace",
  "GRAY",
  "BGR",
  "RGB",
  "YUYV422",
  "UYVY422",
  "YUV420SP",
  "YVU420SP",
  "RAW",
] as const;

const nonNeg = (n: number) => n >= 0;
/**
 * The manual's limit "0 or less than 0.0001" as pulsar2 applies it: to the proto `float`
 * (32-bit), in which 0.0001 is 9.99999975e-5, so the vendor's own `0.0001` passes.
 */
const refineThresholdOk = (n: number) => n === -1 || (n >= 0 && Math.fround(n) < 1e-4);
const positive = (n: number) => n > 0;
const unit = (n: number) => n >= 0 && n <= 1;

const dataTypeLeaf = <K extends keyof typeof DATA_TYPE>(allowed: readonly K[]) =>
  enumOf(DATA_TYPE, allowed);
/** `DefaultLayout` (0) is accepted and means "the default" for the field. */
const layoutLeaf = enumOf(LAYOUT, namesOf(LAYOUT));

const OnnxOptSchema = v.object({
  disable_onnx_optimization: o(bool),
  enable_onnxsim: o(bool),
  model_check: o(bool),
  disable_transformation_check: o(bool),
  save_tensors_data: o(bool),
}, MSG);

const InputQuantConfigSchema = v.object({
  tensor_name: o(str()),
  calibration_dataset: o(str()),
  calibration_format: o(enumOf(DATA_FORMAT, namesOf(DATA_FORMAT))),
  calibration_size: o(int((n) => n === -1 || n >= 1, "-1 (all files) or an integer >= 1")),
  calibration_mean: o(list(float())),
  calibration_std: o(list(float((n) => n !== 0, "a non-zero number"))),
}, MSG);

const LayerConfigSchema = v.object({
  layer_name: o(str()),
  op_type: o(str()),
  layer_names: o(list(str())),
  op_types: o(list(str())),
  start_tensor_names: o(list(str())),
  end_tensor_names: o(list(str())),
  data_type: o(dataTypeLeaf(LAYER_DATA_TYPES)),
  weight_data_type: o(dataTypeLeaf(WEIGHT_DATA_TYPES)),
  output_data_type: o(dataTypeLeaf(LAYER_DATA_TYPES)),
}, MSG);

const AutoPrecisionSchema = v.object({
  target_cosine: o(float((n) => n > 0 && n <= 1, "a number in (0, 1]")),
  max_latency_ms: o(float(positive, "a number > 0")),
  max_fraction: o(float((n) => n > 0 && n <= 1, "a number in (0, 1]")),
}, MSG);

const QuantSchema = v.object({
  input_configs: o(v.array(InputQuantConfigSchema, LIST)),
  layer_configs: o(v.array(LayerConfigSchema, LIST)),
  calibration_method: o(enumOf(QUANT_METHOD, namesOf(QUANT_METHOD))),
  hazards: o(choiceOf(HAZARD_MODES, () => undefined)),
  precision_analysis: o(bool),
  precision_analysis_method: o(
    enumOf(PRECISION_ANALYSIS_METHOD, namesOf(PRECISION_ANALYSIS_METHOD)),
  ),
  precision_analysis_mode: o(enumOf(PRECISION_ANALYSIS_MODE, namesOf(PRECISION_ANALYSIS_MODE))),
  precision_analysis_samples: o(
    int((n) => n === -1 || n >= 1, "-1 (every sample) or an integer >= 1"),
  ),
  highest_mix_precision: o(bool),
  auto_precision: o(AutoPrecisionSchema),
  conv_bias_data_type: o(dataTypeLeaf(["S32", "FP32"])),
  refine_weight_threshold: o(
    float(refineThresholdOk, "-1 (disabled) or a number from 0 to 0.0001"),
  ),
  enable_smooth_quant: o(bool),
  smooth_quant_threshold: o(float(unit, "a number in [0, 1]")),
  smooth_quant_strength: o(float(unit, "a number in [0, 1]")),
  transformer_opt_level: o(int((n) => n >= 0 && n <= 2, "0, 1 or 2")),
  input_sample_dir: o(str()),
  ln_scale_data_type: o(dataTypeLeaf(["FP32", "S32", "U32"])),
  check: o(int((n) => n === 0 || n === 1, "0 (none) or 1 (check node dtypes)")),
  disable_auto_refine_scale: o(bool),
  enable_easy_quant: o(bool),
  disable_quant_optimization: o(bool),
  enable_brecq: o(bool),
  enable_lsq: o(bool),
  enable_adaround: o(bool),
  finetune_epochs: o(int(nonNeg, "an integer >= 0")),
  finetune_block_size: o(int(positive, "an integer >= 1")),
  finetune_batch_size: o(int(positive, "an integer >= 1")),
  finetune_lr: o(float(positive, "a number > 0")),
  device: o(str((s) => /^(cpu|cuda(:\d+)?)$/.test(s), `"cpu" or "cuda:N"`)),
}, MSG);

const ShapeSchema = v.object({
  shape: o(list(int((n) => n >= 1, "a positive integer dimension"))),
}, MSG);

const InputProcessorSchema = v.object({
  tensor_name: o(str()),
  tensor_format: o(enumOf(COLOR_SPACE, TENSOR_FORMATS)),
  tensor_layout: o(layoutLeaf),
  src_format: o(enumOf(COLOR_SPACE, SRC_FORMATS)),
  src_layout: o(layoutLeaf),
  src_dtype: o(dataTypeLeaf(SRC_DTYPES)),
  src_extra_shapes: o(v.array(ShapeSchema, LIST)),
  csc_mode: o(enumOf(CSC_MODE, namesOf(CSC_MODE))),
  csc_mat: o(list(float())),
  mean: o(list(float())),
  std: o(list(float((n) => n !== 0, "a non-zero number"))),
  padding: o(list(int(nonNeg, "an integer >= 0"))),
  padding_mode: o(str((s) => s === "constant", `"constant" (the only supported mode)`)),
  padding_constant_value: o(int()),
  slicing: o(list(int(nonNeg, "an integer >= 0"))),
}, MSG);

const OutputProcessorSchema = v.object({
  tensor_name: o(str()),
  tensor_layout: o(layoutLeaf),
  dst_perm: o(list(int(nonNeg, "an axis index >= 0"))),
  output_dtype: o(dataTypeLeaf(["FP32", "U8"])),
}, MSG);

const ConstProcessorSchema = v.object({
  name: o(str()),
  data: o(list(float())),
  data_path: o(str()),
}, MSG);

const OpProcessorSchema = v.object({ op_name: o(str()), attrs: o(struct) }, MSG);

const GroupPatternSchema = v.object({
  nodes: o(v.array(
    v.object({
      types: o(list(str())),
      inputs: o(list(str())),
      outputs: o(list(str())),
      properties: o(struct),
    }, MSG),
    LIST,
  )),
  type: o(enumOf(SCHEDULE_STRATEGY, namesOf(SCHEDULE_STRATEGY))),
  match_mode: o(enumOf(MATCH_MODE, namesOf(MATCH_MODE))),
}, MSG);

const compilerEntries = {
  static_batch_sizes: o(list(int((n) => n >= 1, "a batch size >= 1"))),
  max_dynamic_batch_size: o(int(nonNeg, "an integer >= 0 (0 = off)")),
  ddr_bw_limit: o(float(nonNeg, "a number >= 0 (GB, 0 = no limit)")),
  disable_ir_fix: o(bool),
  check: o(int((n) => n >= 0 && n <= 3, "0 (none), 1 (all-close), 2 (all-equal) or 3 (cosine)")),
  npu_perf: o(bool),
  check_mode: o(enumOf(CHECK_MODE, namesOf(CHECK_MODE))),
  check_rtol: o(float(nonNeg, "a number >= 0")),
  check_atol: o(float(nonNeg, "a number >= 0")),
  check_cosine_simularity: o(float(unit, "a number in [0, 1]")),
  check_tensor_black_list: o(list(str())),
  enable_slice_mode: o(bool),
  enable_tile_mode: o(bool),
  enable_data_soft_compression: o(bool),
  input_sample_dir: o(str()),
  compiler_group_patterns: o(v.array(GroupPatternSchema, LIST)),
  debug: o(int(nonNeg, "an integer >= 0")),
  start_tensor_names: o(list(str())),
  end_tensor_names: o(list(str())),
};

/** A nested `sub_configs` value inside a sub-config: kept only so `rules.ts` can refuse it. */
const nestedSubConfigs = leaf((x) =>
  Array.isArray(x) ? { ok: true, value: x.length } : { ok: false, expected: LIST }
);

/** Option names a sub-config may list in `explicit_fields` (axb's own presence record). */
const optionNames = Object.keys(compilerEntries).filter((k) => !k.endsWith("_tensor_names"));

const SubConfigSchema = v.object({
  ...compilerEntries,
  sub_configs: o(nestedSubConfigs),
  /** Written by axb (`build_context.json`): which options the entry set itself. */
  explicit_fields: o(list(str((s) => optionNames.includes(s), `a compiler option name`))),
}, MSG);

const CompilerSchema = v.object({
  ...compilerEntries,
  sub_configs: o(v.array(SubConfigSchema, LIST)),
}, MSG);

/** Leaves of the fields whose allowed values are the registered targets' names and modes. */
export interface TargetFieldLeaves {
  readonly target_hardware: Leaf<string>;
  readonly npu_mode: Leaf<string>;
}

/**
 * Schema of a whole `BuildConfig` as written, every field optional (aliases of
 * `target_hardware` are mapped to names by the resolver before parsing).
 */
export function buildConfigInputSchema(targets: TargetFieldLeaves) {
  return v.object({
    input: o(str()),
    weights: o(str()),
    output_dir: o(str()),
    output_name: o(str((s) => s !== "" && !/[\\/]/.test(s), "a non-empty file name without '/'")),
    work_dir: o(str()),
    model_type: o(enumOf(MODEL_TYPE, namesOf(MODEL_TYPE))),
    target_hardware: o(targets.target_hardware),
    npu_mode: o(targets.npu_mode),
    input_shapes: o(leaf(checkInputShapes)),
    onnx_opt: o(OnnxOptSchema),
    quant: o(QuantSchema),
    input_processors: o(v.array(InputProcessorSchema, LIST)),
    output_processors: o(v.array(OutputProcessorSchema, LIST)),
    const_processors: o(v.array(ConstProcessorSchema, LIST)),
    op_processors: o(v.array(OpProcessorSchema, LIST)),
    quant_op_processors: o(v.array(OpProcessorSchema, LIST)),
    compiler: o(CompilerSchema),
    debug: o(v.object({ dump_frontend_graph: o(bool) }, MSG)),
  }, MSG);
}

/** A `BuildConfig` as written: parsed, typed, unset fields `undefined`. */
export type BuildConfigInput = v.InferOutput<ReturnType<typeof buildConfigInputSchema>>;
/** `compiler` as written. */
export type CompilerInput = v.InferOutput<typeof CompilerSchema>;
/** One `compiler.sub_configs[]` entry as written. */
export type SubConfigInput = v.InferOutput<typeof SubConfigSchema>;
/** One `input_processors[]` entry as written. */
export type InputProcessorInput = v.InferOutput<typeof InputProcessorSchema>;
/** One `quant.layer_configs[]` entry as written. */
export type LayerConfigInput = v.InferOutput<typeof LayerConfigSchema>;
