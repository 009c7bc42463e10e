/**
 * The complete `pulsar2 build` flag table (spec `pulsar2-build.md` §2.3–2.8) with the
 * vendor's spellings, types and defaults, plus axb's own `--strict`, `--quiet`, `--json`,
 * `--debug`. Config-field flags map 1:1 to dotted field paths (`--quant.check` →
 * `quant.check`); `resolve.ts` applies them over the config file. The table is a function of
 * the target registry: `--target_hardware` and `--npu_mode` list its AXera-family targets,
 * aliases and modes.
 *
 * @module
 */
import type { FlagSpec, FlagValue } from "./flags.ts";
import {
  CHECK_MODE,
  MODEL_TYPE,
  PRECISION_ANALYSIS_METHOD,
  PRECISION_ANALYSIS_MODE,
  QUANT_METHOD,
} from "../config/build_config.ts";
import { HAZARD_MODES } from "../config/quant_types.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import { defaultPulsar2Target, pulsar2ModeNames, pulsar2Targets } from "../config/targets.ts";
import { fieldEffect } from "../config/field_effects.ts";

const names = (t: Record<string, number>) => Object.keys(t);
const b = (name: string, help: string): FlagSpec => ({
  name,
  type: "bool",
  default: "false",
  help,
});

/** `A1/A2 = A, …`: each target's aliases, for help text. */
function aliasHelp(targets: TargetRegistry): string {
  return pulsar2Targets(targets)
    .filter((t) => t.aliases.length > 0)
    .map((t) => `${t.aliases.join("/")} = ${t.name}`)
    .join(", ");
}

/** `NPU1/NPU2 (all), NPU3 (A, B)`: which targets offer each mode, for help text. */
function modeHelp(targets: TargetRegistry): string {
  const list = pulsar2Targets(targets);
  const groups = new Map<string, string[]>();
  for (const mode of pulsar2ModeNames(targets)) {
    const having = list.filter((t) => t.npuModes.some((m) => m.name === mode));
    const who = having.length === list.length ? "all" : having.map((t) => t.name).join(", ");
    groups.set(who, [...(groups.get(who) ?? []), mode]);
  }
  return [...groups].map(([who, modes]) => `${modes.join("/")} (${who})`).join(", ");
}

/** Mode names of the targets outside the pulsar2 front end (Horizon core counts). */
function otherModeNames(targets: TargetRegistry): string[] {
  const pulsar2 = new Set(pulsar2ModeNames(targets));
  const other = targets.list().filter((t) => t.family !== "axera");
  return [...new Set(other.flatMap((t) => t.npuModes.map((m) => m.name)))].filter((m) =>
    !pulsar2.has(m)
  );
}

/** Flags of the top level (§2.3). */
function topFlags(targets: TargetRegistry): FlagSpec[] {
  const dflt = defaultPulsar2Target(targets);
  const aliases = aliasHelp(targets);
  return [
    {
      name: "config",
      type: "string",
      help: "config file (json, yaml, toml or prototxt; Horizon YAML too)",
    },
    {
      name: "input",
      type: "string",
      help: "input model path (required for build): ONNX, or a Caffe .prototxt (axb)",
    },
    {
      name: "weights",
      type: "string",
      help: "the .caffemodel of a Caffe .prototxt input (axb)",
    },
    { name: "output_dir", type: "string", help: "output directory (required for build)" },
    {
      name: "output_name",
      type: "string",
      default: "compiled.axmodel",
      help: "file name of the compiled model",
    },
    {
      name: "work_dir",
      type: "string",
      default: "output_dir",
      help: "directory for intermediate results",
    },
    {
      name: "model_type",
      type: "enum",
      values: names(MODEL_TYPE),
      default: "ONNX",
      help: "kind of input model",
    },
    {
      name: "target_hardware",
      type: "enum",
      values: pulsar2Targets(targets).map((t) => t.name),
      extraValues: pulsar2Targets(targets).flatMap((t) => t.aliases),
      default: dflt.name,
      help: `target chip${aliases ? ` (aliases: ${aliases})` : ""}`,
    },
    {
      name: "npu_mode",
      type: "enum",
      values: pulsar2ModeNames(targets),
      // Horizon targets (`--target bernoulli2`) name their modes by core count.
      extraValues: otherModeNames(targets),
      default: dflt.npuModes[0].name,
      help: `NPU cores used: ${modeHelp(targets)}; core count (1, 2) with a Horizon --target`,
    },
    {
      name: "input_shapes",
      type: "string",
      default: "",
      help: "override input shapes: name1:1x3x224x224;name2:1x1x112x112",
    },
  ];
}

/** `--onnx_opt.*` (§2.4). */
const ONNX_OPT: FlagSpec[] = [
  b("onnx_opt.disable_onnx_optimization", "skip the float ONNX graph optimiser"),
  b("onnx_opt.enable_onnxsim", "simplify the float model (onnx-simplifier)"),
  b("onnx_opt.model_check", "compare the optimised float model with the original"),
  b("onnx_opt.disable_transformation_check", "do not check subgraph outputs after each rewrite"),
  b("onnx_opt.save_tensors_data", "keep tensor data on disk to save memory"),
];

/** `--quant.*` (§2.5). */
const QUANT: FlagSpec[] = [
  {
    name: "quant.calibration_method",
    type: "enum",
    values: names(QUANT_METHOD),
    default: "MinMax",
    help: "calibration observer",
  },
  {
    name: "quant.hazards",
    type: "enum",
    values: [...HAZARD_MODES],
    default: "warn",
    help: "range-hazard lint after calibration: warn (print fixes), fix (apply them), off (axb)",
  },
  b("quant.precision_analysis", "run per-layer quantisation precision analysis"),
  {
    name: "quant.precision_analysis_method",
    type: "enum",
    values: names(PRECISION_ANALYSIS_METHOD),
    default: "PerLayer",
    help: "precision analysis method",
  },
  {
    name: "quant.precision_analysis_mode",
    type: "enum",
    values: names(PRECISION_ANALYSIS_MODE),
    default: "Reference",
    help: "precision analysis executor",
  },
  {
    name: "quant.precision_analysis_samples",
    type: "int",
    default: "8",
    help: "calibration samples the precision analysis runs on, evenly spread; -1: all (axb)",
  },
  b(
    "quant.highest_mix_precision",
    "highest-precision mixed quantisation (axb: auto_precision with target_cosine 0.99)",
  ),
  {
    name: "quant.auto_precision.target_cosine",
    type: "float",
    help: "promote layers to U16 until this end-to-end cosine is reached (axb)",
  },
  {
    name: "quant.auto_precision.max_latency_ms",
    type: "float",
    help: "latency limit of the auto precision search, cost-model ms (axb)",
  },
  {
    name: "quant.auto_precision.max_fraction",
    type: "float",
    default: "0.25",
    help: "largest fraction of layers auto precision may promote (axb)",
  },
  {
    name: "quant.conv_bias_data_type",
    type: "enum",
    values: ["S32", "FP32"],
    default: "S32",
    help: "Conv bias storage type",
  },
  {
    name: "quant.refine_weight_threshold",
    type: "float",
    default: "1e-6",
    help: "weight threshold clamp; -1 disables; 0 or < 0.0001",
  },
  b("quant.enable_smooth_quant", "SmoothQuant for activation outliers"),
  {
    name: "quant.smooth_quant_threshold",
    type: "float",
    default: "0.2",
    help: "SmoothQuant threshold, 0~1",
  },
  {
    name: "quant.smooth_quant_strength",
    type: "float",
    default: "0.6",
    help: "SmoothQuant balance point, 0~1",
  },
  {
    name: "quant.transformer_opt_level",
    type: "int",
    default: "0",
    help: "transformer optimisation level 0~2",
  },
  {
    name: "quant.input_sample_dir",
    type: "string",
    default: "",
    help: "inputs for precision analysis (original model format)",
  },
  {
    name: "quant.ln_scale_data_type",
    type: "enum",
    values: ["FP32", "S32", "U32"],
    default: "FP32",
    help: "LayerNormalization scale type",
  },
  {
    name: "quant.check",
    type: "int",
    default: "0",
    help: "quant check level: 0 none, 1 node dtypes",
  },
  b("quant.disable_auto_refine_scale", "do not refine weight and input scales"),
  b("quant.enable_easy_quant", "EasyQuant scale search (slow, CPU)"),
  b("quant.disable_quant_optimization", "disable graph rewrites during quantisation"),
  b("quant.enable_brecq", "BRECQ fine-tuning"),
  b("quant.enable_lsq", "LSQ fine-tuning"),
  b("quant.enable_adaround", "AdaRound fine-tuning"),
  { name: "quant.finetune_epochs", type: "int", default: "500", help: "fine-tuning epochs" },
  { name: "quant.finetune_block_size", type: "int", default: "4", help: "fine-tuning block size" },
  { name: "quant.finetune_batch_size", type: "int", default: "1", help: "fine-tuning batch size" },
  { name: "quant.finetune_lr", type: "float", default: "1e-3", help: "fine-tuning learning rate" },
  { name: "quant.device", type: "string", default: "cpu", help: "cpu or cuda:N" },
];

/** `--compiler.*` (§2.6, §2.8). */
const COMPILER: FlagSpec[] = [
  {
    name: "compiler.static_batch_sizes",
    type: "ints",
    default: "[]",
    help: "compile exactly these batch sizes",
  },
  {
    name: "compiler.max_dynamic_batch_size",
    type: "int",
    default: "0",
    help: "dynamic batch up to this size",
  },
  {
    name: "compiler.ddr_bw_limit",
    type: "float",
    default: "0",
    help: "simulated DDR bandwidth limit in GB, 0 = none",
  },
  b("compiler.disable_ir_fix", "multi-batch: no automatic Reshape fix"),
  {
    name: "compiler.check",
    type: "int",
    default: "0",
    help: "0 none, 1 all-close, 2 all-equal, 3 cosine",
  },
  b("compiler.npu_perf", "dump NPU profiling files (trace.json)"),
  {
    name: "compiler.check_mode",
    type: "enum",
    values: names(CHECK_MODE),
    default: "CheckOutput",
    help: "compare outputs only or every layer",
  },
  {
    name: "compiler.check_rtol",
    type: "float",
    default: "1e-5",
    help: "relative tolerance (check 1)",
  },
  {
    name: "compiler.check_atol",
    type: "float",
    default: "0",
    help: "absolute tolerance (check 1)",
  },
  {
    name: "compiler.check_cosine_simularity",
    type: "float",
    default: "0.999",
    help: "cosine threshold (check 3)",
  },
  {
    name: "compiler.check_tensor_black_list",
    type: "strings",
    default: "[]",
    help: "tensors (regexps) excluded from per-layer checks",
  },
  b("compiler.enable_slice_mode", "slice-mode scheduler"),
  b("compiler.enable_tile_mode", "tile-mode scheduler"),
  b("compiler.enable_data_soft_compression", "compress NPU sub-models in the output"),
  {
    name: "compiler.input_sample_dir",
    type: "string",
    default: "",
    help: "inputs for compiler check (compiled model format)",
  },
  {
    name: "compiler.debug",
    type: "int",
    default: "0",
    help: "legacy (Pulsar2 3.0) compiler debug level",
  },
];

/** Options documented outside `-h` (§2.7) and axb's own switches. */
const EXTRA: FlagSpec[] = [
  b("debug.dump_frontend_graph", "save frontend/optimzied_quant_axmodel.onnx"),
  b("strict", "treat every config warning as an error"),
  b("quiet", "print warnings and errors only"),
  b("json", "print machine-readable JSON on stdout"),
  b("debug", "print stacks and debug logs"),
  {
    name: "target",
    type: "string",
    help:
      "compile for this registered target instead of target_hardware, e.g. a Horizon march (axb)",
  },
  {
    name: "target_plugin",
    type: "strings",
    help:
      "load third-party target plugins (local path, file: URL, npm:/jsr: specifier) first, so target_hardware may name them (axb)",
  },
];

/** `f` with its help saying so when its field has no effect in axb (`field_effects.ts`). */
function withEffect(f: FlagSpec): FlagSpec {
  return fieldEffect(f.name)?.kind === "none" ? { ...f, help: `${f.help} (no effect in axb)` } : f;
}

/** Every flag of `axb build` (and `axb config`) for the targets of `targets`, in help order. */
export function buildFlags(targets: TargetRegistry): FlagSpec[] {
  return [...topFlags(targets), ...ONNX_OPT, ...QUANT, ...COMPILER, ...EXTRA].map(withEffect);
}

/** Flags of `axb build` that are not config fields. */
export const NON_CONFIG_FLAGS: ReadonlySet<string> = new Set([
  "config",
  "strict",
  "quiet",
  "json",
  "debug",
  "help",
  "target_plugin",
  "target",
]);

/** The config-field flags of parsed `values`, keyed by dotted field path, for `resolveBuildConfig`. */
export function configOverrides(values: ReadonlyMap<string, FlagValue>): Map<string, FlagValue> {
  return new Map([...values].filter(([name]) => !NON_CONFIG_FLAGS.has(name)));
}
