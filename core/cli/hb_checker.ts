/**
 * `axb hb_mapper checker` (spec `horizon.md` §2, §9.1): load the float model (ONNX, or Caffe
 * with `--proto`), apply `--input-shape NAME SHAPE` (repeatable), run the front-end passes
 * and partition it with the march's legality. Prints a `Layer NAME` reason block per CPU
 * node and the placement table (stdout), logs in the Horizon style (stderr), and writes
 * `hb_mapper_checker.log` in the working directory — the log lines and the result, or the
 * error on failure — and the result to `--output FILE` when given.
 *
 * @module
 */
import { join } from "node:path";
import type { CommandIO } from "./command.ts";
import type { FlagValue } from "./flags.ts";
import { hbLogger } from "./hb_log.ts";
import type { Model } from "../ir/graph.ts";
import { loadModel } from "../onnx/load.ts";
import { loadCaffeModel } from "../caffe/load.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { checkModel } from "../report/model_check.ts";
import { formatCheckerTable, formatCpuReasons } from "../report/checker_table.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { UsageError } from "../errors/mod.ts";
import { VERSION } from "../version.ts";
import {
  defaultMarchOf,
  describeMarches,
  type InputShapeFlag,
  marchFlag,
  parseInputShapeFlags,
} from "../config/horizon/cli_support.ts";
import type { TargetRegistry } from "../../targets/registry.ts";

/** The log file the checker writes in the working directory. */
export const CHECKER_LOG = "hb_mapper_checker.log";

/** Flags of `hb_mapper makertbin` that the checker refuses. */
const MAKERTBIN_ONLY = ["config", "strict"];

function str(values: Map<string, FlagValue>, name: string): string | undefined {
  const v = values.get(name);
  return typeof v === "string" ? v : undefined;
}

function shapePairs(values: Map<string, FlagValue>): string[][] {
  const v = values.get("input-shape");
  return Array.isArray(v) ? v.filter((p): p is string[] => Array.isArray(p)) : [];
}

/** What the flags ask for, validated before anything is read. */
interface CheckerRequest {
  readonly modelType: "onnx" | "caffe";
  readonly model: string;
  readonly proto?: string;
  readonly march: string;
  readonly shapes: readonly InputShapeFlag[];
  readonly output?: string;
}

function request(values: Map<string, FlagValue>, targets: TargetRegistry): CheckerRequest {
  const bad = MAKERTBIN_ONLY.find((n) => values.has(n));
  if (bad) throw new UsageError(`Flag --${bad} does not apply to axb hb_mapper checker`);
  const modelType = str(values, "model-type");
  if (modelType !== "onnx" && modelType !== "caffe") {
    throw new UsageError("axb hb_mapper checker needs --model-type onnx|caffe");
  }
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
  return {
    modelType,
    model,
    proto,
    march: marchFlag(marchRaw, "hb_mapper", targets),
    shapes: parseInputShapeFlags(shapePairs(values)),
    output: str(values, "output"),
  };
}

async function loadFloat(req: CheckerRequest): Promise<Model> {
  if (req.modelType === "caffe") {
    const inputShapes = Object.fromEntries(req.shapes.map((s) => [s.name, s.shape]));
    return await loadCaffeModel(req.proto!, req.model, { inputShapes });
  }
  return await loadModel(req.model);
}

/**
 * Run `hb_mapper checker` with parsed flags.
 *
 * @returns 0 when the model was checked (CPU nodes do not fail the check)
 * @throws {UsageError} on bad flags (before anything is written)
 * @throws the loading or checking error, after writing it to `hb_mapper_checker.log`
 */
export async function runChecker(
  values: Map<string, FlagValue>,
  io: CommandIO,
  targets: TargetRegistry,
): Promise<number> {
  const req = request(values, targets);
  const log = hbLogger(io.stderr);
  const logFile = join(Deno.cwd(), CHECKER_LOG);
  try {
    log.info("Start hb_mapper....");
    log.info(`axb ${VERSION}: model check of ${req.model} for march ${req.march}`);
    const model = await loadFloat(req);
    const inputShapes = req.modelType === "onnx"
      ? req.shapes.map((s) => `${s.name}:${s.shape.join("x")}`).join(";")
      : undefined;
    const target = targets.get(req.march);
    const check = checkModel(model, target, { registry: defaultRegistry(), log, inputShapes });
    const reasons = formatCpuReasons(check.rows);
    const result = [reasons, formatCheckerTable(check.rows)].filter((s) => s !== "").join("\n\n");
    io.stdout(result);
    const cpu = check.rows.filter((r) => r.on === "CPU").length;
    log.info(
      `${check.bpuSubgraphs} BPU subgraph(s), ${cpu} CPU node(s)` +
        (check.bpuSubgraphs > 1 ? "; each CPU node between BPU parts splits the BPU graph" : ""),
    );
    log.info("End model checking....");
    if (req.output) await writeFileAtomic(req.output, result + "\n");
    await writeFileAtomic(logFile, [...log.lines, result].join("\n") + "\n");
    return 0;
  } catch (e) {
    log.error(e instanceof Error ? e.message : String(e));
    log.error("exception in command: checker");
    await writeFileAtomic(logFile, log.lines.join("\n") + "\n");
    throw e;
  }
}
