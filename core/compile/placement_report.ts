/**
 * The placement report of a partition: `compiler/placement.txt` and `placement.json`
 * in the work directory, and, when some node runs on the CPU, the table on stdout and
 * one warning per such node with the target's reason.
 *
 * @module
 */
import { join } from "node:path";
import type { Logger } from "../util/log.ts";
import type { PartitionResult } from "./types.ts";
import { formatPlacementTable, placementJson } from "../partition/placement_table.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";

/** Where {@linkcode reportPlacement} writes. */
export interface PlacementReportOptions {
  /** The work directory (`work_dir`, else `output_dir`). */
  readonly work: string;
  /** Receives one warning per CPU node. */
  readonly log: Logger;
  /** Where tables go (stdout); undefined prints none. */
  readonly print?: (text: string) => void;
}

/**
 * Write the placement files and report the CPU nodes.
 *
 * @param partition the partition to report
 * @param opts work directory, logger and printer
 */
export async function reportPlacement(
  partition: PartitionResult,
  opts: PlacementReportOptions,
): Promise<void> {
  const table = formatPlacementTable(partition);
  await writeFileAtomic(join(opts.work, "compiler", "placement.txt"), table + "\n");
  await writeFileAtomic(
    join(opts.work, "compiler", "placement.json"),
    JSON.stringify(placementJson(partition), null, 2) + "\n",
  );
  const cpuNodes = partition.placements.filter((p) => p.on === "CPU");
  if (cpuNodes.length === 0) return;
  opts.print?.(table);
  for (const p of cpuNodes) opts.log.warn(`${p.reason ?? p.node.name} — runs on the CPU`);
}
