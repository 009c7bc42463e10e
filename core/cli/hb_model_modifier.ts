/**
 * `axb hb_model_modifier MODEL -r NODE [-o OUT]` (spec `horizon.md` §11): remove one input
 * or output node (quantize/dequantize, layout, cast or normalisation) of a Horizon model; its
 * parameters stay readable with `hb_model_info`. Without `-o` the result is written beside
 * the model as `<name>_modified<ext>`; the input file is never overwritten in place unless
 * `-o` names it.
 *
 * @module
 */
import { dirname, extname, join } from "node:path";
import type { Command, CommandIO } from "./command.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { hbLogger } from "./hb_log.ts";
import { loadModel } from "../onnx/load.ts";
import { saveModel } from "../onnx/save.ts";
import { packedName } from "../container/pack.ts";
import { removeBoundaryNode } from "../container/remove_node.ts";
import { UsageError } from "../errors/mod.ts";

const FLAGS: FlagSpec[] = [
  { name: "remove", aliases: ["r"], type: "string", help: "exact name of the node to remove" },
  {
    name: "output",
    aliases: ["o"],
    type: "string",
    help: "file of the modified model (default <name>_modified<ext> beside MODEL)",
  },
  { name: "debug", type: "bool", help: "print stack traces on errors" },
];

/** Where the modified model goes when `-o` is not given. */
export function defaultModifiedPath(path: string): string {
  return join(dirname(path), `${packedName(path)}_modified${extname(path)}`);
}

async function run(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS);
  if (positionals.length !== 1) {
    throw new UsageError(
      `axb hb_model_modifier needs one model file, got ${positionals.length}: ` +
        "axb hb_model_modifier MODEL.bin -r NODE [-o OUT]",
    );
  }
  const node = values.get("remove");
  if (typeof node !== "string" || node === "") {
    throw new UsageError("axb hb_model_modifier needs -r NODE (one node name per call)");
  }
  const [path] = positionals;
  const out = typeof values.get("output") === "string"
    ? String(values.get("output"))
    : defaultModifiedPath(path);
  const log = hbLogger(io.stderr);
  log.info("Start hb_model_modifier....");
  const { model, removed } = removeBoundaryNode(await loadModel(path), node, path);
  const where = removed.parameters;
  log.info(
    `remove node [${removed.name}] (${removed.op_type}) at model ${where.boundary} [${where.tensor}]; ` +
      "its parameters stay readable with hb_model_info",
  );
  log.warn(
    `the ${where.boundary} format requirements of the conversion no longer hold for [${where.tensor}]`,
  );
  await saveModel(model, out);
  log.info(`save modified model to [${out}]`);
  return 0;
}

/** The `hb_model_modifier` subcommand. */
export const hbModelModifierCommand: Command = {
  name: "hb_model_modifier",
  summary: "Horizon hb_model_modifier: remove one input/output node of a .bin/.hbm",
  usage: "axb hb_model_modifier MODEL.bin -r NODE [-o OUT.bin]",
  flags: FLAGS,
  run,
};
