/**
 * `axb hb_compile` — Horizon's J6 (nash) converter command line (spec `horizon.md` §4).
 *
 * ```
 * axb hb_compile -c m.yaml [--skip compile] [--strict]
 * axb hb_compile --fast-perf -m m.onnx --march nash-e [-i NAME SHAPE]… [--proto P]
 * axb hb_compile -m m.onnx --march nash-m [-i NAME SHAPE]…      # model check [S]
 * ```
 *
 * `--fast-perf` and `--config` exclude each other. `--input-shape` is only honoured without
 * `--config` (a warning otherwise, as the vendor ignores it). `--config` converts
 * (`horizon_convert.ts`); `--fast-perf` writes its built-in configuration as a starter YAML
 * under `.fast_perf/` and converts with it; without either, the model is checked (placement
 * table on stdout). Every mode logs to `hb_compile.log` in the cwd.
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { type FlagSpec, type FlagValue, parseFlags } from "./flags.ts";
import { UsageError } from "../errors/mod.ts";
import { convertHorizon, horizonLog } from "./horizon_convert.ts";
import { checkModel, writeFastPerfYaml } from "../build/horizon/fast_perf.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { loadModel } from "../onnx/load.ts";
import { loadCaffeModel } from "../caffe/mod.ts";
import { applyInputShapes } from "../preprocess/input_shapes.ts";
import { horizonToBuildConfig, parseHorizonConfig } from "../config/horizon/mod.ts";
import {
  describeMarches,
  flagMapping,
  marchesOf,
  marchFlag,
  parseInputShapeFlags,
} from "../config/horizon/cli_support.ts";
import type { TargetRegistry } from "../../targets/registry.ts";

/** hb_compile's log file, in the working directory. */
const LOG_FILE = "hb_compile.log";

function flags(targets: TargetRegistry): FlagSpec[] {
  return [
    { name: "config", aliases: ["c"], type: "string", help: "the YAML configuration" },
    {
      name: "fast-perf",
      aliases: ["fast_perf"],
      type: "bool",
      help: "build with the built-in fastest configuration",
    },
    {
      name: "model",
      aliases: ["m"],
      type: "string",
      help: "Caffe or ONNX float model (fast-perf / check)",
    },
    { name: "proto", type: "string", help: "Caffe prototxt (Caffe models only)" },
    { name: "march", type: "string", help: describeMarches(targets, "hb_compile") },
    {
      name: "input-shape",
      aliases: ["i", "input_shape"],
      type: "strings",
      arity: 2,
      help: "NAME SHAPE (e.g. input_1 1x3x224x224); repeat per input; fast-perf / check only",
    },
    { name: "skip", type: "enum", values: ["compile"], help: "skip a stage (compile)" },
    {
      name: "strict",
      type: "bool",
      help: "refuse unknown or ignored YAML parameters instead of warning",
    },
    { name: "debug", type: "bool", help: "print stack traces on errors" },
  ];
}

/** `a|b|c`: the hb_compile marches, for usage messages. */
function marchChoices(targets: TargetRegistry): string {
  return marchesOf(targets, "hb_compile").map((m) => m.march).join("|");
}

function str(values: Map<string, FlagValue>, name: string): string | undefined {
  const v = values.get(name);
  return typeof v === "string" ? v : undefined;
}

function pairs(values: Map<string, FlagValue>): string[][] {
  const v = values.get("input-shape");
  return Array.isArray(v) ? v.filter((p): p is string[] => Array.isArray(p)) : [];
}

async function withConfig(
  values: Map<string, FlagValue>,
  config: string,
  io: CommandIO,
  targets: TargetRegistry,
): Promise<number> {
  for (const n of ["model", "proto", "march"]) {
    if (values.has(n)) {
      throw new UsageError(
        `Flag --${n} cannot be combined with --config; set it in the YAML's model_parameters`,
      );
    }
  }
  const warnings: string[] = [];
  if (values.has("input-shape")) {
    warnings.push("--input-shape is only honoured in fast-perf mode; ignored with --config");
  }
  const horizon = parseHorizonConfig(config, {
    targets,
    tool: "hb_compile",
    strict: values.get("strict") === true,
  });
  await convertHorizon(horizonToBuildConfig(horizon, targets), io, {
    targets,
    logFile: LOG_FILE,
    command: "hb_compile",
    skipCompile: str(values, "skip") === "compile",
    warnings: [...warnings, ...horizon.warnings],
  });
  return 0;
}

async function withFlags(
  values: Map<string, FlagValue>,
  io: CommandIO,
  targets: TargetRegistry,
): Promise<number> {
  const fastPerf = values.get("fast-perf") === true;
  const model = str(values, "model");
  const marchRaw = str(values, "march");
  if (!model || !marchRaw) {
    throw new UsageError(
      fastPerf
        ? `axb hb_compile --fast-perf needs --model FILE and --march ${marchChoices(targets)}`
        : `axb hb_compile needs --config FILE.yaml, or --fast-perf --model FILE --march ${
          marchChoices(targets)
        }`,
    );
  }
  if (values.has("skip")) throw new UsageError("Flag --skip applies to --config builds only");
  const proto = str(values, "proto");
  if (proto && !/\.caffemodel$/i.test(model)) {
    throw new UsageError(
      `Flag --proto is given but --model ${model} is not a .caffemodel; --proto applies to Caffe models only`,
    );
  }
  if (!proto && /\.caffemodel$/i.test(model)) {
    throw new UsageError(`--model ${model} is a Caffe model; add --proto FILE.prototxt`);
  }
  const march = marchFlag(marchRaw, "hb_compile", targets);
  const shapes = parseInputShapeFlags(pairs(values));
  if (fastPerf) {
    const yaml = await writeFastPerfYaml(model, march, shapes, proto);
    const horizon = parseHorizonConfig(yaml, { targets, tool: "hb_compile" });
    await convertHorizon(horizonToBuildConfig(horizon, targets), io, {
      targets,
      logFile: LOG_FILE,
      command: "hb_compile --fast-perf",
      warnings: [`fast-perf: built-in configuration written to ${yaml}`, ...horizon.warnings],
    });
    return 0;
  }
  const { log, flush } = horizonLog(io, LOG_FILE);
  try {
    const mapping = flagMapping({ march, model, proto, shapes, fastPerf, targets });
    const registry = defaultRegistry();
    const loaded = proto
      ? await loadCaffeModel(proto, model, {
        inputShapes: Object.fromEntries(shapes.map((s) => [s.name, s.shape])),
      })
      : await loadModel(model);
    if (mapping.build.input_shapes) {
      applyInputShapes(loaded, mapping.build.input_shapes, log, { registry });
    }
    io.stdout(checkModel(loaded, targets.get(march), registry));
    log.info(`model check for ${march} finished`);
    return 0;
  } finally {
    flush();
  }
}

function dispatch(
  argv: readonly string[],
  io: CommandIO,
  targets: TargetRegistry,
): Promise<number> {
  const { values, positionals } = parseFlags(argv, flags(targets));
  if (positionals.length > 0) {
    throw new UsageError(`axb hb_compile: unexpected argument(s) ${positionals.join(" ")}`);
  }
  const config = str(values, "config");
  if (config !== undefined && values.get("fast-perf") === true) {
    throw new UsageError(
      "Flags --fast-perf and --config exclude each other: fast-perf uses its built-in configuration",
    );
  }
  return config !== undefined
    ? withConfig(values, config, io, targets)
    : withFlags(values, io, targets);
}

/** The `hb_compile` subcommand for the Horizon targets of `targets`. */
export function hbCompileCommand(targets: TargetRegistry): Command {
  return {
    name: "hb_compile",
    summary: `Horizon hb_compile: convert a model with a YAML config or --fast-perf (${
      describeMarches(targets, "hb_compile")
    })`,
    usage: "axb hb_compile -c X.yaml [--skip compile] [--strict]\n" +
      "       axb hb_compile --fast-perf -m F --march M [--proto P] [-i NAME SHAPE]...",
    flags: flags(targets),
    run(argv: readonly string[], io: CommandIO): Promise<number> {
      // A throw inside the executor becomes the rejection the dispatcher reports.
      return new Promise((resolve) => resolve(dispatch(argv, io, targets)));
    },
  };
}
