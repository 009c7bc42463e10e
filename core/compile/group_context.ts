/**
 * What the per-group steps of the compile stage share: the products of the earlier
 * steps (mode, deployable model, partition), the plans of the NPU parts compiled so far,
 * and where messages and files go.
 *
 * @module
 */
import type { TensorType } from "../ir/types.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { BuildConfig } from "../config/build_config.ts";
import type { Logger } from "../util/log.ts";
import type { NpuMode, Target } from "../../targets/target.ts";
import type { Deployable } from "./prepare_deployable.ts";
import type { Partitioned } from "./partition_parts.ts";
import type { NpuPlan } from "./npu_plan.ts";
import type { ExtraShapeGroup } from "./shape_groups.ts";

/** Fixed for every group of one compile, except `plans`, which group 0 fills. */
export interface GroupContext {
  /** The effective build configuration. */
  readonly config: BuildConfig;
  /** Operators, for the extra groups' shape inference. */
  readonly registry: OpRegistry;
  /** The compilation target. */
  readonly target: Target;
  /** The core mode compiled for. */
  readonly mode: NpuMode;
  /** The deployable model and its types at the original shapes. */
  readonly deployable: Deployable;
  /** The parts and their options. */
  readonly parted: Partitioned;
  /** The extra input-shape groups (`src_extra_shapes`), group 1 first. */
  readonly extraShapes: readonly ExtraShapeGroup[];
  /** NPU plans by part name: compiled in group 0, reused by later groups. */
  readonly plans: Map<string, NpuPlan>;
  /** The work directory. */
  readonly work: string;
  /** Receives progress messages. */
  readonly log: Logger;
  /** Where tables go (stdout); undefined prints none. */
  readonly print?: (text: string) => void;
}

/** One input-shape group: its number and the value types at its input shapes. */
export interface GroupShapes {
  /** 0 for the original shapes, k for the k-th `src_extra_shapes`. */
  readonly index: number;
  /** Value types of the deployable model at the group's shapes. */
  readonly types: ReadonlyMap<string, TensorType>;
}
