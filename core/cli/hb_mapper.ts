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
 * `makertbin` converts the model (`horizon_convert.ts`, `core/build/horizon/`): the ONNX
 * artifacts, `<prefix>.bin`, `hb_mapper_makertbin.log` in the cwd. `checker` validates its
 * input, prints (stdout, JSON) what it maps to and stops with `NotImplementedError`.
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { type FlagSpec, type FlagValue, parseFlags } from "./flags.ts";
import { convertHorizon } from "./horizon_convert.ts";
import { NotImplementedError, UsageError } from "../errors/mod.ts";
import {
  type HorizonModelType,
  horizonToBuildConfig,
  parseHorizonConfig,
} from "../config/horizon/mod.ts";
import {
  defaultMarchOf,
  describeMarches,
  flagMapping,
  marchesOf,
  marchFlag,
  parseInputShapeFlags,
} from "../config/horizon/cli_support.ts";
import type { TargetRegistry } from "../../targets/registry.ts";

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
const MAKERTBIN_ONLY = ["config", "strict"];

function str(values: Map<string, FlagValue>, name: string): string | undefined {
  const v = values.get(name);
  return typeof v === "string" ? v : undefined;
}

function refuse(values: Map<string, FlagValue>, names: readonly string[], sub: string): void {
  const bad = names.find((n) => values.has(n));
  if (bad) throw new UsageError(`Flag --${bad} does not apply to axb hb_mapper ${sub}`);
}

function pairs(values: Map<string, FlagValue>): string[][] {
  const v = values.get("input-shape");
  return Array.isArray(v) ? v.filter((p): p is string[] => Array.isArray(p)) : [];
}

function checker(values: Map<string, FlagValue>, io: CommandIO, targets: TargetRegistry): number {
  refuse(values, MAKERTBIN_ONLY, "checker");
  const modelType = str(values, "model-type");
  if (!modelType) throw new UsageError("axb hb_mapper checker needs --model-type onnx|caffe");
  const model = str(values, "model");
  if (!model) {
    throw new UsageError("axb hb_mapper checker needs --model FILE (.onnx or .caffemodel)");
  }
  const proto = str(values, "proto");
  if (modelType === "caffe" && !proto) {
    throw new UsageError("axb hb_mapper checker --model-type caffe needs --proto FILE.prototxt");
  }
  if (modelType === "onnx" && proto) {
    throw new UsageError(
      "Flag --proto applies to Caffe models only; drop it with --model-type onnx",
    );
  }
  const marchRaw = str(values, "march") ?? defaultMarchOf(targets, "hb_mapper");
  if (marchRaw === undefined) {
    throw new UsageError(
      `axb hb_mapper checker needs --march: ${describeMarches(targets, "hb_mapper")}`,
    );
  }
  const march = marchFlag(marchRaw, "hb_mapper", targets);
  const shapes = parseInputShapeFlags(pairs(values));
  const mapping = flagMapping({ march, model, proto, shapes, fastPerf: false, targets });
  io.stdout(
    JSON.stringify(
      {
        tool: "hb_mapper checker",
        ...mapping,
        inputShapes: shapes,
        output: str(values, "output") ?? null,
      },
      null,
      2,
    ),
  );
  throw new NotImplementedError("Horizon model check (hb_mapper checker)");
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
  if (sub === "checker") return checker(values, io, targets);
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
