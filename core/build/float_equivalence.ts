/**
 * Float-model equivalence checks of the frontend stage: `onnx_opt.model_check` (the
 * optimised float model against the original) and the per-rewrite transformation check
 * that `onnx_opt.disable_transformation_check` turns off (each frontend pass's result
 * against the model before it). Both run the two models on the same inputs with the float
 * reference executor and compare every graph output.
 *
 * Criterion: a frontend rewrite may change results by float rounding only, so every output
 * must keep its shape, have its non-finite elements (NaN, ±Inf) at the same places, and
 * reach a cosine similarity of at least {@linkcode FLOAT_CHECK_COSINE} over the finite ones.
 *
 * Inputs: the caller's samples (the calibration set for `model_check`), else one seeded
 * random sample in each input's dtype (`randomTensor`; symbolic dimensions taken as 1).
 * The transformation check runs during the frontend, before the calibration set is read,
 * so it always uses the random sample: a rewrite must hold for any input.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import { asFloat32, type Tensor } from "../ir/tensor.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { Logger } from "../util/log.ts";
import { Executor } from "../exec/executor.ts";
import { randomTensor } from "../io/random_tensor.ts";
import { AxbError, CheckFailedError } from "../errors/mod.ts";

/**
 * Lowest cosine similarity accepted between an output before and after float rewrites.
 * Reassociation and fused kernels move results by a few float32 ulps (cosine within 1e-9
 * of 1); a rewrite that changes the function lands far below this.
 */
export const FLOAT_CHECK_COSINE = 0.9999;

/** Seed of the random sample (fixed, so a failing check reproduces). */
const RANDOM_SEED = 20240501;

/** One graph output compared between two float models. */
export interface OutputComparison {
  /** Graph output name. */
  readonly output: string;
  /** Cosine similarity over the finite elements (the lowest over all samples). */
  readonly cosine: number;
  /** True when the output meets the criterion on every sample. */
  readonly passed: boolean;
  /** Why it failed, or the measured cosine. */
  readonly detail: string;
}

/** Options of the checks. */
export interface FloatCheckOptions {
  /** Operators of the float reference executor. */
  readonly registry: OpRegistry;
  /** Receives the check's progress and result lines. */
  readonly log: Logger;
}

/** One seeded random sample for every runtime input of `model`. */
export function randomFeeds(model: Model): Map<string, Tensor> {
  const feeds = new Map<string, Tensor>();
  model.graph.runtimeInputs.forEach((v, i) => {
    const t = v.type;
    if (!t || "kind" in t) {
      throw new CheckFailedError(`Input "${v.name}" has no tensor type to make random data for`);
    }
    const shape = (t.shape ?? []).map((d) => (typeof d === "number" ? d : 1));
    feeds.set(v.name, randomTensor(t.dtype, shape, RANDOM_SEED + i));
  });
  return feeds;
}

function compareTensor(name: string, ref: Tensor, got: Tensor): OutputComparison {
  const fail = (detail: string) => ({ output: name, cosine: 0, passed: false, detail });
  if (ref.shape.join("x") !== got.shape.join("x")) {
    return fail(`shape (${got.shape.join(", ")}), expected (${ref.shape.join(", ")})`);
  }
  const a = asFloat32(got);
  const b = asFloat32(ref);
  let dot = 0, na = 0, nb = 0, odd = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i], y = b[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (!Object.is(x, y)) odd++;
      continue;
    }
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (odd > 0) return fail(`${odd} of ${b.length} elements differ in NaN/Inf`);
  const cosine = na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  const passed = cosine >= FLOAT_CHECK_COSINE;
  return {
    output: name,
    cosine,
    passed,
    detail: `cosine ${cosine.toFixed(6)} (threshold ${FLOAT_CHECK_COSINE})`,
  };
}

/**
 * Compare the graph outputs `outputs` of two runs (`reference` is the expected one).
 *
 * @returns one comparison per output, in the order given
 */
export function compareOutputs(
  reference: ReadonlyMap<string, Tensor>,
  candidate: ReadonlyMap<string, Tensor>,
  outputs: readonly string[],
): OutputComparison[] {
  return outputs.map((name) => {
    const ref = reference.get(name);
    const got = candidate.get(name);
    if (!ref || !got) {
      return { output: name, cosine: 0, passed: false, detail: "not produced" };
    }
    return compareTensor(name, ref, got);
  });
}

function outputNames(model: Model): string[] {
  return model.graph.outputs.map((o) => o.name);
}

/** The lowest comparison per output over several samples (the first failure kept). */
function worst(runs: readonly OutputComparison[][]): OutputComparison[] {
  const out = new Map<string, OutputComparison>();
  for (const run of runs) {
    for (const c of run) {
      const prev = out.get(c.output);
      if (!prev || (prev.passed && (!c.passed || c.cosine < prev.cosine))) out.set(c.output, c);
    }
  }
  return [...out.values()];
}

/**
 * `onnx_opt.model_check`: run `original` and `optimized` on `samples` (a seeded random
 * sample when empty) and compare every graph output.
 *
 * @returns the comparison of each output (lowest over the samples)
 * @throws {CheckFailedError} when an output misses the criterion, naming it
 */
export function checkOptimizedModel(
  original: Model,
  optimized: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  opts: FloatCheckOptions,
): OutputComparison[] {
  const { log, registry } = opts;
  const feeds = samples.length > 0 ? samples : [randomFeeds(original)];
  const what = samples.length > 0 ? `${samples.length} calibration sample(s)` : "random data";
  log.info(`model check: compare the optimized float model with the original on ${what}`);
  const before = new Executor(original, registry);
  const after = new Executor(optimized, registry);
  const names = outputNames(original);
  const result = worst(feeds.map((f) => compareOutputs(before.run(f), after.run(f), names)));
  for (const c of result) {
    if (c.passed) log.success(`model check: output [${c.output}] ${c.detail}`);
    else log.error(`model check: output [${c.output}] ${c.detail}`);
  }
  const bad = result.find((c) => !c.passed);
  if (bad) {
    throw new CheckFailedError(
      `onnx_opt.model_check failed: the optimized float model differs from the original at output "${bad.output}": ${bad.detail}; rebuild with onnx_opt.disable_onnx_optimization to skip the optimisation and report the model`,
    );
  }
  return result;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The transformation check: a `runPasses` `afterChange` hook comparing each
 * changed model with the model before that pass, on one seeded random sample. The
 * reference run happens now, on `model` as it is before the passes.
 *
 * @returns the hook, or undefined (after one warning) when `model` cannot be run on
 *   random data, e.g. a string input or an operator without a float kernel
 * @throws {CheckFailedError} from the hook, naming the pass and the output that changed
 */
export function transformationCheck(
  model: Model,
  opts: FloatCheckOptions,
): ((pass: string, model: Model) => void) | undefined {
  const { log, registry } = opts;
  let feeds: Map<string, Tensor>;
  let previous: Map<string, Tensor>;
  try {
    feeds = randomFeeds(model);
    previous = new Executor(model, registry).run(feeds);
  } catch (e) {
    if (!(e instanceof AxbError)) throw e;
    log.warn(
      `onnx_opt transformation check skipped: the float model cannot run on random inputs (${
        errorText(e)
      }); set onnx_opt.disable_transformation_check to silence this`,
    );
    return undefined;
  }
  const names = outputNames(model);
  return (pass, changed) => {
    let next: Map<string, Tensor>;
    try {
      next = new Executor(changed, registry).run(feeds);
    } catch (e) {
      if (!(e instanceof AxbError)) throw e;
      throw new CheckFailedError(
        `Pass ${pass} left a float model that no longer runs: ${errorText(e)}`,
      );
    }
    const bad = compareOutputs(previous, next, names).find((c) => !c.passed);
    if (bad) {
      throw new CheckFailedError(
        `Pass ${pass} changed the float model's results at output "${bad.output}": ${bad.detail}; this is a bug in axb's frontend optimisation, please report it (onnx_opt.disable_onnx_optimization skips the optimisation)`,
      );
    }
    log.debug(`transformation check after ${pass}: outputs unchanged`);
    previous = next;
  };
}
