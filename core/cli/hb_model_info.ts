/**
 * `axb hb_model_info MODEL.bin|.hbm [-p]` (spec `horizon.md` §11): print the conversion
 * environment and the YAML parameters a Horizon model was converted with, and the nodes
 * `hb_model_modifier` removed; `-p` reads every model of a packed file (`hb_pack`).
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { hbLogger } from "./hb_log.ts";
import { readHorizonModels } from "../container/pack.ts";
import { formatModelInfo } from "../report/model_info.ts";
import { UsageError } from "../errors/mod.ts";

const FLAGS: FlagSpec[] = [
  { name: "packed", aliases: ["p"], type: "bool", help: "the model is a packed file (hb_pack)" },
  { name: "debug", type: "bool", help: "print stack traces on errors" },
];

async function run(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (positionals.length !== 1) {
    throw new UsageError(
      `axb hb_model_info needs one model file, got ${positionals.length}: ` +
        "axb hb_model_info MODEL.bin [-p]",
    );
  }
  const [path] = positionals;
  const log = hbLogger(io.stderr);
  log.info("Start hb_model_info....");
  const models = await readHorizonModels(path, values.get("packed") === true);
  io.stdout(models.map((m) => formatModelInfo(m.name, m.model)).join("\n\n"));
  log.info("End hb_model_info....");
  return 0;
}

/** The `hb_model_info` subcommand. */
export const hbModelInfoCommand: Command = {
  name: "hb_model_info",
  summary: "Horizon hb_model_info: conversion environment and YAML parameters of a .bin/.hbm",
  usage: "axb hb_model_info MODEL.bin|MODEL.hbm [-p]",
  flags: FLAGS,
  run,
};
