/**
 * `axb hb_mapper checker|makertbin` — Horizon's X3/J3/J5/X5 converter command line
 * (spec `horizon.md` §2, §3).
 *
 * ```
 * axb hb_mapper checker --model-type onnx --march bernoulli2 --model m.onnx \
 *                       [--proto p.prototxt] [--input-shape data 1x3x224x224]… [--output check.log]
 * axb hb_mapper makertbin --config m.yaml [--model-type onnx|caffe] [--strict]
 * ```
 *
 * `checker` is `hb_checker.ts`. `makertbin` converts the model (`horizon_convert.ts`,
 * `core/build/horizon/`): the ONNX artifacts, `<prefix>.bin`, `hb_mapper_makertbin.log` in
 * the cwd.
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { type FlagSpec, type FlagValue, parseFlags } from "./flags.ts";
import { convertHorizon } from "./horizon_convert.ts";
import { UsageError } from "../errors/mod.ts";
import {
  type HorizonModelType,
  horizonToBuildConfig,
  parseHorizonConfig,
} from "../config/horizon/mod.ts";
import { defaultMarchOf, describeMarches, marchesOf } from "../config/horizon/cli_support.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import { runChecker } from "./hb_checker.ts";

function flags(targets: TargetRegistry): FlagSpec[] {
  return [
    {
      name: "model-type",
      aliases: ["model_type"],
      type: "enum",
      values: ["onnx", "caffe"],
      help: "float model kind",
    },
    {
      name: "march",
      type: "string",
      default: defaultMarchOf(targets, "hb_mapper"),
      help: `checker: BPU march: ${describeMarches(targets, "hb_mapper")}`,
    },
    { name: "proto", type: "string", help: "checker: Caffe prototxt (Caffe models only)" },
    { name: "model", type: "string", help: "checker: .caffemodel or .onnx file" },
    {
      name: "input-shape",
      aliases: ["input_shape"],
      type: "strings",
      arity: 2,
      help: "checker: NAME SHAPE (e.g. data 1x3x224x224); repeat per input",
    },
    { name: "output", type: "string", help: "checker: log file for the check result" },
    { name: "config", type: "string", help: "makertbin: the YAML configuration" },
    {
      name: "strict",
      type: "bool",
      help: "refuse unknown or ignored YAML parameters instead of warning",
    },
    { name: "debug", type: "bool", help: "print stack traces on errors" },
  ];
}

const CHECKER_ONLY = ["march", "proto", "model", "input-shape", "output"];

function str(values: Map<string, FlagValue>, name: string): string | undefined {
  const v = values.get(name);
  return typeof v === "string" ? v : undefined;
}

function refuse(values: Map<string, FlagValue>, names: readonly string[], sub: string): void {
  const bad = names.find((n) => values.has(n));
  if (bad) throw new UsageError(`Flag --${bad} does not apply to axb hb_mapper ${sub}`);
}

async function makertbin(
  values: Map<string, FlagValue>,
  io: CommandIO,
  targets: TargetRegistry,
): Promise<number> {
  refuse(values, CHECKER_ONLY, "makertbin");
  const config = str(values, "config");
  if (!config) throw new UsageError("axb hb_mapper makertbin needs --config FILE.yaml");
  const mt = str(values, "model-type");
  const modelType: HorizonModelType | undefined = mt === "onnx" || mt === "caffe" ? mt : undefined;
  const horizon = parseHorizonConfig(config, {
    targets,
    tool: "hb_mapper",
    modelType,
    strict: values.get("strict") === true,
  });
  const mapping = horizonToBuildConfig(horizon, targets);
  await convertHorizon(mapping, io, {
    targets,
    logFile: "hb_mapper_makertbin.log",
    command: "makertbin",
    warnings: horizon.warnings,
  });
  return 0;
}

function dispatch(
  argv: readonly string[],
  io: CommandIO,
  targets: TargetRegistry,
): number | Promise<number> {
  const { values, positionals } = parseFlags(argv, flags(targets));
  const [sub, ...extra] = positionals;
  if (extra.length > 0) {
    throw new UsageError(`axb hb_mapper: unexpected argument(s) ${extra.join(" ")}`);
  }
  if (sub === "checker") return runChecker(values, io, targets);
  if (sub === "makertbin") return makertbin(values, io, targets);
  throw new UsageError(
    sub === undefined
      ? "axb hb_mapper needs a subcommand: checker or makertbin"
      : `axb hb_mapper: unknown subcommand "${sub}"; expected checker or makertbin`,
  );
}

/** The `hb_mapper` subcommand for the Horizon targets of `targets`. */
export function hbMapperCommand(targets: TargetRegistry): Command {
  const chips = marchesOf(targets, "hb_mapper").map((m) => m.chip).join(", ");
  return {
    name: "hb_mapper",
    summary: `Horizon hb_mapper: check a model or convert it with a YAML config (${chips})`,
    usage: "axb hb_mapper checker --model-type onnx|caffe --march M --model F [--proto P] " +
      "[--input-shape NAME SHAPE]... [--output LOG]\n       axb hb_mapper makertbin --config X.yaml [--model-type onnx|caffe] [--strict]",
    flags: flags(targets),
    run(argv: readonly string[], io: CommandIO): Promise<number> {
      // A throw inside the executor becomes the rejection the dispatcher reports.
      return new Promise((resolve) => resolve(dispatch(argv, io, targets)));
    },
  };
}
