/**
 * What one fuzz case runs, in process, through the same library calls the commands make:
 *
 * - a model: decode and validate, summarize, infer shapes, optimize the frontend, make
 *   seeded random inputs and run the float executor;
 * - a config: parse (pulsar2 syntaxes) and resolve to the effective config, or, for a Horizon
 *   YAML, parse, validate and map it to a pulsar2 config first;
 * - an archive: load it as the calibration set of a one-input model, extraction included.
 *
 * A case passes by returning and fails by throwing; {@linkcode classify} tells a named error
 * (an `AxbError` whose message is one line) from a crash.
 *
 * @module
 */
import { join } from "node:path";
import { AxbError, InputDataError, MAX_MESSAGE_CHARS } from "../errors/mod.ts";
import { decodeModel } from "../onnx/load.ts";
import { summarizeModel } from "../report/model_summary.ts";
import { inferShapes } from "../passes/infer_shapes.ts";
import { optimizeFrontend } from "../passes/frontend.ts";
import { Executor } from "../exec/executor.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { Tensor } from "../ir/tensor.ts";
import { randomTensor } from "../io/random_tensor.ts";
import { createLogger } from "../util/log.ts";
import { type ConfigFormat, parseConfigText } from "../config/load.ts";
import { resolveBuildConfig } from "../config/resolve.ts";
import { horizonToBuildConfig, parseHorizonConfig } from "../config/horizon/mod.ts";
import { defaultInputProcessor, type InputQuantConfig } from "../config/build_config.ts";
import type { DataFormat } from "../config/build_config.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import { loadCalibrationSet } from "../dataset/load_calibration.ts";
import type { DType } from "../ir/dtype.ts";

/** How one case ended. */
export type Outcome = "ok" | "named" | "crash" | "hang";

/** A case's outcome and, unless ok, what was thrown (one line). */
export interface Verdict {
  outcome: Outcome;
  detail?: string;
  /**
   * A named error whose cause is an engine or library error (a kernel the executor caught
   * failing): the user sees one line, but the kernel has a gap worth a look.
   */
  wrapped?: boolean;
}

const silent = createLogger({ sink: () => {} });

/**
 * Classify what a case threw: an `AxbError` with a one-line message of bounded length is a
 * named error; anything else (an engine or library error, a multi-line or runaway message)
 * is a crash.
 */
export function classify(e: unknown): Verdict {
  if (e instanceof AxbError) {
    const m = e.message;
    if (!m.includes("\n") && !m.includes("\r") && m.length <= MAX_MESSAGE_CHARS) {
      const wrapped = e.cause !== undefined && !(e.cause instanceof AxbError);
      return {
        outcome: "named",
        detail: `${e.code}: ${m.slice(0, 300)}`,
        ...(wrapped && { wrapped }),
      };
    }
    return {
      outcome: "crash",
      detail: `bad message from ${e.name}: ${JSON.stringify(m.slice(0, 300))}`,
    };
  }
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const at = e instanceof Error ? (e.stack ?? "").split("\n").slice(1, 4).join(" <") : "";
  return { outcome: "crash", detail: `${what.slice(0, 300)} ${at}`.trim() };
}

/** Run a model mutant through load, inference, the frontend and the executor. */
export function runModelCase(bytes: Uint8Array, registry: OpRegistry): void {
  const model = decodeModel(bytes, { path: "mutant.onnx" });
  summarizeModel(model, "mutant.onnx");
  inferShapes(model, registry);
  optimizeFrontend(model, { registry, log: silent });
  const exec = new Executor(model, registry);
  const feeds = new Map<string, Tensor>();
  for (const v of model.graph.runtimeInputs) {
    const t = v.type;
    if (!t || "kind" in t) {
      throw new InputDataError(`Input "${v.name}" has no tensor type; cannot make a random input`);
    }
    const shape = (t.shape ?? []).map((d) => (typeof d === "number" ? d : 1));
    feeds.set(v.name, randomTensor(t.dtype, shape, 7));
  }
  exec.run(feeds);
}

/** A config case: its text and how to read it. */
export interface ConfigCase {
  /** File name, with the extension of its syntax. */
  name: string;
  text: string;
  format: ConfigFormat;
  /** A Horizon hb_mapper/hb_compile YAML rather than a pulsar2 config. */
  horizon: boolean;
}

/** Parse and resolve a config mutant. */
export async function runConfigCase(c: ConfigCase, targets: TargetRegistry): Promise<void> {
  if (c.horizon) {
    const h = parseHorizonConfig({ text: c.text, file: c.name }, {
      readText: () => "{}",
      targets,
    });
    const mapped = horizonToBuildConfig(h, targets);
    await resolveBuildConfig({ file: c.name, raw: mapped.build }, { targets });
    return;
  }
  const raw = parseConfigText(c.text, c.format, c.name, []);
  await resolveBuildConfig({ file: c.name, raw }, { targets });
}

/** An archive case: the archive and the one-input model it calibrates. */
export interface ArchiveCase {
  /** File name (its extension does not decide the container; the bytes do). */
  name: string;
  bytes: Uint8Array;
  format: DataFormat;
  /** `calibration_size`. */
  size: number;
  dtype: DType;
  shape: number[];
}

/** Load an archive mutant as a calibration set, extracting it into `workDir`. */
export async function runArchiveCase(c: ArchiveCase, workDir: string): Promise<void> {
  const path = join(workDir, c.name);
  await Deno.writeFile(path, c.bytes);
  const config: InputQuantConfig = {
    tensor_name: "input",
    calibration_dataset: path,
    calibration_format: c.format,
    calibration_size: c.size,
    calibration_mean: [],
    calibration_std: [],
  };
  await loadCalibrationSet(
    [config],
    [{ name: "input", type: { dtype: c.dtype, shape: c.shape } }],
    {
      processors: [{ ...defaultInputProcessor(), tensor_name: "input" }],
      workDir: join(workDir, "work"),
      log: silent,
    },
  );
}
