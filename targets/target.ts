/**
 * The target contract: what a chip (built in or third-party plugin) supplies to the
 * compiler. A target is a plain object registered by name in a
 * {@linkcode TargetRegistry} (see `registry.ts`); `core/` never names a chip.
 *
 * A target answers identity (names, NPU modes, what each front end's config may say about
 * it), hardware facts and operator legality; `tile`, `planBatches`, `cost` and `profile` are
 * optional hooks the compile stage uses when present.
 *
 * @module
 */
import type { Graph, Node } from "../core/ir/graph.ts";
import type { Tensor } from "../core/ir/tensor.ts";
import type { TensorType } from "../core/ir/types.ts";
import type { ModelType } from "../core/config/enums.ts";
import type { MarchDialect } from "../core/config/horizon/march.ts";
import type { NumericModel } from "../core/quant/numeric_model.ts";

/** Vendor family; decides which front end (`pulsar2` or `hb_mapper`/`hb_compile`) accepts it. */
export type TargetFamily = "axera" | "horizon";

/**
 * One hardware number with where it came from: either a spec line (`source`) or an
 * explicit assumption (`assumed: true`) with the reason. Consumers (cost model, reports)
 * can show which results rest on assumptions.
 */
export type HardwareFact =
  | { readonly value: number; readonly unit: string; readonly source: string }
  | { readonly value: number; readonly unit: string; readonly assumed: true; readonly why: string };

/** Shape of the multiply-accumulate array of one core (int8 MACs per cycle = rows × cols). */
export interface MacArrayShape {
  /** Output-channel lanes. */
  readonly rows: HardwareFact;
  /** Input-channel (reduction) lanes. */
  readonly cols: HardwareFact;
}

/** Hardware facts a cost model and tiler need. Every number is sourced or marked assumed. */
export interface HardwareFacts {
  /** MAC array of one core. */
  readonly macArray: MacArrayShape;
  /** On-chip memory (OCM) the NPU tiles into, in bytes (shared by all cores unless noted). */
  readonly onChipMemoryBytes: HardwareFact;
  /** DDR bandwidth available to the NPU, bytes per second. */
  readonly ddrBandwidthBytesPerSecond: HardwareFact;
  /** NPU clock, Hz. */
  readonly clockHz: HardwareFact;
  /** Number of NPU (conv) cores on the chip. */
  readonly cores: HardwareFact;
  /** Vector unit throughput of one core, elements per cycle. */
  readonly vectorElementsPerCycle: HardwareFact;
}

/**
 * A compile mode naming how many cores a model is built for (`npu_mode`, `core_num`). The
 * one mode type of the project: a config's `npu_mode` is the `name` of one of these.
 */
export interface NpuMode {
  /** The value the user writes: `NPU1` for pulsar2, `1` for Horizon's `core_num`. */
  readonly name: string;
  /** Cores the compiled model occupies. */
  readonly cores: number;
}

/** What the legality hook sees besides the node: types and constants from shape inference. */
export interface LegalityContext {
  /** Type of each input (aligned with `node.inputs`); undefined when omitted or unknown. */
  readonly inputTypes: readonly (TensorType | undefined)[];
  /** Type of each output (aligned with `node.outputs`); undefined when unknown. */
  readonly outputTypes: readonly (TensorType | undefined)[];
  /** Value of each input known at compile time (initializer or folded), else undefined. */
  readonly constantInputs: readonly (Tensor | undefined)[];
  /** Opset version of the node's domain. */
  readonly opset: number;
}

/** Why a node does not go to the NPU, for programs (the `reason` text is for people). */
export type CpuCause =
  /** The operator is not in the target's list. */
  | "unlisted"
  /** An attribute/input value outside what the target supports. */
  | "only"
  /** Vendor says "not yet" (may come later). */
  | "notYet"
  /** Vendor says "NOT supported" (never). */
  | "notSupported"
  /** A size or range limit of the hardware. */
  | "limit"
  /** Facts needed to decide (a shape, a constant) are unknown. */
  | "unknown";

/**
 * Placement of one node. `reason` names the node, the attribute or input, the limit and
 * the actual value: `Conv "Conv_12": auto_pad is SAME_UPPER, AX650 supports NOTSET only`.
 */
export type Legality =
  | { readonly action: "npu" }
  | { readonly action: "cpu"; readonly reason: string; readonly cause: CpuCause };

/** A set of nodes the partitioner hands to a target hook, with their inferred types. */
export interface TargetSubgraph {
  /** The graph that holds the nodes. */
  readonly graph: Graph;
  /** The subgraph's nodes in topological order. */
  readonly nodes: readonly Node[];
  /** Inferred type of each value, by name. */
  readonly types: ReadonlyMap<string, TensorType>;
  /** Default-domain opset of the model the subgraph comes from (for attribute parsing). */
  readonly opset: number;
  /**
   * Bits of activations the caller has chosen wider than the target's default, by value
   * name (automatic mixed precision asks what 16-bit layers cost); absent: every
   * activation at the default precision.
   */
  readonly activationBits?: ReadonlyMap<string, number>;
}

/** How one NPU node is split to fit on-chip memory. */
export interface NodeTiling {
  /** Name of the tiled node. */
  readonly node: string;
  /** Axis split and number of parts, outermost first. */
  readonly splits: readonly { readonly axis: number; readonly parts: number }[];
}

/** Result of {@linkcode Target.tile}. */
export interface TilePlan {
  /** How each split node is tiled. */
  readonly tiles: readonly NodeTiling[];
}

/** Compiler options that change estimates (`compiler.ddr_bw_limit`, slice/tile modes). */
export interface CompilerKnobs {
  /** `compiler.ddr_bw_limit` in GB/s; 0 or absent = no limit. */
  readonly ddrBwLimitGBps?: number;
  /** `compiler.enable_slice_mode`. */
  readonly sliceMode?: boolean;
  /** `compiler.enable_tile_mode`. */
  readonly tileMode?: boolean;
}

/** Batch request of `compiler.static_batch_sizes` / `compiler.max_dynamic_batch_size`. */
export type BatchConfig =
  & (
    | { readonly kind: "static"; readonly sizes: readonly number[] }
    | { readonly kind: "dynamic"; readonly max: number }
  )
  & {
    /** Cores the model is compiled for (the dynamic rule compares latencies at this count). */
    readonly cores?: number;
    readonly compiler?: CompilerKnobs;
  };

/** What {@linkcode Target.cost} estimates for one batch and core count. */
export interface CostEstimate {
  /** NPU cycles for the whole subgraph. */
  readonly cycles: number;
  /** Bytes moved to and from DDR. */
  readonly ddrBytes: number;
  /** Estimated latency in seconds (cycles / NPU clock). */
  readonly latencySeconds: number;
}

/** Context of {@linkcode Target.tile}. */
export interface TileContext {
  /** Core mode the model is compiled for. */
  readonly npuMode: NpuMode;
}

/** The plan {@linkcode Target.cost} evaluates. */
export interface ExecutionPlan {
  /** Batch size compiled. */
  readonly batch: number;
  /** NPU cores the subgraph runs on. */
  readonly cores: number;
  /** Tiling of oversized nodes, when planned. */
  readonly tiling?: TilePlan;
  /** Compiler options that change the estimate. */
  readonly compiler?: CompilerKnobs;
}

/** Per-operator estimate for `compiler.npu_perf` (chip-neutral shape). */
export interface OpProfile {
  /** Node name. */
  readonly name: string;
  /** Op type of the node. */
  readonly opType: string;
  /** Engine the op runs on, as the trace shows it. */
  readonly unit: "conv" | "teng" | "cv" | "sdma";
  /** Cycle at which the op starts. */
  readonly startCycles: number;
  /** Cycles the op takes. */
  readonly cycles: number;
  /** Multiply-accumulates of the op. */
  readonly macs: number;
  /** Total bytes the op moves to and from DDR. */
  readonly ddrBytes: number;
  /** DDR bytes by trace category. */
  readonly ddr: {
    /** Weights and other parameters loaded. */
    readonly loadParams: number;
    /** Swapped-out intermediates loaded back. */
    readonly loadSwap: number;
    /** Intermediates swapped out to DDR. */
    readonly storeSwap: number;
    /** Subgraph inputs loaded. */
    readonly loadInput?: number;
    /** Subgraph outputs stored. */
    readonly storeOutput?: number;
  };
}

/** What {@linkcode Target.profile} returns. */
export interface SubgraphProfile {
  /** Per-operator estimates in execution order. */
  readonly ops: readonly OpProfile[];
  /** NPU clock used, Hz. */
  readonly clockHz: number;
  /** DDR bytes moved per NPU cycle at the effective bandwidth. */
  readonly ddrBytesPerCycle: number;
}

/** A compilation target. Plain object; register it in a `TargetRegistry`. */
export interface Target {
  /** Canonical name as users write it (`AX650`, `bernoulli2`). */
  readonly name: string;
  /** Other names accepted for this target (chip variants, board names); case-insensitive. */
  readonly aliases: readonly string[];
  /** Vendor family, deciding which front end accepts this target. */
  readonly family: TargetFamily;
  /** Allowed core modes (unique names, positive core counts); the first is the default. */
  readonly npuModes: readonly NpuMode[];
  /**
   * pulsar2's `target_hardware` number (`common.HardwareType`, spec `pulsar2-build.md` §4.1)
   * that a config may write instead of the name; absent when the target has none.
   */
  readonly hardwareType?: number;
  /**
   * `model_type` values the vendor documents for this target (pulsar2 front end); the config
   * layer warns on any other. Absent: every model type.
   */
  readonly modelTypes?: readonly ModelType[];
  /** Horizon targets: the YAML dialect of this march; absent for targets no YAML names. */
  readonly marchDialect?: MarchDialect;
  /** Hardware numbers (MAC array, on-chip memory, bandwidth, clock, cores) with their sources. */
  readonly hardware: HardwareFacts;
  /**
   * How the NPU represents activations (symmetric or not, which operators may leave an
   * output in 32 bits); absent: the default U8/U16 asymmetric scheme.
   */
  readonly numeric?: NumericModel;
  /** Decide whether `node` runs on the NPU, or on the CPU and why. Must not throw for any node. */
  legality(node: Node, ctx: LegalityContext): Legality;
  /** Split NPU nodes to fit on-chip memory. */
  tile?(subgraph: TargetSubgraph, ctx: TileContext): TilePlan;
  /** Batch sizes to compile (static as given, or the doubling rule up to `max`). */
  planBatches?(subgraph: TargetSubgraph, cfg: BatchConfig): readonly number[];
  /** Cycles, DDR bytes and latency of a subgraph under a plan. */
  cost?(subgraph: TargetSubgraph, plan: ExecutionPlan): CostEstimate;
  /** Per-operator estimates behind `cost`, for `compiler.npu_perf` traces and tables. */
  profile?(subgraph: TargetSubgraph, plan: ExecutionPlan): SubgraphProfile;
}

/** The hook names of {@linkcode Target} that are functions, required first. */
export const TARGET_HOOKS = {
  required: ["legality"],
  optional: ["tile", "planBatches", "cost", "profile"],
} as const;

/** Convenience constructor of an NPU placement. */
export const NPU: Legality = Object.freeze({ action: "npu" });
