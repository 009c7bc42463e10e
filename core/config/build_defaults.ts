/**
 * Defaults of the effective `BuildConfig` and of each repeated message's entries, as the
 * proto and the manual state them (spec `pulsar2-build.md` §4). The target and its NPU mode
 * default to the registry's: pulsar2's default target is its first AXera target, a mode's
 * default is the target's first mode.
 *
 * @module
 */
import type { TargetRegistry } from "../../targets/registry.ts";
import type { BuildConfig, OnnxOptConfig } from "./build_config.ts";
import type { InputQuantConfig, LayerConfig, QuantConfig } from "./quant_types.ts";
import type { InputProcessor, OutputProcessor } from "./processor_types.ts";
import type { CompilerOptions } from "./compiler_types.ts";
import { defaultPulsar2Target } from "./targets.ts";

/** Defaults of {@linkcode OnnxOptConfig}. */
export function defaultOnnxOpt(): OnnxOptConfig {
  return {
    disable_onnx_optimization: false,
    enable_onnxsim: false,
    model_check: false,
    disable_transformation_check: false,
    save_tensors_data: false,
  };
}

/** `quant.auto_precision.max_fraction` when the config does not give one. */
export const DEFAULT_AUTO_PRECISION_MAX_FRACTION = 0.25;

/** Defaults of {@linkcode QuantConfig}. */
export function defaultQuant(): QuantConfig {
  return {
    input_configs: [],
    layer_configs: [],
    calibration_method: "MinMax",
    hazards: "warn",
    precision_analysis: false,
    precision_analysis_method: "PerLayer",
    precision_analysis_mode: "Reference",
    highest_mix_precision: false,
    conv_bias_data_type: "S32",
    refine_weight_threshold: 1e-6,
    enable_smooth_quant: false,
    smooth_quant_threshold: 0.2,
    smooth_quant_strength: 0.6,
    transformer_opt_level: 0,
    input_sample_dir: "",
    ln_scale_data_type: "FP32",
    check: 0,
    disable_auto_refine_scale: false,
    enable_easy_quant: false,
    disable_quant_optimization: false,
    enable_brecq: false,
    enable_lsq: false,
    enable_adaround: false,
    finetune_epochs: 500,
    finetune_block_size: 4,
    finetune_batch_size: 1,
    finetune_lr: 1e-3,
    device: "cpu",
  };
}

/** Defaults of {@linkcode CompilerOptions}. */
export function defaultCompilerOptions(): CompilerOptions {
  return {
    static_batch_sizes: [],
    max_dynamic_batch_size: 0,
    ddr_bw_limit: 0,
    disable_ir_fix: false,
    check: 0,
    npu_perf: false,
    check_mode: "CheckOutput",
    check_rtol: 1e-5,
    check_atol: 0,
    check_cosine_simularity: 0.999,
    check_tensor_black_list: [],
    enable_slice_mode: false,
    enable_tile_mode: false,
    enable_data_soft_compression: false,
    input_sample_dir: "",
    compiler_group_patterns: [],
    debug: 0,
  };
}

/** Defaults of one `quant.input_configs[]` entry (name and dataset are required, left ""). */
export function defaultInputQuantConfig(): InputQuantConfig {
  return {
    tensor_name: "",
    calibration_dataset: "",
    calibration_format: "Image",
    calibration_size: 32,
    calibration_mean: [],
    calibration_std: [],
  };
}

/** Defaults of one `quant.layer_configs[]` entry. */
export function defaultLayerConfig(): LayerConfig {
  return {
    layer_name: "",
    op_type: "",
    layer_names: [],
    op_types: [],
    start_tensor_names: [],
    end_tensor_names: [],
    data_type: "U8",
    weight_data_type: "S8",
    output_data_type: "U8",
  };
}

/** Defaults of one `input_processors[]` entry. */
export function defaultInputProcessor(): InputProcessor {
  return {
    tensor_name: "",
    tensor_format: "AutoColorSpace",
    tensor_layout: "NCHW",
    src_format: "AutoColorSpace",
    src_layout: "NCHW",
    src_dtype: "FP32",
    src_extra_shapes: [],
    csc_mode: "NoCSC",
    csc_mat: [],
    mean: [],
    std: [],
    padding: [],
    padding_mode: "constant",
    padding_constant_value: 0,
    slicing: [],
  };
}

/** Defaults of one `output_processors[]` entry. */
export function defaultOutputProcessor(): OutputProcessor {
  return { tensor_name: "", tensor_layout: "DefaultLayout", dst_perm: [], output_dtype: "FP32" };
}

/**
 * The effective config when neither a file nor flags set anything.
 *
 * @param targets where the default target (the first AXera one) and its first mode come from
 * @throws {ConfigError} when the registry holds no AXera-family target
 */
export function defaultBuildConfig(targets: TargetRegistry): BuildConfig {
  const target = defaultPulsar2Target(targets);
  return {
    input: "",
    output_dir: "",
    output_name: "compiled.axmodel",
    work_dir: "",
    model_type: "ONNX",
    target_hardware: target.name,
    npu_mode: target.npuModes[0].name,
    input_shapes: "",
    onnx_opt: defaultOnnxOpt(),
    quant: defaultQuant(),
    input_processors: [],
    output_processors: [],
    const_processors: [],
    op_processors: [],
    quant_op_processors: [],
    compiler: { ...defaultCompilerOptions(), sub_configs: [] },
    debug: { dump_frontend_graph: false },
  };
}
