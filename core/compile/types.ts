/**
 * Data passed between the compile stages: partition → per-subgraph plans (tiling,
 * batches, cost) → the compiled container. Chip-independent: targets fill in plans
 * through their hooks.
 *
 * @module
 */
import type { Model, Node, ValueInfo } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";

/** Where one node runs. */
export interface Placement {
  /** The placed node. */
  readonly node: Node;
  /** Engine the node runs on. */
  readonly on: "NPU" | "CPU";
  /** Name of the subgraph it belongs to (`subgraph_npu_0`, `subgraph_cpu_0`). */
  readonly subgraph: string;
  /** Why it is on the CPU (the target's legality reason, or a forced placement). */
  readonly reason?: string;
}

/** A contiguous, convex set of nodes compiled for one engine. */
export interface SubgraphPart {
  /** `subgraph_npu_<i>` or `subgraph_cpu_<i>`; NPU and CPU parts are numbered separately. */
  readonly name: string;
  /** Engine the part is compiled for. */
  readonly kind: "npu" | "cpu";
  /** Nodes in topological order. */
  readonly nodes: readonly Node[];
  /** Values read from outside the part (graph inputs, other parts' outputs), in first-use order. Initializers excluded. */
  readonly inputs: readonly string[];
  /** Values produced here that are read by another part or are graph outputs. */
  readonly outputs: readonly string[];
}

/** Result of partitioning one model for one target. */
export interface PartitionResult {
  /** Parts in an order that respects data dependencies. */
  readonly parts: readonly SubgraphPart[];
  /** One entry per node of the graph, in topological order. */
  readonly placements: readonly Placement[];
}

/** Per-batch estimate of one NPU subgraph (from the target's cost hook). */
export interface BatchCost {
  /** Batch size the estimate is for. */
  readonly batch: number;
  /** NPU cycles of the whole subgraph at this batch. */
  readonly cycles: number;
  /** Bytes moved to and from DDR. */
  readonly ddrBytes: number;
  /** Estimated latency in milliseconds. */
  readonly latencyMs: number;
}

/** One compiled subgraph of the container. */
export type CompiledSubgraph =
  | {
    /** Compiled for the NPU. */
    readonly kind: "npu";
    /** Part name (`subgraph_npu_0`). */
    readonly name: string;
    /** Boundary values read, named and typed for the group. */
    readonly inputs: readonly ValueInfo[];
    /** Boundary values produced, named and typed for the group. */
    readonly outputs: readonly ValueInfo[];
    /** Target name (`AX650`). */
    readonly target: string;
    /** Core mode (`NPU2`). */
    readonly npuMode: string;
    /** Compiled batch variants, ascending (`[1, 2, 4]`). */
    readonly batches: readonly number[];
    /**
     * The batch axis of each output, in output order, when one is not 0 (an output that
     * `output_processors[].dst_perm` permuted); absent when every output has it on 0.
     */
    readonly outputBatchAxes?: readonly number[];
    /**
     * The program: the subgraph's quantized operators as a QDQ ONNX model (batch as a
     * free leading dim). Weights are stored once for every batch variant.
     */
    readonly program: Model;
    /** Tiling plan, serialised as JSON by the target (opaque to core). */
    readonly tiling: unknown;
    /**
     * One estimate per compiled batch, ascending; `undefined` when the target has no cost
     * model (no estimate, shown as "n/a" — never zeros).
     */
    readonly cost: readonly BatchCost[] | undefined;
  }
  | {
    /** Runs on the CPU as float ONNX. */
    readonly kind: "cpu";
    /** Part name (`subgraph_cpu_0`). */
    readonly name: string;
    /** Boundary values read, named and typed for the group. */
    readonly inputs: readonly ValueInfo[];
    /** Boundary values produced, named and typed for the group. */
    readonly outputs: readonly ValueInfo[];
    /** Plain float ONNX nodes (their initializers live in the container's graph). */
    readonly nodes: readonly Node[];
  };

/** One input-shape group (group 0 = the original shapes; k = the k-th `src_extra_shapes`). */
export interface CompiledGroup {
  /** Group number: 0 for the original shapes, k for the k-th `src_extra_shapes`. */
  readonly index: number;
  /** Graph inputs/outputs of this group (group k > 0 names them `<name>_<k>`). */
  readonly inputs: readonly ValueInfo[];
  /** Graph outputs of this group, named like `inputs`. */
  readonly outputs: readonly ValueInfo[];
  /** The group's NPU and CPU subgraphs. */
  readonly subgraphs: readonly CompiledSubgraph[];
}

/** Everything `compiled.axmodel` holds. */
export interface CompiledModel {
  /** Input-shape groups; group 0 has the original input shapes. */
  readonly groups: readonly CompiledGroup[];
  /** Float initializers the CPU subgraphs read, by name. */
  readonly cpuInitializers: ReadonlyMap<string, Tensor>;
  /** The effective build configuration (JSON-serialisable). */
  readonly config: unknown;
  /** `axb` version that wrote it. */
  readonly version: string;
  /** Canonical name of the target it was compiled for (`AX650`, `bernoulli2`, …). */
  readonly target: string;
  /**
   * Extra model metadata entries (front-end records such as `axb.horizon`), written next to
   * the container's own keys; absent or empty when there are none.
   */
  readonly metadata?: ReadonlyMap<string, string>;
}
