/**
 * One differential case, end to end: generate a model and a config from (seed, index),
 * build it in process like `axb build` does, and compare three ways (see
 * `tolerances.ts`): float executor vs the peer on the float model; `axb run` on the
 * compiled model vs the peer on `quant/quant_axmodel.onnx`; compiled vs float.
 *
 * The peer (onnxruntime in tests and `deno task fuzz --differential`) is passed in, so
 * nothing here loads a native runtime.
 *
 * @module
 */
import { join } from "node:path";
import type { Model } from "../../ir/graph.ts";
import { asFloat32, type Tensor } from "../../ir/tensor.ts";
import type { OpRegistry } from "../../ops/op.ts";
import { Executor } from "../../exec/executor.ts";
import { encodeModel, saveModel } from "../../onnx/save.ts";
import { loadModel } from "../../onnx/load.ts";
import { resolveBuildConfig } from "../../config/resolve.ts";
import { runBuild } from "../../build/build.ts";
import { seededFloat32, writeNpyTar } from "../../build/_acceptance_helpers.ts";
import { createLogger } from "../../util/log.ts";
import { fromQdqModel } from "../../quant/qdq_import.ts";
import { activationParams } from "../../quant/quant_model.ts";
import { modelRunner } from "../../run/model_runner.ts";
import { AxbError } from "../../errors/mod.ts";
import {
  byBatch,
  cosine,
  firstLine,
  onInputGrids,
  peerBatch,
  runtimeFeeds,
  spread,
  withProcessors,
} from "./case_io.ts";
import { NPU_DOMAIN } from "../../container/mod.ts";
import type { Target } from "../../../targets/target.ts";
import type { TargetRegistry } from "../../../targets/registry.ts";
import { caseSeed, Rng } from "../rng.ts";
import { type GeneratedModel, generateModel, targetRecipes } from "./model_gen.ts";
import { generateConfig, type GeneratedConfig } from "./config_gen.ts";
import {
  compareCodes,
  compareCosine,
  compareFloat,
  type Comparison,
  FLOAT_OUTPUT_RTOL,
} from "./tolerances.ts";
import type { Recipe } from "./recipe.ts";

/** Another runtime that executes ONNX models (onnxruntime-node in tests and tools). */
export interface PeerRuntime {
  /**
   * Run `model` (ONNX bytes) on `feeds`; every graph output by name. With `unfused`, the
   * peer runs the graph as written (no graph optimisation: no fusion of QDQ node groups
   * into quantized kernels, no Pad folded into a pool).
   */
  run(
    model: Uint8Array,
    feeds: ReadonlyMap<string, Tensor>,
    opts?: { unfused?: boolean },
  ): Promise<Map<string, Tensor>>;
}

/** The three comparisons. */
export type Leg = "float" | "quant" | "compiled";
/** Every leg, in the order a case runs them. */
export const LEGS: readonly Leg[] = ["float", "quant", "compiled"];

/** One output that failed its leg's tolerance. */
export interface Disagreement {
  readonly leg: Leg;
  readonly output: string;
  readonly detail: string;
  /**
   * The peer running the graph as written (no graph optimisation) agrees with axb within
   * tolerance, where at its default level it disagreed or refused the model.
   */
  readonly unfusedPeerAgrees?: boolean;
  /**
   * Quant leg: axb's integer reference emulator (`axb run` on the QDQ model, onnxruntime's
   * rounding) agrees with the peer, so the difference is the NPU numeric model's.
   */
  readonly referenceAgrees?: boolean;
  /** Quant leg: the largest difference in steps of the output's grid. */
  readonly largestSteps?: number;
  /** Quant leg: 16 for a 16-bit output grid, else 8. */
  readonly gridBits?: 8 | 16;
  /**
   * Quant leg: the compiled model runs nodes on the CPU (in float, on unquantized inputs)
   * and its output is at least as close to the float model's as the peer's QDQ output is.
   */
  readonly cpuFloatCloser?: boolean;
  /**
   * Quant leg: the compiled model, which has CPU nodes, agrees with the peer when fed its
   * inputs rounded to the QDQ graph's input grids (the rounding its CPU nodes skip).
   */
  readonly roundedInputsAgree?: boolean;
}

/** How a case ended. */
export type CaseOutcome =
  /** all three legs within tolerance */
  | { readonly kind: "agree" }
  /** at least one output beyond its leg's tolerance */
  | { readonly kind: "disagree"; readonly disagreements: readonly Disagreement[] }
  /** the build refused the model or config with a named error */
  | { readonly kind: "refused"; readonly message: string }
  /** the peer could not run a model axb ran */
  | { readonly kind: "peer-error"; readonly leg: Leg; readonly message: string }
  /** anything else thrown (a crash of axb) */
  | { readonly kind: "crash"; readonly message: string };

/** One case's description and result. */
export interface CaseResult {
  readonly index: number;
  readonly target: string;
  readonly ops: readonly string[];
  /** Per graph output, the operator types it depends on (`GeneratedModel.upstream`). */
  readonly upstream: Readonly<Record<string, readonly string[]>>;
  readonly note: string;
  readonly outcome: CaseOutcome;
  readonly ms: number;
}

/** What every case of a campaign shares. */
export interface CaseContext {
  readonly registry: OpRegistry;
  readonly targets: TargetRegistry;
  readonly peer: PeerRuntime;
  /** The AXera targets cases are built for. */
  readonly axera: readonly Target[];
  /** Recipes per target name (filled on first use). */
  readonly recipes: Map<string, Map<string, Recipe>>;
}

/** The generated inputs of one case: the model, its config and its samples. */
export interface GeneratedCase {
  readonly target: Target;
  readonly model: GeneratedModel;
  readonly config: GeneratedConfig;
}

/** Make case `index` of run `seed` (a pure function of the two numbers). */
export function makeDifferentialCase(
  seed: number,
  index: number,
  ctx: Pick<CaseContext, "axera" | "recipes">,
): GeneratedCase {
  const rng = new Rng(caseSeed(seed, "differential", index));
  const target = rng.pick(ctx.axera);
  let recipes = ctx.recipes.get(target.name);
  if (!recipes) ctx.recipes.set(target.name, recipes = targetRecipes(target));
  const model = generateModel(rng, recipes, `case_${seed}_${index}`);
  const config = generateConfig(rng, model, target);
  return { target, model, config };
}

/** Calibration samples per input; the first `runBatch` of them are the compared ones. */
const CALIBRATION_SAMPLES = 4;

function sample(inputs: GeneratedModel["inputs"], seed: number): Map<string, Tensor> {
  return new Map(inputs.map((x, k) => [x.name, seededFloat32(x.shape, seed + 100 * k)]));
}

function outputs(m: Model): string[] {
  return m.graph.outputs.map((o) => o.name);
}

/** Leg 1: the float executor and the peer on the generated float model. */
async function floatLeg(c: GeneratedCase, ctx: CaseContext, feeds: Map<string, Tensor>) {
  const ours = new Executor(c.model.model, ctx.registry).run(feeds);
  const bytes = encodeModel(c.model.model);
  let theirs: Map<string, Tensor>;
  let refusal: string | undefined;
  try {
    theirs = await ctx.peer.run(bytes, feeds);
  } catch (e) {
    // the peer's graph optimiser may refuse a model it runs as written
    refusal = firstLine(e);
    try {
      theirs = await ctx.peer.run(bytes, feeds, { unfused: true });
    } catch (e2) {
      return { peerError: firstLine(e2) };
    }
  }
  const found: Disagreement[] = [];
  for (const name of outputs(c.model.model)) {
    const r = compareFloat(asFloat32(ours.get(name)!), asFloat32(theirs.get(name)!));
    if (refusal !== undefined) {
      const detail = `the peer refused the model at its default level (${refusal}); ` +
        `unoptimised: ${r.detail}`;
      found.push({ leg: "float", output: name, detail, unfusedPeerAgrees: r.passed });
    } else if (!r.passed) found.push({ leg: "float", output: name, detail: r.detail });
  }
  return { found };
}

/**
 * Build the case under `dir` quietly, calibrated on `calibration`; the resolved config comes
 * back for its processors.
 */
async function build(
  c: GeneratedCase,
  ctx: CaseContext,
  dir: string,
  calibration: readonly Map<string, Tensor>[],
) {
  const file = join(dir, "model.onnx");
  await saveModel(c.model.model, file);
  const inputConfigs = [];
  for (const x of c.model.inputs) {
    const tar = join(dir, `calib_${x.name}.tar`);
    await writeNpyTar(tar, calibration.map((s) => s.get(x.name)!));
    inputConfigs.push({
      tensor_name: x.name,
      calibration_dataset: tar,
      calibration_format: "Numpy",
      calibration_size: calibration.length,
    });
  }
  const raw = c.config.raw;
  const quant = { ...(raw.quant as object), input_configs: inputConfigs };
  const { config } = await resolveBuildConfig(
    { raw: { ...raw, quant, input: file, output_dir: join(dir, "out") } },
    { requireIo: true, targets: ctx.targets },
  );
  const result = await runBuild(config, {
    registry: ctx.registry,
    targets: ctx.targets,
    log: createLogger({ quiet: true, sink: () => {} }),
    quiet: true,
    workers: 1,
  });
  return { config, result };
}

/**
 * Run case `index` of run `seed` in `dir` (which the caller removes).
 *
 * @returns the case and how it ended; never throws for what the case does
 */
export async function runDifferentialCase(
  seed: number,
  index: number,
  ctx: CaseContext,
  dir: string,
): Promise<CaseResult> {
  const t0 = performance.now();
  const c = makeDifferentialCase(seed, index, ctx);
  const head = {
    index,
    target: c.target.name,
    ops: c.model.ops,
    upstream: c.model.upstream,
    note: c.config.note,
  };
  const done = (outcome: CaseOutcome): CaseResult => ({
    ...head,
    outcome,
    ms: performance.now() - t0,
  });
  // The compared samples are calibration samples too: a value outside the calibrated range
  // saturates, an error of the input, not of the arithmetic under test.
  const calibration = Array.from(
    { length: CALIBRATION_SAMPLES },
    (_, k) => sample(c.model.inputs, 7000 + 10 * k),
  );
  const samples = calibration.slice(0, c.config.runBatch);
  try {
    const leg1 = await floatLeg(c, ctx, samples[0]);
    if ("peerError" in leg1) {
      return done({ kind: "peer-error", leg: "float", message: leg1.peerError ?? "" });
    }
    let built;
    try {
      built = await build(c, ctx, dir, calibration);
    } catch (e) {
      if (e instanceof AxbError) return done({ kind: "refused", message: e.message });
      throw e;
    }
    const found = [...leg1.found];
    const quantModel = await loadModel(built.result.quantModel);
    const compiled = await loadModel(built.result.compiledModel);
    const optimized = await loadModel(built.result.optimizedModel!);
    const feeds = runtimeFeeds(c, ctx, built.config.input_processors, compiled, samples, seed);
    const ours = modelRunner(compiled, ctx.registry, "compiled.axmodel", {
      batch: c.config.runBatch,
    }).run(byBatch(feeds), false);
    let theirs: Map<string, Tensor>;
    const deployedModel = withProcessors(quantModel, built.config);
    const deployed = encodeModel(deployedModel);
    let fusedRefusal: string | undefined;
    try {
      theirs = await peerBatch(ctx.peer, deployed, feeds);
    } catch (e) {
      // the peer's fusion may refuse a graph it runs unfused: then compare with that run
      fusedRefusal = firstLine(e);
      try {
        theirs = await peerBatch(ctx.peer, deployed, feeds, true);
      } catch (e2) {
        return done({ kind: "peer-error", leg: "quant", message: String(e2) });
      }
    }
    const floatExec = new Executor(withProcessors(optimized, built.config), ctx.registry);
    const reference = byBatch(feeds.map((f) => floatExec.run(f)));
    const params = fromQdqModel(quantModel);
    let unfused: Map<string, Tensor> | undefined;
    const hasCpuNodes = compiled.graph.nodes.some((n) => n.domain !== NPU_DOMAIN);
    let referenceOut: Map<string, Tensor> | undefined;
    let rounded: Map<string, Tensor> | undefined;
    for (const name of outputs(compiled)) {
      const o = asFloat32(ours.get(name)!);
      const q = ours.get(name)!.dtype;
      const p = activationParams(params, name);
      const integer = q !== "f32";
      const against = (x: Float32Array, peer: ReadonlyMap<string, Tensor>): Comparison =>
        p || integer
          ? compareCodes(x, asFloat32(peer.get(name)!), integer ? 1 : p!.scale)
          : compareFloat(x, asFloat32(peer.get(name)!), FLOAT_OUTPUT_RTOL);
      const quantLeg = (peer: ReadonlyMap<string, Tensor>) => against(o, peer);
      const r2 = quantLeg(theirs);
      if (fusedRefusal !== undefined) {
        found.push({
          leg: "quant",
          output: name,
          detail: `the peer refused the QDQ model at its default level (${fusedRefusal}); ` +
            `unoptimised: ${r2.detail}`,
          unfusedPeerAgrees: r2.passed,
        });
      } else if (!r2.passed) {
        // does the peer's own unfused graph agree? then its fused kernels are what differ
        unfused ??= await peerBatch(ctx.peer, deployed, feeds, true);
        const agrees = quantLeg(unfused).passed;
        // does axb's reference emulator of the same QDQ graph agree with the peer?
        referenceOut ??= byBatch(
          feeds.map((f) => modelRunner(deployedModel, ctx.registry, "quant").run(f, false)),
        );
        const refAgrees = against(asFloat32(referenceOut.get(name)!), theirs).passed;
        const f = asFloat32(reference.get(name)!);
        const closer = cosine(o, f) >= cosine(asFloat32(theirs.get(name)!), f) - 1e-9;
        // does the compiled model agree once its inputs are rounded as the QDQ graph's are?
        if (hasCpuNodes) {
          rounded ??= modelRunner(compiled, ctx.registry, "compiled.axmodel", {
            batch: c.config.runBatch,
          }).run(byBatch(feeds.map((x) => onInputGrids(x, params))), false);
        }
        const roundedAgrees = rounded !== undefined &&
          against(asFloat32(rounded.get(name)!), theirs).passed;
        found.push({
          leg: "quant",
          output: name,
          detail: r2.detail,
          cpuFloatCloser: hasCpuNodes && closer,
          roundedInputsAgree: roundedAgrees,
          unfusedPeerAgrees: agrees,
          referenceAgrees: refAgrees,
          largestSteps: r2.largest,
          gridBits: p?.qtype.endsWith("16") ? 16 : 8,
        });
      }
      const ref = asFloat32(reference.get(name)!);
      // one step of an 8-bit grid over the output's range (a 16-bit grid's step is 256 times
      // finer, far below what the cosine floors of such outputs accept)
      const step = integer
        ? 1
        : p
        ? (p.scale * (p.qtype.endsWith("16") ? 65535 : 255)) / 255
        : spread(ref) / 255;
      const r3 = compareCosine(o, ref, c.config.precision, step);
      if (!r3.passed) found.push({ leg: "compiled", output: name, detail: r3.detail });
    }
    return done(
      found.length === 0 ? { kind: "agree" } : { kind: "disagree", disagreements: found },
    );
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return done({ kind: "crash", message });
  }
}
