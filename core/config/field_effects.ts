/**
 * What every field of the `BuildConfig` schema does in axb, one row per schema leaf (a row
 * may cover a whole subtree), so that no option is accepted without an effect and without
 * a word:
 *
 * - `read`: a build stage reads it; `by` names the modules that do (repo-relative paths).
 *   `field_effects_test.ts` checks the rows against the schema's leaves and each named
 *   module's source for the field.
 * - `none`: axb has no such behaviour. A value other than the default (for a
 *   `compiler.sub_configs[]` entry: a value the entry sets itself) gives one warning per
 *   build naming the field and saying why ({@linkcode noEffectWarnings}); the flag help
 *   says "no effect in axb".
 * - `refused`: `rules.ts` refuses any value (a field that is valid only elsewhere).
 *
 * @module
 */
import type { BuildConfig, CompilerOptionName } from "./build_config.ts";
import { defaultCompilerOptions, defaultOnnxOpt, defaultQuant } from "./build_defaults.ts";
import { type ConfigWarning, showValue } from "./diagnostics.ts";

/** What one field does in axb. */
export type FieldEffect =
  | { readonly kind: "read"; readonly by: readonly string[] }
  | { readonly kind: "none"; readonly why: string }
  | { readonly kind: "refused"; readonly by: string };

const read = (...by: string[]): FieldEffect => ({ kind: "read", by });
const none = (why: string): FieldEffect => ({ kind: "none", why });
const refused: FieldEffect = { kind: "refused", by: "core/config/rules.ts" };

const BUILD = "core/build/build.ts";
const FRONTEND = "core/build/frontend_stage.ts";
const QUANT = "core/build/quant_stage.ts";
const QUANT_DEBUG = "core/build/quant_debug.ts";
const AUTO_PRECISION = "core/build/auto_precision_stage.ts";
const CHECK = "core/build/compile_check.ts";
const BATCHES = "core/compile/npu_batches.ts";
const CALIB = "core/dataset/load_calibration.ts";
const PRECISION = "core/quant/precision.ts";
const INPUT_PLAN = "core/preprocess/_input_plan.ts";
const FINETUNE = "BRECQ/LSQ fine-tuning is not implemented in axb";
const SMOOTH = "core/quant/ptq/smooth_quant.ts";

/** The options shared by `compiler` and `compiler.sub_configs[]`. */
const COMPILER_OPTIONS: Record<CompilerOptionName, FieldEffect> = {
  static_batch_sizes: read(BATCHES),
  max_dynamic_batch_size: read(BATCHES),
  ddr_bw_limit: read(BATCHES),
  disable_ir_fix: read("core/compile/npu_subgraph.ts"),
  check: read(BUILD, CHECK),
  npu_perf: read("core/compile/npu_subgraph.ts"),
  check_mode: read(CHECK),
  check_rtol: read(CHECK),
  check_atol: read(CHECK),
  check_cosine_simularity: read(CHECK),
  check_tensor_black_list: read(CHECK),
  enable_slice_mode: read(BATCHES),
  enable_tile_mode: read(BATCHES),
  enable_data_soft_compression: none(
    "compiled.axmodel keeps its NPU programs as plain ONNX initializers that Netron and onnxruntime can read",
  ),
  input_sample_dir: read(CHECK),
  compiler_group_patterns: none(
    "the vendor does not document group patterns and axb's scheduler does not read them",
  ),
  debug: none(
    "it is a Pulsar2 3.0 compiler debug level; axb's compiler has none (--debug prints debug logs)",
  ),
};

function prefixed(prefix: string, rows: Record<string, FieldEffect>): [string, FieldEffect][] {
  return Object.entries(rows).map(([k, e]) => [`${prefix}${k}`, e]);
}

/** Every schema field (dotted path, `[]` for list entries) and what it does in axb. */
export const FIELD_EFFECTS: ReadonlyMap<string, FieldEffect> = new Map<string, FieldEffect>([
  ["input", read(BUILD, FRONTEND)],
  ["weights", read(FRONTEND, "core/build/validate_build.ts")],
  ["output_dir", read(BUILD)],
  ["output_name", read("core/compile/compile_stage.ts")],
  ["work_dir", read("core/build/output_staging.ts")],
  ["model_type", read(BUILD)],
  ["target_hardware", read(BUILD)],
  ["npu_mode", read("core/compile/compile_stage.ts")],
  ["input_shapes", read(BUILD)],
  ["onnx_opt.disable_onnx_optimization", read(FRONTEND)],
  ["onnx_opt.enable_onnxsim", read(FRONTEND)],
  ["onnx_opt.model_check", read(BUILD)],
  ["onnx_opt.disable_transformation_check", read(FRONTEND)],
  [
    "onnx_opt.save_tensors_data",
    none("axb keeps tensors in memory; frontend/optimized.onnx holds its weights inline"),
  ],
  ...prefixed("quant.input_configs[].", {
    tensor_name: read("core/dataset/resolve_inputs.ts"),
    calibration_dataset: read(CALIB),
    calibration_format: read(CALIB),
    calibration_size: read(CALIB),
    calibration_mean: read(CALIB),
    calibration_std: read(CALIB),
  }),
  ...prefixed("quant.layer_configs[].", {
    layer_name: read(PRECISION),
    op_type: read(PRECISION),
    layer_names: read(PRECISION),
    op_types: read(PRECISION),
    start_tensor_names: read(PRECISION),
    end_tensor_names: read(PRECISION),
    data_type: read(PRECISION),
    weight_data_type: read(PRECISION, QUANT),
    output_data_type: read(PRECISION),
  }),
  ...prefixed("quant.", {
    calibration_method: read(QUANT),
    hazards: read(QUANT),
    precision_analysis: read(QUANT),
    precision_analysis_method: read(QUANT_DEBUG),
    precision_analysis_mode: read(QUANT_DEBUG),
    precision_analysis_samples: read(QUANT_DEBUG),
    highest_mix_precision: read(AUTO_PRECISION),
    "auto_precision.target_cosine": read(AUTO_PRECISION),
    "auto_precision.max_latency_ms": read(AUTO_PRECISION),
    "auto_precision.max_fraction": read(AUTO_PRECISION),
    conv_bias_data_type: read(QUANT),
    refine_weight_threshold: read(QUANT),
    enable_smooth_quant: read(QUANT),
    smooth_quant_threshold: read(QUANT, SMOOTH),
    smooth_quant_strength: read(QUANT, SMOOTH),
    transformer_opt_level: none("transformer optimisation levels above 0 are not implemented"),
    input_sample_dir: read(QUANT_DEBUG),
    ln_scale_data_type: none("LayerNormalization scales stay FP32"),
    check: none("the quantizer has no separate dtype check; compiler.check verifies the result"),
    disable_auto_refine_scale: none(
      "axb never refines weight or input scales after calibration, so there is nothing to disable",
    ),
    enable_easy_quant: read(QUANT),
    disable_quant_optimization: none(
      "the quantizer always fuses Relu/Clip into their producer, as its integer kernels require",
    ),
    enable_brecq: none(FINETUNE),
    enable_lsq: none(FINETUNE),
    enable_adaround: read(QUANT),
    finetune_epochs: read(QUANT),
    finetune_block_size: none(
      "axb's AdaRound reconstructs one layer at a time, and BRECQ is not implemented",
    ),
    finetune_batch_size: none(
      "axb's AdaRound solves each layer on all its calibration samples at once, and LSQ/BRECQ are not implemented",
    ),
    finetune_lr: none(
      "axb's AdaRound is an exact coordinate search without a learning rate, and LSQ/BRECQ are not implemented",
    ),
    device: none("calibration runs on the CPU (worker threads)"),
  }),
  ...prefixed("input_processors[].", {
    tensor_name: read("core/preprocess/_by_tensor_name.ts"),
    tensor_format: read(INPUT_PLAN, CALIB),
    tensor_layout: read(INPUT_PLAN),
    src_format: read(INPUT_PLAN),
    src_layout: read(INPUT_PLAN),
    src_dtype: read(INPUT_PLAN),
    "src_extra_shapes[].shape": read("core/compile/shape_groups.ts"),
    csc_mode: read(INPUT_PLAN),
    csc_mat: read(INPUT_PLAN),
    mean: read(INPUT_PLAN),
    std: read(INPUT_PLAN),
    padding: read(INPUT_PLAN),
    padding_mode: read(INPUT_PLAN),
    padding_constant_value: read(INPUT_PLAN),
    slicing: read(INPUT_PLAN),
  }),
  ...prefixed("output_processors[].", {
    tensor_name: read("core/preprocess/_by_tensor_name.ts"),
    tensor_layout: read("core/preprocess/output_processors.ts"),
    dst_perm: read("core/preprocess/output_processors.ts"),
    output_dtype: read("core/preprocess/output_processors.ts"),
  }),
  ...prefixed("const_processors[].", {
    name: read("core/preprocess/patch.ts"),
    data: read("core/preprocess/_const_data.ts"),
    data_path: read("core/preprocess/_const_data.ts"),
  }),
  ["op_processors[].op_name", read("core/preprocess/patch.ts")],
  ["op_processors[].attrs", read("core/preprocess/patch.ts")],
  ["quant_op_processors[].op_name", read("core/preprocess/patch.ts")],
  ["quant_op_processors[].attrs", read("core/preprocess/patch.ts")],
  ...prefixed("compiler.", COMPILER_OPTIONS),
  ["compiler.start_tensor_names", refused],
  ["compiler.end_tensor_names", refused],
  ...prefixed("compiler.sub_configs[].", {
    ...COMPILER_OPTIONS,
    input_sample_dir: none(
      "the check reads the whole model's inputs from compiler.input_sample_dir",
    ),
    start_tensor_names: read("core/compile/partition_parts.ts"),
    end_tensor_names: read("core/compile/partition_parts.ts"),
    sub_configs: refused,
    explicit_fields: read("core/config/merge.ts"),
  }),
  ["debug.dump_frontend_graph", read(QUANT)],
]);

/**
 * The row of `path` or of the subtree holding it; list indices may be given
 * (`compiler.sub_configs[0].debug`, `compiler.compiler_group_patterns[].type`).
 */
export function fieldEffect(path: string): FieldEffect | undefined {
  let p = path.replace(/\[\d+\]/g, "[]");
  while (p !== "") {
    const e = FIELD_EFFECTS.get(p);
    if (e) return e;
    const parent = p.replace(/(\[\])?\.?[^.[\]]*$/, "");
    if (parent === p) return undefined;
    p = parent;
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `[concrete path, value, is set]` of every value at a `none` row's path. */
function valuesAt(
  cfg: BuildConfig,
  path: string,
): { at: string; value: unknown; set: boolean }[] {
  const sub = /^compiler\.sub_configs\[\]\.(\w+)$/.exec(path);
  if (sub) {
    const name = sub[1];
    return cfg.compiler.sub_configs.map((s, i) => {
      const entry: Record<string, unknown> = { ...s };
      const own: readonly string[] = s.explicit_fields;
      return {
        at: `compiler.sub_configs[${i}].${name}`,
        value: entry[name],
        set: own.includes(name),
      };
    });
  }
  const groups: Record<string, [Record<string, unknown>, Record<string, unknown>]> = {
    onnx_opt: [{ ...cfg.onnx_opt }, { ...defaultOnnxOpt() }],
    quant: [{ ...cfg.quant }, { ...defaultQuant() }],
    compiler: [{ ...cfg.compiler }, { ...defaultCompilerOptions() }],
  };
  const [group, name] = path.split(".");
  const pair = groups[group];
  if (pair === undefined || name === undefined) return [];
  const value = pair[0][name];
  return [{ at: path, value, set: !sameValue(value, pair[1][name]) }];
}

/**
 * One warning for every `none` field the config sets: the field, its value, and why it
 * has no effect in axb.
 */
export function noEffectWarnings(cfg: BuildConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  for (const [path, effect] of FIELD_EFFECTS) {
    if (effect.kind !== "none") continue;
    for (const { at, value, set } of valuesAt(cfg, path)) {
      if (!set) continue;
      out.push({
        severity: "warning",
        field: at,
        message: `${at} ${showValue(value)} has no effect in axb: ${effect.why}`,
      });
    }
  }
  return out;
}
