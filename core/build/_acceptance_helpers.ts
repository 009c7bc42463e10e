/**
 * Shared pieces of the compilation acceptance tests and the build benchmark: fixture
 * configs from `testdata/compile/`, a quiet in-process build, the CLI with collected
 * output, seeded sample data, `.npy` calibration archives and an independent cosine.
 *
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import { createTar } from "nanotar";
import { Tensor } from "../ir/tensor.ts";
import { encodeNpy } from "../io/npy.ts";
import { createLogger } from "../util/log.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { resolveBuildConfig } from "../config/resolve.ts";
import { loadModel } from "../onnx/load.ts";
import { type CompiledSummary, summarizeCompiled } from "../container/inspect.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { type BuildResult, runBuild } from "./build.ts";
import { similarity } from "../report/metrics.ts";

const HERE = import.meta.dirname ?? ".";

/** `/work/shared` seen from this file. */
export const SHARED = join(HERE, "../../../shared");
/** The shared ONNX models. */
export const MODELS = join(SHARED, "models");
/** The repository's `testdata/`. */
export const TESTDATA = join(HERE, "../../testdata");
/** Fixture configs of these tests. */
export const COMPILE_FIXTURES = join(TESTDATA, "compile");

/** A JSON object as read from a fixture config. */
export type JsonObject = { [key: string]: unknown };

function isObject(x: unknown): x is JsonObject {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * A fixture config from `testdata/compile/` with every relative `calibration_dataset`
 * made absolute against the fixture's directory, and `overrides` merged in (objects
 * merge recursively, anything else replaces).
 */
export async function fixtureConfig(name: string, overrides: JsonObject = {}): Promise<JsonObject> {
  const path = join(COMPILE_FIXTURES, name);
  const raw: unknown = JSON.parse(await Deno.readTextFile(path));
  if (!isObject(raw)) throw new Error(`fixture ${path} is not a JSON object`);
  const quant = raw.quant;
  if (isObject(quant) && Array.isArray(quant.input_configs)) {
    for (const ic of quant.input_configs) {
      if (isObject(ic) && typeof ic.calibration_dataset === "string") {
        const d = ic.calibration_dataset;
        if (!isAbsolute(d)) ic.calibration_dataset = join(dirname(path), d);
      }
    }
  }
  return merge(raw, overrides);
}

/** `base` with `over` merged in, recursively for objects. */
export function merge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? merge(b, v) : v;
  }
  return out;
}

/** A finished in-process build and the inspect summary of its container. */
export interface BuiltModel {
  result: BuildResult;
  summary: CompiledSummary;
}

/** Resolve `raw` (plus input and output_dir) like `axb build` does and run the build quietly. */
export async function buildQuietly(
  raw: JsonObject,
  input: string,
  outputDir: string,
): Promise<BuiltModel> {
  const targets = new TargetRegistry(builtinTargets());
  const { config } = await resolveBuildConfig(
    { raw: { ...raw, input, output_dir: outputDir } },
    { targets, requireIo: true },
  );
  const result = await runBuild(config, {
    registry: defaultRegistry(),
    targets,
    log: createLogger({ quiet: true, sink: () => {} }),
    quiet: true,
  });
  const summary = summarizeCompiled(await loadModel(result.compiledModel), result.compiledModel);
  return { result, summary };
}

/** Uniform numbers in [lo, hi) from a mulberry32 stream seeded with `seed`. */
export function seededValues(count: number, seed: number, lo: number, hi: number): number[] {
  let a = seed >>> 0;
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** A seeded float32 tensor, uniform in [-1, 1). */
export function seededFloat32(shape: readonly number[], seed: number): Tensor<"f32"> {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor("f32", [...shape], Float32Array.from(seededValues(n, seed, -1, 1)));
}

/** A seeded uint8 tensor, uniform over 0..255. */
export function seededUint8(shape: readonly number[], seed: number): Tensor<"u8"> {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(
    "u8",
    [...shape],
    Uint8Array.from(seededValues(n, seed, 0, 256), (x) => Math.floor(x)),
  );
}

/** Write `samples` as `sample_<i>.npy` members of a tar at `path`. */
export async function writeNpyTar(path: string, samples: readonly Tensor[]): Promise<void> {
  const files = samples.map((t, i) => ({
    name: `sample_${String(i).padStart(3, "0")}.npy`,
    data: encodeNpy(t),
  }));
  await Deno.writeFile(path, createTar(files));
}

/** Cosine similarity, in float64, of two equally long vectors (1 when both are zero). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return similarity(a, b).cosine;
}

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The float32 values of a raw little-endian `.bin` file. */
export async function readFloat32Bin(path: string): Promise<Float32Array> {
  const bytes = await Deno.readFile(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** The cosine in a `compiler.check` level-3 detail (`cosine 0.999876 (threshold 0.999)`). */
export function checkCosine(detail: string): number {
  const m = /^cosine (\S+)/.exec(detail);
  if (!m) throw new Error(`no cosine in check detail "${detail}"`);
  return Number(m[1]);
}

/**
 * The `target batch` indices an `axb run` log shows for each NPU run, in order
 * (`running npu subgraph: subgraph_npu_0, version: 1, target batch: 2`).
 */
export function targetBatchIndices(log: string, node: string): number[] {
  const re = new RegExp(`running npu subgraph: ${node}, version: \\d+, target batch: (\\d+)`, "g");
  return [...log.matchAll(re)].map((m) => Number(m[1]));
}

/** `raw` with the calibration dataset of every `quant.input_configs` entry set to `path`. */
export function withDataset(raw: JsonObject, path: string): JsonObject {
  const quant = isObject(raw.quant) ? raw.quant : {};
  const ics = Array.isArray(quant.input_configs) ? quant.input_configs : [];
  return {
    ...raw,
    quant: {
      ...quant,
      input_configs: ics.map((ic) => (isObject(ic) ? { ...ic, calibration_dataset: path } : ic)),
    },
  };
}
