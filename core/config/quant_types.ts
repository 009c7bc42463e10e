/**
 * The `quant` message of the effective `BuildConfig` (spec `pulsar2-build.md` §4.3–§4.5):
 * calibration inputs, per-layer precision overrides and the quantizer switches.
 *
 * @module
 */
import type {
  DataFormat,
  DataType,
  PrecisionAnalysisMethod,
  PrecisionAnalysisMode,
  QuantMethod,
} from "./enums.ts";

/** Values of `quant.hazards` (axb's own field): what the build does with range hazards. */
export const HAZARD_MODES = ["warn", "fix", "off"] as const;
/**
 * `warn` prints each hazard with the `layer_configs` entry that fixes it; `fix` also
 * applies those entries (user entries win); `off` skips the lint.
 */
export type HazardMode = typeof HAZARD_MODES[number];

/** `InputQuantConfig` (§4.4). */
export interface InputQuantConfig {
  /** Model input name or `DEFAULT`. */
  tensor_name: string;
  /** Archive path (tar, tar.gz, zip). */
  calibration_dataset: string;
  /** File kind of the dataset: `Image`, `Numpy`, `Binary` or `NumpyObject`. */
  calibration_format: DataFormat;
  /** -1 = all files. */
  calibration_size: number;
  /** Per-channel mean for `Image` normalisation, in `tensor_format` channel order. */
  calibration_mean: number[];
  /** Per-channel std for `Image` normalisation. */
  calibration_std: number[];
}

/** `LayerConfig` (§4.5). Exactly one selector kind is non-empty. */
export interface LayerConfig {
  /** Selector: one operator by name. */
  layer_name: string;
  /** Selector: all operators of one type. */
  op_type: string;
  /** Selector: several operators by name. */
  layer_names: string[];
  /** Selector: several operator types. */
  op_types: string[];
  /** Selector: subgraph start tensor names (`["DEFAULT"]` = whole model). */
  start_tensor_names: string[];
  /** Selector: subgraph end tensor names (`["DEFAULT"]` = whole model). */
  end_tensor_names: string[];
  /** Activation precision of the selected operators (default `U8`). */
  data_type: DataType;
  /**
   * Weight precision of the selected operators (default `S8`): `S8`, `FP32`, or the wider
   * integers `S16`/`U16`/`S32`, which axb stores as FP32.
   */
  weight_data_type: DataType;
  /** Effective default: equal to `data_type` (the spec's `U8` when that is unset too). */
  output_data_type: DataType;
}

/**
 * axb's `quant.auto_precision`: search which layers to promote to U16 until the quantized
 * model reaches `target_cosine` on held-back calibration samples (`core/quant/auto_precision.ts`).
 */
export interface AutoPrecisionConfig {
  /** End-to-end cosine to reach (required). */
  target_cosine: number;
  /** Largest cost-model latency the promotions may reach, ms (absent: no limit). */
  max_latency_ms?: number;
  /** Largest fraction of the layers to promote (default 0.25). */
  max_fraction: number;
}

/** `QuantConfig` (§4.3). */
export interface QuantConfig {
  /** Calibration data per model input (§4.4). */
  input_configs: InputQuantConfig[];
  /** Precision overrides per operator or subgraph (§4.5). */
  layer_configs: LayerConfig[];
  /** How activation ranges are derived: `MinMax`, `Percentile`, `MSE` or `KL`. */
  calibration_method: QuantMethod;
  /** Range-hazard lint after calibration (axb's own; default `warn`). */
  hazards: HazardMode;
  /** Run the quantisation precision analysis and print its table. */
  precision_analysis: boolean;
  /** `PerLayer` (each layer fed float inputs) or `EndToEnd` (quantized run throughout). */
  precision_analysis_method: PrecisionAnalysisMethod;
  /** `Reference` or `NPUBackend`. */
  precision_analysis_mode: PrecisionAnalysisMode;
  /**
   * axb's own: how many of the calibration samples the analysis runs on, evenly spread
   * (-1: all); absent unless written, the default is 8 (`core/quant/analysis_samples.ts`).
   * Samples from `input_sample_dir` are all analysed.
   */
  precision_analysis_samples?: number;
  /**
   * pulsar2's highest-precision mixed mode; in axb, `auto_precision` with `target_cosine`
   * 0.99 when `auto_precision` is not given.
   */
  highest_mix_precision: boolean;
  /**
   * axb's automatic mixed precision; absent unless written (so configs without it keep
   * their effective form).
   */
  auto_precision?: AutoPrecisionConfig;
  /** Storage type of Conv bias: `S32` or `FP32`. */
  conv_bias_data_type: DataType;
  /** Lower clamp of weight quantisation thresholds (default 1e-6; -1 disables). */
  refine_weight_threshold: number;
  /** SmoothQuant for activation outliers (not implemented in axb; warns). */
  enable_smooth_quant: boolean;
  /** Default 0.2 (the manual's sample value; the default is not stated). */
  smooth_quant_threshold: number;
  /** Default 0.6 (the manual's sample value; the default is not stated). */
  smooth_quant_strength: number;
  /** Transformer optimisation level 0–2 (levels above 0 not implemented in axb; warns). */
  transformer_opt_level: number;
  /** Input data for precision analysis; "" uses the calibration data. */
  input_sample_dir: string;
  /** LayerNormalization scale type: `FP32`, `S32` or `U32`. */
  ln_scale_data_type: DataType;
  /** Quantisation check level: 0 none, 1 check node dtypes. */
  check: number;
  /** Do not refine weight and input scales automatically. */
  disable_auto_refine_scale: boolean;
  /** EasyQuant scale search (not implemented in axb; warns). */
  enable_easy_quant: boolean;
  /** Disable graph rewrites done during quantisation. */
  disable_quant_optimization: boolean;
  /** BRECQ fine-tuning (not implemented in axb; warns). */
  enable_brecq: boolean;
  /** LSQ fine-tuning (not implemented in axb; warns). */
  enable_lsq: boolean;
  /** AdaRound fine-tuning (not implemented in axb; warns). */
  enable_adaround: boolean;
  /** Epochs for BRECQ/LSQ/AdaRound fine-tuning (default 500). */
  finetune_epochs: number;
  /** Block size for fine-tuning (default 4). */
  finetune_block_size: number;
  /** Default 1 (proto/help; the prose says 4). */
  finetune_batch_size: number;
  /** Fine-tuning learning rate (default 1e-3). */
  finetune_lr: number;
  /** Device for quantisation: `cpu` or `cuda:0` … `cuda:7`. */
  device: string;
}
