/**
 * `axb hb_perf MODEL.bin|.hbm [-p]` (spec `horizon.md` §10): estimate a Horizon model's
 * performance and write `hb_perf_result/<model>/` in the working directory (model page with
 * Model Performance Summary, Details and BIN Model Structure; a page and a JSON file per BPU
 * subgraph). `-p` reads a packed file (`hb_pack`) and writes one directory per model.
 *
 * @module
 */
import { join } from "node:path";
import type { Command, CommandIO } from "./command.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { hbLogger } from "./hb_log.ts";
import { readHorizonModels } from "../container/pack.ts";
import { perfReport, writePerfReport } from "../report/hb_perf/mod.ts";
import { fixed } from "../report/hb_perf/html.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { UsageError } from "../errors/mod.ts";
import type { TargetRegistry } from "../../targets/registry.ts";

/** Directory `hb_perf` writes in the working directory. */
export const HB_PERF_RESULT = "hb_perf_result";

const FLAGS: FlagSpec[] = [
  { name: "packed", aliases: ["p"], type: "bool", help: "the model is a packed file (hb_pack)" },
  { name: "debug", type: "bool", help: "print stack traces on errors" },
];

async function run(argv: readonly string[], io: CommandIO, targets: TargetRegistry) {
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (positionals.length !== 1) {
    throw new UsageError(
      `axb hb_perf needs one model file, got ${positionals.length}: axb hb_perf MODEL.bin [-p]`,
    );
  }
  const log = hbLogger(io.stderr);
  log.info("Start hb_perf....");
  const models = await readHorizonModels(positionals[0], values.get("packed") === true);
  const reports = models.map((m) =>
    perfReport(m.name, m.model, { targets, registry: defaultRegistry() })
  );
  const root = join(Deno.cwd(), HB_PERF_RESULT);
  for (const r of reports) {
    const files = await writePerfReport(r, root);
    log.info(
      `${r.name}: latency ${fixed(r.latencyMs, 3)} ms, ${fixed(r.fps, 2)} fps, DDR ${
        fixed(r.ddrMB, 3)
      } MB per frame, ${r.subgraphs.length} BPU subgraph(s)`,
    );
    log.info(`write [${files[0]}]`);
  }
  log.info("End hb_perf....");
  return 0;
}

/** The `hb_perf` subcommand over the targets of `targets` (their cost models). */
export function hbPerfCommand(targets: TargetRegistry): Command {
  return {
    name: "hb_perf",
    summary: "Horizon hb_perf: estimated performance of a .bin/.hbm as HTML and JSON",
    usage: "axb hb_perf MODEL.bin|MODEL.hbm [-p]",
    flags: FLAGS,
    run: (argv, io) => run(argv, io, targets),
  };
}
