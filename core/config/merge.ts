/**
 * From configs as written to the effective {@linkcode BuildConfig}: layer written configs
 * (defaults ← file ← flags), fill defaults per message, inherit unset compiler options into
 * `compiler.sub_configs[]`, and apply the documented automatic adjustments (YUV input forces
 * `src_layout: NHWC`, processor `mean`/`std` default to the calibration values,
 * `work_dir` defaults to `output_dir`), reporting each adjustment.
 *
 * @module
 */
import {
  type BuildConfig,
  type CompilerConfig,
  type CompilerOptionName,
  type CompilerOptions,
  type CompilerSubConfig,
  defaultBuildConfig,
  defaultCompilerOptions,
  defaultInputProcessor,
  defaultInputQuantConfig,
  defaultLayerConfig,
  defaultOutputProcessor,
  type InputProcessor,
  type InputQuantConfig,
  type Layout,
} from "./build_config.ts";
import type {
  BuildConfigInput,
  CompilerInput,
  InputProcessorInput,
  SubConfigInput,
} from "./schema.ts";
import type { ConfigWarning } from "./diagnostics.ts";
import type { AutoPrecisionConfig } from "./quant_types.ts";
import { ConfigError } from "../errors/mod.ts";
import { DEFAULT_AUTO_PRECISION_MAX_FRACTION } from "./build_defaults.ts";
import type { TargetRegistry } from "../../targets/registry.ts";

/** `o` without its `undefined`-valued keys (so spreading it never erases a value). */
export function defined<T extends object>(
  o: T | undefined,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: { [K in keyof T]?: Exclude<T[K], undefined> } = {};
  if (!o) return out;
  for (const k of Object.keys(o) as (keyof T)[]) {
    const x = o[k];
    if (x !== undefined) out[k] = x as Exclude<T[keyof T], undefined>;
  }
  return out;
}

/** Layer `over` onto `base` (flags over file): messages merge field by field, lists replace. */
export function layerInputs(base: BuildConfigInput, over: BuildConfigInput): BuildConfigInput {
  return {
    ...defined(base),
    ...defined(over),
    onnx_opt: base.onnx_opt || over.onnx_opt
      ? { ...defined(base.onnx_opt), ...defined(over.onnx_opt) }
      : undefined,
    quant: base.quant || over.quant
      ? {
        ...defined(base.quant),
        ...defined(over.quant),
        ...(base.quant?.auto_precision || over.quant?.auto_precision
          ? {
            auto_precision: {
              ...defined(base.quant?.auto_precision),
              ...defined(over.quant?.auto_precision),
            },
          }
          : {}),
      }
      : undefined,
    compiler: base.compiler || over.compiler
      ? { ...defined(base.compiler), ...defined(over.compiler) }
      : undefined,
    debug: base.debug || over.debug
      ? { ...defined(base.debug), ...defined(over.debug) }
      : undefined,
  };
}

const YUV = new Set(["YUV420SP", "YVU420SP", "YUYV422", "UYVY422"]);

/** Is `format` one of the YUV/YVU colour spaces (CSC sources)? */
export function isYuv(format: string): boolean {
  return YUV.has(format);
}

function layout(x: Layout | undefined, dflt: Layout): Layout {
  return x === undefined || x === "DefaultLayout" ? dflt : x;
}

/** The input config whose calibration values feed processor `name`, when unambiguous. */
function calibrationFor(name: string, inputs: InputQuantConfig[]): InputQuantConfig | undefined {
  return inputs.find((c) => c.tensor_name === name) ??
    inputs.find((c) => c.tensor_name === "DEFAULT") ??
    (inputs.length === 1 ? inputs[0] : undefined);
}

function inputProcessor(
  p: InputProcessorInput,
  i: number,
  calib: InputQuantConfig[],
  warn: (w: ConfigWarning) => void,
  file: string,
): InputProcessor {
  const d = defaultInputProcessor();
  const out: InputProcessor = {
    ...d,
    ...defined(p),
    tensor_layout: layout(p.tensor_layout, d.tensor_layout),
    src_layout: layout(p.src_layout, d.src_layout),
    src_extra_shapes: (p.src_extra_shapes ?? []).map((s) => ({ shape: s.shape ?? [] })),
  };
  const at = `input_processors[${i}]`;
  if (isYuv(out.src_format) && out.src_layout !== "NHWC") {
    const explicit = p.src_layout === "NCHW";
    warn({
      severity: explicit ? "warning" : "note",
      field: `${at}.src_layout`,
      file,
      message: `${at}.src_layout ${
        explicit ? "NCHW" : "(default NCHW)"
      } set to NHWC because src_format ${out.src_format} is a YUV format`,
    });
    out.src_layout = "NHWC";
  }
  const c = calibrationFor(out.tensor_name, calib);
  // proto3: an empty repeated field is unset, so `mean: []` (the manual's template) defaults too.
  if (!p.mean?.length && c) out.mean = [...c.calibration_mean];
  if (!p.std?.length && c) out.std = [...c.calibration_std];
  return out;
}

const OPTION_NAMES = Object.keys(defaultCompilerOptions()) as CompilerOptionName[];

function compilerOptions(c: CompilerInput | SubConfigInput | undefined): Partial<CompilerOptions> {
  const d = defined(c);
  const out: Partial<CompilerOptions> = {};
  for (const k of OPTION_NAMES) {
    if (k === "compiler_group_patterns") continue;
    const x = d[k];
    if (x === undefined) continue;
    // proto3: an empty repeated field is indistinguishable from an unset one.
    if (Array.isArray(x) && x.length === 0) continue;
    Object.assign(out, { [k]: x });
  }
  if (c?.compiler_group_patterns?.length) {
    out.compiler_group_patterns = c.compiler_group_patterns.map((g) => ({
      type: g.type ?? "Tile",
      match_mode: g.match_mode ?? "Op",
      nodes: (g.nodes ?? []).map((n) => ({
        types: n.types ?? [],
        inputs: n.inputs ?? [],
        outputs: n.outputs ?? [],
        properties: n.properties ?? {},
      })),
    }));
  }
  return out;
}

function subConfig(parent: CompilerOptions, s: SubConfigInput): CompilerSubConfig {
  const all = compilerOptions(s);
  // An `explicit_fields` record (axb's own output) says which values are the entry's own.
  const own: Partial<CompilerOptions> = s.explicit_fields === undefined ? all : Object.fromEntries(
    Object.entries(all).filter(([k]) => s.explicit_fields?.includes(k)),
  );
  const inherited: CompilerOptions = { ...parent };
  // The batch mode is one choice: a sub-config that picks either kind does not inherit the other.
  if (own.static_batch_sizes !== undefined || own.max_dynamic_batch_size !== undefined) {
    inherited.static_batch_sizes = [];
    inherited.max_dynamic_batch_size = 0;
  }
  return {
    ...inherited,
    ...own,
    start_tensor_names: s.start_tensor_names ?? [],
    end_tensor_names: s.end_tensor_names ?? [],
    explicit_fields: OPTION_NAMES.filter((k) => own[k] !== undefined),
  };
}

function compiler(c: CompilerInput | undefined): CompilerConfig {
  const options: CompilerOptions = { ...defaultCompilerOptions(), ...compilerOptions(c) };
  return { ...options, sub_configs: (c?.sub_configs ?? []).map((s) => subConfig(options, s)) };
}

/** What {@linkcode toEffective} reports to and reads defaults from. */
export interface EffectiveContext {
  /** Receives the notes and warnings of automatic adjustments. */
  readonly warnings: ConfigWarning[];
  /** Where the written config came from, for messages. */
  readonly file: string;
  /** The default target and each target's default (first) NPU mode. */
  readonly targets: TargetRegistry;
}

/** `quant.auto_precision` with its default filled in; `target_cosine` is required. */
function autoPrecision(
  a: NonNullable<NonNullable<BuildConfigInput["quant"]>["auto_precision"]>,
  file: string,
): AutoPrecisionConfig {
  if (a.target_cosine === undefined) {
    throw new ConfigError(
      `Invalid quant.auto_precision in ${file}: target_cosine is missing; give the end-to-end cosine to reach, e.g. {"target_cosine": 0.99}`,
      { file, field: "quant.auto_precision.target_cosine" },
    );
  }
  return {
    target_cosine: a.target_cosine,
    max_fraction: a.max_fraction ?? DEFAULT_AUTO_PRECISION_MAX_FRACTION,
    ...(a.max_latency_ms === undefined ? {} : { max_latency_ms: a.max_latency_ms }),
  };
}

/** Build the effective config from a (layered) written config. */
export function toEffective(input: BuildConfigInput, ctx: EffectiveContext): BuildConfig {
  const { warnings, file } = ctx;
  const d = defaultBuildConfig(ctx.targets);
  const target = ctx.targets.get(input.target_hardware ?? d.target_hardware);
  const q = input.quant;
  const { auto_precision: writtenAuto, ...writtenQuant } = q ?? {};
  const inputConfigs = (q?.input_configs ?? []).map((c) => ({
    ...defaultInputQuantConfig(),
    ...defined(c),
  }));
  const layerConfigs = (q?.layer_configs ?? []).map((l) => {
    const base = { ...defaultLayerConfig(), ...defined(l) };
    return { ...base, output_data_type: l.output_data_type ?? base.data_type };
  });
  const warn = (w: ConfigWarning) => warnings.push(w);
  const cfg: BuildConfig = {
    ...d,
    ...defined({
      input: input.input,
      weights: input.weights,
      output_dir: input.output_dir,
      output_name: input.output_name,
      work_dir: input.work_dir,
      model_type: input.model_type,
      target_hardware: target.name,
      npu_mode: input.npu_mode ?? target.npuModes[0].name,
      input_shapes: input.input_shapes,
    }),
    onnx_opt: { ...d.onnx_opt, ...defined(input.onnx_opt) },
    quant: {
      ...d.quant,
      ...defined(writtenQuant),
      input_configs: inputConfigs,
      layer_configs: layerConfigs,
      ...(writtenAuto ? { auto_precision: autoPrecision(writtenAuto, file) } : {}),
    },
    input_processors: (input.input_processors ?? []).map((p, i) =>
      inputProcessor(p, i, inputConfigs, warn, file)
    ),
    output_processors: (input.output_processors ?? []).map((p) => ({
      ...defaultOutputProcessor(),
      ...defined(p),
      tensor_layout: p.tensor_layout ?? "DefaultLayout",
    })),
    const_processors: (input.const_processors ?? []).map((c) => ({
      name: c.name ?? "",
      data: c.data ?? [],
      data_path: c.data_path ?? "",
    })),
    op_processors: (input.op_processors ?? []).map((p) => ({
      op_name: p.op_name ?? "",
      attrs: p.attrs ?? {},
    })),
    quant_op_processors: (input.quant_op_processors ?? []).map((p) => ({
      op_name: p.op_name ?? "",
      attrs: p.attrs ?? {},
    })),
    compiler: compiler(input.compiler),
    debug: { ...d.debug, ...defined(input.debug) },
  };
  if (cfg.work_dir === "") cfg.work_dir = cfg.output_dir;
  return cfg;
}
