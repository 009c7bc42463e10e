/**
 * The `compiler` message of the effective `BuildConfig` (spec `pulsar2-build.md` §4.9): the
 * options shared by `compiler` and each `compiler.sub_configs[]`, and the group patterns.
 *
 * @module
 */
import type { CheckMode, MatchMode, ScheduleStrategy } from "./enums.ts";
import type { JsonValue } from "./json_value.ts";

/** `Graph.Node` of a compiler group pattern. */
export interface GroupPatternNode {
  /** Op types the node matches. */
  types: string[];
  /** Input names of the pattern node. */
  inputs: string[];
  /** Output names of the pattern node. */
  outputs: string[];
  /** Free-form properties of the pattern node. */
  properties: { [key: string]: JsonValue };
}

/** `Graph` of `compiler.compiler_group_patterns` (undocumented semantics). */
export interface CompilerGroupPattern {
  /** Nodes of the pattern. */
  nodes: GroupPatternNode[];
  /** Scheduling strategy for matched groups. */
  type: ScheduleStrategy;
  /** Whether the pattern matches by op (`Op`) or by tensor (`Tensor`). */
  match_mode: MatchMode;
}

/** The scalar/list options shared by `compiler` and each `compiler.sub_configs[]`. */
export interface CompilerOptions {
  /** Compile exactly these batch sizes. */
  static_batch_sizes: number[];
  /** Derive the batch sizes automatically up to this size; 0 = off. */
  max_dynamic_batch_size: number;
  /** Simulated DDR bandwidth limit, GB/s; 0 = no limit. */
  ddr_bw_limit: number;
  /** Multi-batch only: do not apply the automatic Reshape fix. */
  disable_ir_fix: boolean;
  /** Verify the compiled model by simulation: 0 none, 1 all-close, 2 all-equal, 3 cosine. */
  check: number;
  /** Write NPU profiling files (`trace.json`). */
  npu_perf: boolean;
  /** `CheckOutput` (outputs only) or `CheckPerLayer` (intermediate tensors too). */
  check_mode: CheckMode;
  /** Relative tolerance when `check` is 1. */
  check_rtol: number;
  /** Absolute tolerance when `check` is 1. */
  check_atol: number;
  /** Cosine similarity threshold when `check` is 3 (vendor spelling). */
  check_cosine_simularity: number;
  /** Regular expressions of tensors excluded from the check. */
  check_tensor_black_list: string[];
  /** Use the slice-mode scheduler (less DDR swap). */
  enable_slice_mode: boolean;
  /** Use the tile-mode scheduler (less DDR swap). */
  enable_tile_mode: boolean;
  /** Software-compress NPU sub-models in the output (smaller file, slower load). */
  enable_data_soft_compression: boolean;
  /** Compiler-check input data, in the compiled model's input format; "" = calibration data. */
  input_sample_dir: string;
  /** Op-group patterns for the scheduler (undocumented by the vendor). */
  compiler_group_patterns: CompilerGroupPattern[];
  /** Legacy Pulsar2 3.0 `compiler.debug` level (accepted, default 0). */
  debug: number;
}

/** Names of the inheritable compiler options. */
export type CompilerOptionName = keyof CompilerOptions;

/**
 * One `compiler.sub_configs[]` entry, effective: options the entry leaves unset carry the
 * parent's value; `explicit_fields` lists the ones the entry set itself (proto3 presence).
 */
export interface CompilerSubConfig extends CompilerOptions {
  /** Tensors where the sub-config's region starts. */
  start_tensor_names: string[];
  /** Tensors where the sub-config's region ends. */
  end_tensor_names: string[];
  /** Options this entry set itself (the rest are inherited). */
  explicit_fields: CompilerOptionName[];
}

/** `CompilerConfig` (§4.9) at the top level. */
export interface CompilerConfig extends CompilerOptions {
  /** Per-region option overrides. */
  sub_configs: CompilerSubConfig[];
}
