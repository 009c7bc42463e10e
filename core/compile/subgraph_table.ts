/**
 * The text the compile stage reports per subgraph: the `max_cycle` log line of each NPU
 * batch and the "Compiled subgraphs" table of each input-shape group. Where the target
 * has no cost model the estimate reads {@linkcode NO_ESTIMATE}.
 *
 * @module
 */
import type { BatchCost } from "./types.ts";
import { formatTable } from "../report/table.ts";

/** Shown in place of a cycle, byte or latency estimate the target does not make. */
export const NO_ESTIMATE = "n/a";

/** Shown where an estimate does not apply (a CPU subgraph). */
const NOT_APPLICABLE = "-";

function cycles(c: number): string {
  return Math.round(c).toLocaleString("en-US");
}

/**
 * The log line of one NPU batch (`subgraph_npu_0 group 0 b1: max_cycle = 450,182`).
 *
 * @param name the part name
 * @param group the input-shape group
 * @param batch the batch size
 * @param cost the batch's estimate; `undefined` when the target has no cost model
 * @returns the line
 */
export function maxCycleLine(
  name: string,
  group: number,
  batch: number,
  cost: BatchCost | undefined,
): string {
  return `${name} group ${group} b${batch}: max_cycle = ${
    cost ? cycles(cost.cycles) : NO_ESTIMATE
  }`;
}

/**
 * Table rows of an NPU part: one per batch.
 *
 * @param name the part name
 * @param ops how many nodes the part holds
 * @param batches compiled batch sizes, ascending
 * @param cost one estimate per batch, or `undefined` when the target has no cost model
 * @returns the rows
 */
export function npuRows(
  name: string,
  ops: number,
  batches: readonly number[],
  cost: readonly BatchCost[] | undefined,
): string[][] {
  if (!cost) {
    return batches.map((b) => [
      `${name}_b${b}`,
      "NPU",
      String(ops),
      NO_ESTIMATE,
      NO_ESTIMATE,
      NO_ESTIMATE,
    ]);
  }
  return cost.map((e) => [
    `${name}_b${e.batch}`,
    "NPU",
    String(ops),
    cycles(e.cycles),
    (e.ddrBytes / 1e6).toFixed(2),
    `${e.latencyMs.toFixed(3)} (${(e.latencyMs / e.batch).toFixed(3)}/sample)`,
  ]);
}

/**
 * The table row of a CPU part (no NPU estimate applies).
 *
 * @param name the part name
 * @param ops how many nodes the part holds
 * @returns the row
 */
export function cpuRow(name: string, ops: number): string[] {
  return [name, "CPU", String(ops), NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE];
}

/** What the table's title names. */
export interface SubgraphTableOptions {
  /** The input-shape group. */
  readonly group: number;
  /** Target name. */
  readonly target: string;
  /** Core mode name. */
  readonly mode: string;
  /** The target has a cost model (else every estimate reads {@linkcode NO_ESTIMATE}). */
  readonly costModel: boolean;
  /** The widest a line may be (default: the terminal's width; `Infinity` never wraps). */
  readonly maxWidth?: number;
}

/**
 * The "Compiled subgraphs" table of one group.
 *
 * @param rows rows from {@linkcode npuRows} and {@linkcode cpuRow}, in part order
 * @param opts group, target, mode and whether estimates exist
 * @returns the table text
 */
export function formatSubgraphTable(
  rows: readonly (readonly string[])[],
  opts: SubgraphTableOptions,
): string {
  const source = opts.costModel
    ? "estimates from the documented, partly assumed cost model"
    : `target has no cost model, estimates ${NO_ESTIMATE}`;
  return formatTable(rows, {
    title: `Compiled subgraphs, group ${opts.group} (${opts.target} ${opts.mode}; ${source})`,
    header: ["Subgraph", "Engine", "Ops", "Cycles", "DDR MB", "Latency ms"],
    maxWidth: opts.maxWidth,
  });
}
