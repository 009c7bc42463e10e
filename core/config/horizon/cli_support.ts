/**
 * Helpers shared by `axb hb_mapper` and `axb hb_compile`: `--input-shape NAME SHAPE` pairs,
 * `--march` checks, and the BuildConfig of the config-less modes (`hb_mapper checker`,
 * `hb_compile --fast-perf`).
 *
 * @module
 */
import { type BuildConfig, defaultBuildConfig } from "../build_config.ts";
import { UsageError } from "../../errors/mod.ts";
import { nearest } from "../../util/nearest.ts";
import { defaultMarch, horizonMarches, type MarchRules } from "./march.ts";
import type { HorizonMarch, HorizonTool } from "./types.ts";
import type { TargetRegistry } from "../../../targets/registry.ts";

/** One `--input-shape NAME SHAPE`. */
export interface InputShapeFlag {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Parse repeated `--input-shape NAME 1x3x224x224` pairs. */
export function parseInputShapeFlags(pairs: readonly (readonly string[])[]): InputShapeFlag[] {
  const seen = new Set<string>();
  return pairs.map(([name, shape]) => {
    const dims = shape.split(/x/i).map((d) => Number(d));
    if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new UsageError(
        `Flag --input-shape ${name}: "${shape}" is not a shape; expected dimensions joined by 'x' like 1x3x224x224`,
      );
    }
    if (seen.has(name)) {
      throw new UsageError(`Flag --input-shape names input "${name}" twice; give each input once`);
    }
    seen.add(name);
    return { name, shape: dims };
  });
}

/** The registry's marches of `tool`, in registration order. */
export function marchesOf(targets: TargetRegistry, tool: HorizonTool): MarchRules[] {
  return horizonMarches(targets).filter((m) => m.tool === tool);
}

/** `nash-e (J6E), nash-m (J6M)`: the marches of `tool` with their chips, for help text. */
export function describeMarches(targets: TargetRegistry, tool: HorizonTool): string {
  return marchesOf(targets, tool).map((m) => `${m.march} (${m.chip})`).join(", ");
}

/** The march `--march` defaults to for `tool`, if it has one. */
export function defaultMarchOf(targets: TargetRegistry, tool: HorizonTool): string | undefined {
  return defaultMarch(marchesOf(targets, tool))?.march;
}

/** `--march` value checked against the marches of `tool`. */
export function marchFlag(
  value: string,
  tool: HorizonTool,
  targets: TargetRegistry,
): HorizonMarch {
  const all = horizonMarches(targets);
  const allowed = all.filter((m) => m.tool === tool).map((m) => m.march);
  const same = (m: string) => m.toLowerCase() === value.toLowerCase();
  const hit = allowed.find(same);
  if (hit) return hit;
  const other = all.find((m) => same(m.march));
  const why = other ? ` ('${other.march}' is a ${other.tool} march)` : "";
  const guess = other ? undefined : nearest(value, allowed);
  throw new UsageError(
    `Flag --march: "${value}" is not one of ${allowed.join(", ")}${why}${
      guess ? ` (did you mean ${guess}?)` : ""
    }`,
  );
}

/** What a config-less mode maps to. */
export interface FlagMapping {
  readonly target: HorizonMarch;
  readonly modelType: "onnx" | "caffe";
  readonly build: BuildConfig;
  readonly notes: readonly string[];
}

/** BuildConfig for `checker` / `--fast-perf`: model, shapes and target from flags. */
export function flagMapping(opts: {
  march: HorizonMarch;
  model: string;
  proto?: string;
  shapes: readonly InputShapeFlag[];
  fastPerf: boolean;
  /** Where the BuildConfig's defaults come from. */
  targets: TargetRegistry;
}): FlagMapping {
  const build = defaultBuildConfig(opts.targets);
  const notes: string[] = [];
  const caffe = opts.proto !== undefined || /\.caffemodel$/i.test(opts.model);
  build.input = caffe ? "" : opts.model;
  if (caffe) {
    notes.push("Caffe model: BuildConfig.input is empty until the model is converted to ONNX");
  }
  build.input_shapes = opts.shapes.map((s) => `${s.name}:${s.shape.join("x")}`).join(";");
  if (opts.fastPerf) {
    build.output_dir = ".fast_perf";
    build.work_dir = ".fast_perf";
    build.output_name = "model.axmodel";
    notes.push(
      "fast-perf: every BPU-capable operator goes to the BPU, removable Quantize/Dequantize/Transpose/Cast/Reshape " +
        "nodes at the model's head and tail are deleted, calibration uses random data (calibration_type skip)",
    );
  }
  return { target: opts.march, modelType: caffe ? "caffe" : "onnx", build, notes };
}
