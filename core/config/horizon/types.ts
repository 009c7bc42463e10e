/**
 * Typed, normalised Horizon Robotics configuration (`hb_mapper makertbin` / `hb_compile`
 * YAML, spec `horizon.md` §5). The four parameter groups keep the vendor's names; values
 * are normalised: `';'`-separated strings become arrays, `True`/`'False'` become booleans,
 * numeric strings become numbers, empty strings and `'None'` become `undefined`/`null`,
 * defaults of the march are applied. The per-input lists are also zipped into
 * {@linkcode HorizonInput} records (`inputs`) in `input_name` order.
 *
 * @module
 */

/**
 * A Horizon BPU micro-architecture name as written in `model_parameters.march`: the name of a
 * registered Horizon target that has a YAML dialect (see `march.ts`).
 */
export type HorizonMarch = string;

/** The vendor tools that read a Horizon YAML. */
export const HORIZON_TOOLS = ["hb_mapper", "hb_compile"] as const;
/** Which vendor tool a march belongs to. */
export type HorizonTool = typeof HORIZON_TOOLS[number];

/** `input_type_train` values (nash adds `yuv444_128`). */
export type TrainType = "rgb" | "bgr" | "yuv444" | "yuv444_128" | "gray" | "featuremap";
/** `input_type_rt` values. */
export type RuntimeType = "rgb" | "bgr" | "yuv444" | "nv12" | "gray" | "featuremap";
/** `input_layout_*` values. */
export type HorizonLayout = "NHWC" | "NCHW";
/** `norm_type` values. */
export type NormType = "data_mean_and_scale" | "data_mean" | "data_scale" | "no_preprocess";
/** `input_space_and_range` values. */
export type SpaceAndRange = "regular" | "bt601_video";
/** `calibration_type` values over all marches (`load`: bayes family, QAT-exported scales). */
export const CALIBRATION_TYPES = ["default", "mix", "kl", "max", "skip", "load"] as const;
/** One `calibration_type` value. */
export type CalibrationType = typeof CALIBRATION_TYPES[number];
/** `compiler_parameters.compile_mode` values over all marches. */
export const COMPILE_MODES = ["latency", "bandwidth", "balance"] as const;
/** One `compiler_parameters.compile_mode`. */
export type CompileMode = typeof COMPILE_MODES[number];
/** `compiler_parameters.optimize_level` values over all marches. */
export const OPTIMIZE_LEVELS = ["O0", "O1", "O2", "O3"] as const;
/** One `compiler_parameters.optimize_level`. */
export type OptimizeLevel = typeof OPTIMIZE_LEVELS[number];
/** `compiler_parameters.input_source` values. */
export type InputSource = "ddr" | "pyramid" | "resizer";
/** Precision names of `node_info` and `quant_config`. */
export type HorizonPrecision = "int8" | "int16" | "float16";
/** `cal_data_type` (bayes family, later docs): storage type of the calibration files. */
export type CalDataType = "float32" | "uint8";

/** `model_parameters`, normalised. */
export interface ModelParameters {
  readonly prototxt?: string;
  readonly caffe_model?: string;
  readonly onnx_model?: string;
  readonly march: HorizonMarch;
  readonly output_model_file_prefix: string;
  readonly working_dir: string;
  readonly layer_out_dump: boolean;
  /** bernoulli2 only; default `debug`. */
  readonly log_level?: "debug" | "info" | "warn";
  readonly output_nodes: readonly string[];
  readonly remove_node_type: readonly string[];
  readonly remove_node_name: readonly string[];
  readonly debug_mode?: "dump_calibration_data";
}

/** `input_parameters`, normalised; every list has one entry per input (or is empty). */
export interface InputParameters {
  /** Empty when not given (single-input model: the name is read from the model). */
  readonly input_name: readonly string[];
  readonly input_type_train: readonly TrainType[];
  readonly input_layout_train: readonly HorizonLayout[];
  readonly input_type_rt: readonly RuntimeType[];
  readonly input_layout_rt: readonly HorizonLayout[];
  readonly input_space_and_range: readonly SpaceAndRange[];
  /** Dims per input; empty when not given (read from the model). */
  readonly input_shape: readonly (readonly number[])[];
  readonly input_batch?: number;
  readonly separate_batch: boolean;
  readonly norm_type: readonly NormType[];
  /** Per input: channel values, or null for `'None'`. Empty when not given. */
  readonly mean_value: readonly (readonly number[] | null)[];
  readonly scale_value: readonly (readonly number[] | null)[];
}

/** `calibration_parameters`, normalised. */
export interface CalibrationParameters {
  readonly cal_data_dir: readonly string[];
  readonly cal_data_type?: CalDataType;
  readonly preprocess_on: boolean;
  readonly calibration_type: CalibrationType;
  readonly max_percentile: number;
  readonly per_channel: boolean;
  readonly run_on_cpu: readonly string[];
  readonly run_on_bpu: readonly string[];
  readonly optimization: readonly string[];
  /** Path as written (when given as a file), resolved against the YAML's folder in `quant_config`. */
  readonly quant_config_path?: string;
}

/** `compiler_parameters`, normalised. */
export interface CompilerParameters {
  readonly compile_mode: CompileMode;
  readonly balance_factor?: number;
  readonly debug: boolean;
  readonly core_num: number;
  readonly optimize_level: OptimizeLevel;
  /** Effective source per input name (defaults filled when input names are known). */
  readonly input_source: Readonly<Record<string, InputSource>>;
  readonly max_time_per_fc: number;
  readonly jobs?: number;
  readonly advice: number;
}

/** `custom_op` (bernoulli2 family). */
export interface CustomOpParameters {
  readonly custom_op_method: "register";
  readonly op_register_files: readonly string[];
  readonly custom_op_dir?: string;
}

/** One node's `node_info` entry, whatever form it was written in. */
export interface NodeInfoEntry {
  readonly node: string;
  /** Placement (`ON`). */
  readonly on?: "BPU" | "CPU";
  /** `InputType` (all inputs). */
  readonly inputType?: HorizonPrecision;
  /** `InputTypeN` by input index. */
  readonly inputTypes: Readonly<Record<number, HorizonPrecision>>;
  /** `OutputType` (all outputs). */
  readonly outputType?: HorizonPrecision;
}

/** The `quant_config` JSON (spec §5.8). */
export interface QuantConfigSpec {
  readonly model_config: {
    readonly all_node_type?: "int16" | "float16";
    readonly model_output_type?: "int8" | "int16";
  };
  /** ONNX op type → precision of the node's inputs. */
  readonly op_config: Readonly<Record<string, HorizonPrecision>>;
  /** Node name → precision of the node's inputs. */
  readonly node_config: Readonly<Record<string, HorizonPrecision>>;
}

/** One model input with its per-input parameters zipped together. */
export interface HorizonInput {
  /** "" when the config leaves the name to the model (single input). */
  readonly name: string;
  readonly typeTrain: TrainType;
  readonly typeRt: RuntimeType;
  readonly layoutTrain?: HorizonLayout;
  readonly layoutRt?: HorizonLayout;
  readonly shape?: readonly number[];
  readonly normType: NormType;
  readonly mean?: readonly number[];
  readonly scale?: readonly number[];
  readonly spaceAndRange: SpaceAndRange;
  readonly calDataDir?: string;
  readonly source: InputSource;
}

/** A validated Horizon configuration. */
export interface HorizonConfig {
  /** File the config came from (for messages); undefined for in-memory text. */
  readonly file?: string;
  /** BPU micro-architecture from `model_parameters.march`. */
  readonly march: HorizonMarch;
  /** Vendor tool the march belongs to. */
  readonly tool: HorizonTool;
  /** The `model_parameters` section. */
  readonly model_parameters: ModelParameters;
  /** The `input_parameters` section. */
  readonly input_parameters: InputParameters;
  /** The `calibration_parameters` section. */
  readonly calibration_parameters: CalibrationParameters;
  /** The `compiler_parameters` section. */
  readonly compiler_parameters: CompilerParameters;
  /** The `custom_op` section, when present. */
  readonly custom_op?: CustomOpParameters;
  /** Merged `node_info` (wherever it was written) plus deprecated `set_node_data_type`. */
  readonly node_info: readonly NodeInfoEntry[];
  /** Loaded and validated `quant_config`. */
  readonly quant_config?: QuantConfigSpec;
  /** Per-input view in `input_name` order. */
  readonly inputs: readonly HorizonInput[];
  /** Non-fatal findings (unknown keys, ignored parameters), in file order. */
  readonly warnings: readonly string[];
}
