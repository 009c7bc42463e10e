/**
 * Runs an ordered list of passes over a model: once, or repeated until nothing
 * changes (capped), optionally verifying the graph after every pass so a broken
 * rewrite is blamed on the pass that made it, and handing every changed model to a
 * caller's check (e.g. a numeric comparison with the model before the pass).
 *
 * @module
 */
import type { Graph, Model } from "../ir/graph.ts";
import { nodeDependencies } from "../ir/graph.ts";
import { AxbError, GraphError } from "../errors/mod.ts";
import type { Pass, PassContext } from "./pass.ts";

/** Default cap on fixed-point rounds. */
export const MAX_FIXED_POINT_ROUNDS = 10;

/** Options of {@linkcode runPasses}. */
export interface RunPassesOptions {
  /** Repeat the whole list until no pass changes the model (at most `maxRounds` rounds). */
  fixedPoint?: boolean;
  /** Round cap for `fixedPoint` (default {@linkcode MAX_FIXED_POINT_ROUNDS}). */
  maxRounds?: number;
  /** After each pass, check that every node input is defined and the graph is acyclic. */
  verify?: boolean;
  /**
   * Called after every pass run that changed the model (after `verify`), with the pass
   * name; throwing stops the pipeline. Passes that change nothing are not reported, so a
   * check may compare each call's model with the previous call's.
   */
  afterChange?: (pass: string, model: Model) => void;
}

/** Totals of one pass over all rounds. */
export interface PassStat {
  /** Name of the pass. */
  readonly name: string;
  /** Rewrites summed over rounds. */
  count: number;
  /** Wall time summed over rounds, in milliseconds. */
  ms: number;
  /** How many times the pass ran. */
  runs: number;
}

/** What {@linkcode runPasses} did. */
export interface PassRunReport {
  /** One entry per pass, in pipeline order. */
  readonly passes: PassStat[];
  /** Rounds run (1 without `fixedPoint`). */
  readonly rounds: number;
  /** False when `fixedPoint` hit the round cap while passes still changed the model. */
  readonly converged: boolean;
}

/**
 * Run `passes` over `model` in order. The graph is sorted topologically at the end.
 *
 * @throws {GraphError} when `verify` is set and a pass leaves an undefined input or a
 * cycle; the message names the pass.
 */
export function runPasses(
  model: Model,
  passes: readonly Pass[],
  ctx: PassContext,
  opts: RunPassesOptions = {},
): PassRunReport {
  const stats: PassStat[] = passes.map((p) => ({ name: p.name, count: 0, ms: 0, runs: 0 }));
  const maxRounds = opts.fixedPoint ? Math.max(1, opts.maxRounds ?? MAX_FIXED_POINT_ROUNDS) : 1;
  let rounds = 0;
  let changed = true;
  while (changed && rounds < maxRounds) {
    changed = false;
    rounds++;
    passes.forEach((pass, i) => {
      const t0 = performance.now();
      const r = pass.run(model, ctx);
      const st = stats[i];
      st.ms += performance.now() - t0;
      st.count += r.count;
      st.runs++;
      if (r.changed) changed = true;
      if (r.count > 0) ctx.log?.debug(`Pass ${pass.name}: ${r.count} rewrite(s)`);
      if (opts.verify) verifyAfter(model.graph, pass.name);
      if (r.changed) opts.afterChange?.(pass.name, model);
    });
  }
  const converged = !opts.fixedPoint || !changed;
  if (!converged) {
    ctx.log?.warn(
      `Graph passes still changed the model after ${maxRounds} rounds (the fixed-point cap ` +
        `maxRounds=${maxRounds}); stopping with the current graph`,
    );
  }
  model.graph.sortTopologically();
  return { passes: stats, rounds, converged };
}

/**
 * Check that every node input, subgraph capture and graph output is defined and the
 * graph is acyclic.
 *
 * @throws {GraphError} naming the first problem.
 */
export function verifyGraph(g: Graph): void {
  const defined = new Set<string>();
  for (const v of g.inputs) defined.add(v.name);
  for (const k of g.initializers.keys()) defined.add(k);
  for (const n of g.nodes) for (const o of n.outputs) if (o) defined.add(o);
  for (const n of g.nodes) {
    for (const d of nodeDependencies(n)) {
      if (!defined.has(d)) {
        throw new GraphError(
          `Node "${n.name}" (${n.opType}) reads "${d}", which no node, input or initializer defines`,
        );
      }
    }
  }
  for (const o of g.outputs) {
    if (!defined.has(o.name)) throw new GraphError(`Graph output "${o.name}" is never produced`);
  }
  g.topologicalOrder();
}

function verifyAfter(g: Graph, pass: string): void {
  try {
    verifyGraph(g);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new GraphError(`Pass ${pass} left an invalid graph: ${msg}`, {
      cause: e instanceof AxbError ? e : undefined,
    });
  }
}
