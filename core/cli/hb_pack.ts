/**
 * `axb hb_pack -o OUT.bin a.bin b.bin …` (spec `horizon.md` §11): pack several Horizon models
 * into one file (format: `core/container/pack.ts`), readable with `-p` by `hb_perf` and
 * `hb_model_info` and by `axb run --model_name`.
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { hbLogger } from "./hb_log.ts";
import { isPackedFile, packedName, packModels } from "../container/pack.ts";
import { requireHorizonMeta } from "../container/horizon_meta.ts";
import { decodeModel } from "../onnx/load.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { ModelFormatError, UsageError } from "../errors/mod.ts";

const FLAGS: FlagSpec[] = [
  { name: "output", aliases: ["o"], type: "string", help: "the packed file to write" },
  { name: "debug", type: "bool", help: "print stack traces on errors" },
];

async function readModel(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new ModelFormatError(
      `Cannot read model "${path}": ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (isPackedFile(bytes)) {
    throw new UsageError(`"${path}" is already a packed model; pack single .bin/.hbm models`);
  }
  requireHorizonMeta(decodeModel(bytes, { path }), path);
  return bytes;
}

async function run(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS);
  const out = values.get("output");
  if (typeof out !== "string" || out === "") {
    throw new UsageError("axb hb_pack needs -o OUT.bin");
  }
  if (positionals.length < 2) {
    throw new UsageError(
      `axb hb_pack needs at least two models to pack, got ${positionals.length}: ` +
        "axb hb_pack -o OUT.bin a.bin b.bin",
    );
  }
  const log = hbLogger(io.stderr);
  log.info("Start hb_pack....");
  const models = [];
  for (const p of positionals) models.push({ name: packedName(p), bytes: await readModel(p) });
  await writeFileAtomic(out, packModels(models));
  log.info(`pack ${models.map((m) => m.name).join(", ")} into [${out}]`);
  return 0;
}

/** The `hb_pack` subcommand. */
export const hbPackCommand: Command = {
  name: "hb_pack",
  summary: "Horizon hb_pack: pack several .bin/.hbm models into one file",
  usage: "axb hb_pack -o OUT.bin a.bin b.bin [...]",
  flags: FLAGS,
  run,
};
