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
  /** Caffe deploy description (`--model-type caffe`). */
  readonly prototxt?: string;
  /** Caffe weights matching `prototxt`. */
  readonly caffe_model?: string;
  /** ONNX float model (`--model-type onnx`). */
  readonly onnx_model?: string;
  /** BPU micro-architecture the model is converted for. */
  readonly march: HorizonMarch;
  /** Name stem of every artifact (`<prefix>.bin`, `<prefix>_quantized_model.onnx`, …). */
  readonly output_model_file_prefix: string;
  /** Folder the artifacts and the log are written to. */
  readonly working_dir: string;
  /** Keep every layer's output as a model output (debugging). */
  readonly layer_out_dump: boolean;
  /** bernoulli2 only; default `debug`. */
  readonly log_level?: "debug" | "info" | "warn";
  /** Extra tensors to expose as model outputs. */
  readonly output_nodes: readonly string[];
  /** Op types removed at the model's head and tail (hb_compile), repeatedly. */
  readonly remove_node_type: readonly string[];
  /** Nodes removed at the model's head and tail (hb_compile), repeatedly. */
  readonly remove_node_name: readonly string[];
  /** `dump_calibration_data`: write the calibration inputs as the model sees them. */
  readonly debug_mode?: "dump_calibration_data";
}

/** `input_parameters`, normalised; every list has one entry per input (or is empty). */
export interface InputParameters {
  /** Empty when not given (single-input model: the name is read from the model). */
  readonly input_name: readonly string[];
  /** Per input: colour format or `featuremap` the model was trained on. */
  readonly input_type_train: readonly TrainType[];
  /** Per input: layout the model was trained with. */
  readonly input_layout_train: readonly HorizonLayout[];
  /** Per input: format the runtime feeds (e.g. `nv12`), converted on the BPU. */
  readonly input_type_rt: readonly RuntimeType[];
  /** Per input: layout the runtime feeds. */
  readonly input_layout_rt: readonly HorizonLayout[];
  /** Per input: `regular` (0–255) or `bt601_video` YUV range. */
  readonly input_space_and_range: readonly SpaceAndRange[];
  /** Dims per input; empty when not given (read from the model). */
  readonly input_shape: readonly (readonly number[])[];
  /** Batch to compile for (single-input models). */
  readonly input_batch?: number;
  /** Give each batch item its own input. */
  readonly separate_batch: boolean;
  /** Per input: which of mean and scale the model applies on the BPU. */
  readonly norm_type: readonly NormType[];
  /** Per input: channel values, or null for `'None'`. Empty when not given. */
  readonly mean_value: readonly (readonly number[] | null)[];
  /** Per input: channel multipliers, or null for `'None'`. Empty when not given. */
  readonly scale_value: readonly (readonly number[] | null)[];
}

/** `calibration_parameters`, normalised. */
export interface CalibrationParameters {
  /** Per input: folder of calibration files. */
  readonly cal_data_dir: readonly string[];
  /** Storage type of the calibration files (default by input type). */
  readonly cal_data_type?: CalDataType;
  /** Calibration folders hold images to be resized and converted. */
  readonly preprocess_on: boolean;
  /** Range method, or `default`/`mix` search, or `skip` (random data). */
  readonly calibration_type: CalibrationType;
  /** Percentile of `calibration_type: max` (1.0 = plain max). */
  readonly max_percentile: number;
  /** Per-channel scales. */
  readonly per_channel: boolean;
  /** Nodes forced onto the CPU. */
  readonly run_on_cpu: readonly string[];
  /** Nodes forced onto the BPU where legal. */
  readonly run_on_bpu: readonly string[];
  /** Optimisation switches as written (e.g. `set_all_nodes_int16`, `bias_correction`). */
  readonly optimization: readonly string[];
  /** Path as written (when given as a file), resolved against the YAML's folder in `quant_config`. */
  readonly quant_config_path?: string;
}

/** `compiler_parameters`, normalised. */
export interface CompilerParameters {
  /** What the compiler optimises for: `latency`, `bandwidth` or `balance`. */
  readonly compile_mode: CompileMode;
  /** Weight between latency and bandwidth for `compile_mode: balance`. */
  readonly balance_factor?: number;
  /** Keep per-layer details for `hb_perf`. */
  readonly debug: boolean;
  /** BPU cores the model runs on. */
  readonly core_num: number;
  /** Compiler optimisation level. */
  readonly optimize_level: OptimizeLevel;
  /** Effective source per input name (defaults filled when input names are known). */
  readonly input_source: Readonly<Record<string, InputSource>>;
  /** Longest time one function call may hold the BPU (0 = no limit). */
  readonly max_time_per_fc: number;
  /** Compiler threads. */
  readonly jobs?: number;
  /** Report ops slower than this many microseconds (0 = off). */
  readonly advice: number;
}

/** `custom_op` (bernoulli2 family). */
export interface CustomOpParameters {
  /** How custom ops are supplied (only `register`). */
  readonly custom_op_method: "register";
  /** Files registering the custom ops. */
  readonly op_register_files: readonly string[];
  /** Folder holding `op_register_files`. */
  readonly custom_op_dir?: string;
}

/** One node's `node_info` entry, whatever form it was written in. */
export interface NodeInfoEntry {
  /** Node name as in the model. */
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
  /** Whole-model settings: every node's type, the outputs' precision. */
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
  /** `input_type_train`. */
  readonly typeTrain: TrainType;
  /** `input_type_rt`. */
  readonly typeRt: RuntimeType;
  /** `input_layout_train`. */
  readonly layoutTrain?: HorizonLayout;
  /** `input_layout_rt`. */
  readonly layoutRt?: HorizonLayout;
  /** `input_shape` (read from the model when absent). */
  readonly shape?: readonly number[];
  /** `norm_type`. */
  readonly normType: NormType;
  /** `mean_value`. */
  readonly mean?: readonly number[];
  /** `scale_value` (multipliers). */
  readonly scale?: readonly number[];
  /** `input_space_and_range`. */
  readonly spaceAndRange: SpaceAndRange;
  /** `cal_data_dir`. */
  readonly calDataDir?: string;
  /** `input_source`. */
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
