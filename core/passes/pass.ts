/**
 * The pass contract: a named graph rewrite that reports how many rewrites it made.
 * Passes mutate the model in place through the graph API and must keep its outputs
 * numerically equivalent.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { Logger } from "../util/log.ts";

/** What every pass may use. */
export interface PassContext {
  /** Operators (kernels fold constants, inference types values). */
  readonly registry: OpRegistry;
  /** Optional sink for per-pass details. */
  readonly log?: Logger;
}

/** Outcome of one pass run. */
export interface PassResult {
  /** True when the model was modified. */
  readonly changed: boolean;
  /** Number of rewrites (nodes fused, folded, removed, …). */
  readonly count: number;
}

/** A graph rewrite. */
export interface Pass {
  /** Stable kebab-case id, e.g. `fuse-bn-into-conv`. */
  readonly name: string;
  /** One line saying what the pass does. */
  readonly description: string;
  /** Rewrite `model` in place. */
  run(model: Model, ctx: PassContext): PassResult;
}

/** Result helper: `changed` is `count > 0`. */
export function passResult(count: number): PassResult {
  return { changed: count > 0, count };
}
