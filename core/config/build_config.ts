/**
 * The **effective** `pulsar2 build` configuration (`pulsar2.build.BuildConfig`,
 * spec `pulsar2-build.md` §4): every field present, defaults applied. Field names are the
 * proto field names (snake_case) so that the object serialises to the same JSON a pulsar2
 * config file uses. Front-ends (pulsar2 json/yaml/toml/prototxt, Horizon YAML) all produce
 * this type; the build pipeline consumes only this type.
 *
 * The nested messages live in `quant_types.ts`, `processor_types.ts` and `compiler_types.ts`,
 * their defaults in `build_defaults.ts`, the enum tables in `enums.ts`; this module
 * re-exports them all. `target_hardware` and `npu_mode` name a target of the
 * `TargetRegistry` and one of its NPU modes (see `targets.ts`).
 *
 * @module
 */

export * from "./enums.ts";
export type * from "./json_value.ts";
export type * from "./quant_types.ts";
export type * from "./processor_types.ts";
export type * from "./compiler_types.ts";
export * from "./build_defaults.ts";
import type { ModelType } from "./enums.ts";
import type { QuantConfig } from "./quant_types.ts";
import type {
  ConstProcessor,
  InputProcessor,
  OpProcessor,
  OutputProcessor,
} from "./processor_types.ts";
import type { CompilerConfig } from "./compiler_types.ts";

/** `OnnxOptimizeOption` (§2.4). */
export interface OnnxOptConfig {
  /** Skip the float ONNX graph optimiser. */
  disable_onnx_optimization: boolean;
  /** Run onnx-simplifier on the float model. */
  enable_onnxsim: boolean;
  /** After optimisation, compare the optimised float model with the original. */
  model_check: boolean;
  /** Do not compare subgraph outputs after each optimiser rewrite. */
  disable_transformation_check: boolean;
  /** Keep tensor data on disk to reduce memory use. */
  save_tensors_data: boolean;
}

/** `debug.*` options documented outside `-h` (§2.7). */
export interface DebugConfig {
  /** Save `frontend/optimzied_quant_axmodel.onnx` (sic). */
  dump_frontend_graph: boolean;
}

/** The effective `BuildConfig`. */
export interface BuildConfig {
  /** Model path; "" when not given (required by `build`). A `.prototxt` is a Caffe net. */
  input: string;
  /**
   * axb's own field: the `.caffemodel` holding the trained blobs of a Caffe `input`
   * (`--weights`). Absent unless given, so the effective config of an ONNX build keeps
   * exactly pulsar2's fields (see `caffe_input.ts`).
   */
  weights?: string;
  /** Output directory; "" when not given (required by `build`). */
  output_dir: string;
  /** File name of the compiled model inside `output_dir` (default `compiled.axmodel`). */
  output_name: string;
  /** Effective: `output_dir` when unset. */
  work_dir: string;
  /** Kind of model in `input`: float ONNX or an already quantized model. */
  model_type: ModelType;
  /** Name of the registered target to compile for (aliases already resolved). */
  target_hardware: string;
  /** Name of one of the target's NPU modes (`NPU1`): how many cores the model uses. */
  npu_mode: string;
  /** `name:1x3x224x224;name2:…`, "" = keep the model's shapes. */
  input_shapes: string;
  /** Frontend ONNX optimisation switches (§2.4). */
  onnx_opt: OnnxOptConfig;
  /** Quantisation settings: calibration inputs, method, layer precisions (§4.3). */
  quant: QuantConfig;
  /** Per-input preprocessing declarations (§4.6). */
  input_processors: InputProcessor[];
  /** Per-output postprocessing declarations (§4.7). */
  output_processors: OutputProcessor[];
  /** Replacement data for constant tensors of the float model (§4.8). */
  const_processors: ConstProcessor[];
  /** Attribute patches applied to the float model's operators (§4.8). */
  op_processors: OpProcessor[];
  /** Attribute patches applied to the quantized model's operators (§4.8). */
  quant_op_processors: OpProcessor[];
  /** Compiler options, with per-subgraph `sub_configs` (§4.9). */
  compiler: CompilerConfig;
  /** Debug options documented outside `-h` (§2.7). */
  debug: DebugConfig;
}
