/**
 * `compiler.npu_perf`: per NPU part and batch, the target's per-operator profile as a
 * Chrome trace (`compiler/debug/<part>/b<batch>/trace.json`) and a text table
 * (`npu_perf.txt`, the first batch's also printed).
 *
 * @module
 */
import { join } from "node:path";
import type { Logger } from "../util/log.ts";
import type {
  CompilerKnobs,
  NpuMode,
  Target,
  TargetSubgraph,
  TilePlan,
} from "../../targets/target.ts";
import { npuTrace } from "../report/npu_trace.ts";
import { formatTable } from "../report/table.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";

/** What {@linkcode writeNpuPerf} profiles and where it writes. */
export interface NpuPerfOptions {
  /** The target whose `profile` hook gives the per-op estimates. */
  readonly target: Target;
  /** Part name (the debug sub-directory). */
  readonly name: string;
  /** Compiled batch sizes, ascending. */
  readonly batches: readonly number[];
  /** Core mode compiled for. */
  readonly mode: NpuMode;
  /** Compiler options that change the estimate. */
  readonly knobs: CompilerKnobs;
  /** The part's tiling plan, when the target made one. */
  readonly tiling: TilePlan | undefined;
  /** The work directory. */
  readonly work: string;
  /** Receives the file messages, or a warning when the target has no profile. */
  readonly log: Logger;
  /** Where the first batch's table goes; undefined prints none. */
  readonly print?: (text: string) => void;
}

/**
 * Write the traces and tables of one NPU part.
 *
 * @param ts the part as the target sees it
 * @param opts target, part, plan, directory and outputs
 */
export async function writeNpuPerf(ts: TargetSubgraph, opts: NpuPerfOptions): Promise<void> {
  const { batches, log, name, target } = opts;
  if (!target.profile) {
    log.warn(`compiler.npu_perf: target ${target.name} provides no per-op profile`);
    return;
  }
  for (const b of batches) {
    const p = target.profile(ts, {
      batch: b,
      cores: opts.mode.cores,
      tiling: opts.tiling,
      compiler: opts.knobs,
    });
    const trace = npuTrace(
      p.ops.map((o) => ({
        name: o.name,
        opType: o.opType,
        unit: o.unit,
        startCycles: o.startCycles,
        cycles: o.cycles,
        ddr: o.ddr,
      })),
      { clockHz: p.clockHz, ddrBytesPerCycle: p.ddrBytesPerCycle },
    );
    const dir = join(opts.work, "compiler", "debug", name, `b${b}`);
    await writeFileAtomic(join(dir, "trace.json"), JSON.stringify(trace) + "\n");
    const rows = p.ops.map((o) => [
      o.name,
      o.opType,
      o.macs.toLocaleString("en-US"),
      Math.round(o.cycles).toLocaleString("en-US"),
      o.ddrBytes.toLocaleString("en-US"),
      ((o.cycles / p.clockHz) * 1000).toFixed(4),
    ]);
    const table = (maxWidth?: number) =>
      formatTable(rows, {
        title: `NPU perf ${name} b${b}`,
        header: ["Op", "Type", "MACs", "Cycles", "DDR bytes", "ms"],
        maxWidth,
      });
    // the file keeps one line per op for scripts; the console copy fits the terminal
    await writeFileAtomic(join(dir, "npu_perf.txt"), table(Infinity) + "\n");
    log.info(`save npu perf trace to [${join(dir, "trace.json")}]`);
    if (b === batches[0]) opts.print?.(table());
  }
}
