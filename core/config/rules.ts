/**
 * Rules spanning several fields of a `BuildConfig` (spec `pulsar2-build.md` §2–§5), run on
 * the effective config after file and flags are layered. The first violation throws a
 * {@linkcode ConfigError} naming the file (or the command line), the field path, the value
 * and what is allowed; lesser problems are reported as warnings. What a target allows (NPU
 * modes, documented model types) is the target's own statement in the registry.
 *
 * @module
 */
import { ConfigError } from "../errors/mod.ts";
import type { BuildConfig } from "./build_config.ts";
import type { BuildConfigInput } from "./schema.ts";
import { type ConfigWarning, showValue } from "./diagnostics.ts";
import { isYuv } from "./merge.ts";
import type { TargetRegistry } from "../../targets/registry.ts";
import { pulsar2Targets } from "./targets.ts";
import { caffeInputProblem } from "./caffe_input.ts";

/** Where a field's value came from, for messages: a file name or `command line`. */
export type Blame = (field: string) => string;

/** Context of {@linkcode checkRules}. */
export interface RuleContext {
  /** The registry `target_hardware` names a target of. */
  readonly targets: TargetRegistry;
  readonly blame: Blame;
  readonly warn: (w: ConfigWarning) => void;
  /** Refuse a config without `input`/`output_dir` (what `build` needs). */
  readonly requireIo?: boolean;
}

function fail(ctx: RuleContext, field: string, problem: string): never {
  const file = ctx.blame(field);
  const where = file === "command line" ? "on the command line" : `in ${file}`;
  throw new ConfigError(`Invalid ${field} ${where}: ${problem}`, { file, field });
}

function warn(ctx: RuleContext, field: string, message: string): void {
  ctx.warn({ severity: "warning", field, file: ctx.blame(field), message });
}

/** `A`, `A and B`, `A, B and C`. */
function joinAnd(names: readonly string[]): string {
  return names.length < 2
    ? names.join("")
    : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function checkTop(cfg: BuildConfig, ctx: RuleContext): void {
  const target = ctx.targets.get(cfg.target_hardware);
  const modes = target.npuModes.map((m) => m.name);
  if (!modes.includes(cfg.npu_mode)) {
    fail(
      ctx,
      "npu_mode",
      `${cfg.npu_mode} is not available on ${cfg.target_hardware}; allowed: ${modes.join(", ")}`,
    );
  }
  if (ctx.requireIo) {
    if (cfg.input === "") fail(ctx, "input", "no model given; pass --input MODEL or set input");
    if (cfg.output_dir === "") {
      fail(ctx, "output_dir", "no output directory; pass --output_dir DIR or set output_dir");
    }
  }
  const caffe = caffeInputProblem(cfg, ctx.requireIo === true);
  if (caffe) fail(ctx, caffe.field, caffe.problem);
  const type = cfg.model_type;
  if (target.modelTypes !== undefined && !target.modelTypes.includes(type)) {
    const documented = pulsar2Targets(ctx.targets)
      .filter((t) => t.modelTypes === undefined || t.modelTypes.includes(type))
      .map((t) => t.name);
    warn(
      ctx,
      "model_type",
      documented.length > 0
        ? `model_type ${type} is documented for ${joinAnd(documented)} only, not ${target.name}`
        : `model_type ${type} is not documented for ${target.name}`,
    );
  }
}

function checkQuant(cfg: BuildConfig, ctx: RuleContext): void {
  const seen = new Set<string>();
  cfg.quant.input_configs.forEach((c, i) => {
    const at = `quant.input_configs[${i}]`;
    if (c.tensor_name === "") {
      fail(ctx, `${at}.tensor_name`, `missing; give the model input name or "DEFAULT"`);
    }
    if (c.calibration_dataset === "") {
      fail(
        ctx,
        `${at}.calibration_dataset`,
        "missing; give a calibration archive (tar, tar.gz, zip)",
      );
    }
    if (seen.has(c.tensor_name)) {
      fail(ctx, `${at}.tensor_name`, `"${c.tensor_name}" is configured twice`);
    }
    seen.add(c.tensor_name);
    const m = c.calibration_mean.length, s = c.calibration_std.length;
    if (m > 0 && s > 0 && m !== s) {
      fail(
        ctx,
        `${at}.calibration_std`,
        `has ${s} values but calibration_mean has ${m}; give one per channel`,
      );
    }
  });
  cfg.quant.layer_configs.forEach((l, i) => {
    const at = `quant.layer_configs[${i}]`;
    if (l.layer_name !== "" && l.op_type !== "") {
      fail(
        ctx,
        at,
        `sets both layer_name ${showValue(l.layer_name)} and op_type ${
          showValue(l.op_type)
        }; use one selector per entry`,
      );
    }
    const hasStart = l.start_tensor_names.length > 0, hasEnd = l.end_tensor_names.length > 0;
    if (hasStart !== hasEnd) {
      fail(
        ctx,
        `${at}.${hasStart ? "end" : "start"}_tensor_names`,
        "missing; a subgraph selector needs both start_tensor_names and end_tensor_names",
      );
    }
    const kinds = [
      l.layer_name !== "" && "layer_name",
      l.op_type !== "" && "op_type",
      l.layer_names.length > 0 && "layer_names",
      l.op_types.length > 0 && "op_types",
      hasStart && "start_tensor_names/end_tensor_names",
    ].filter((k): k is string => typeof k === "string");
    if (kinds.length === 0) {
      fail(
        ctx,
        at,
        "selects no operator; set one of layer_name, op_type, layer_names, op_types or start_tensor_names/end_tensor_names",
      );
    }
    if (kinds.length > 1) {
      fail(ctx, at, `mixes selectors ${kinds.join(" and ")}; use one selector kind per entry`);
    }
    const types = [l.op_type, ...l.op_types];
    if (l.data_type === "FP32" && types.includes("Conv")) {
      fail(
        ctx,
        `${at}.data_type`,
        `FP32 is not allowed for Conv; keep data_type U8/U16 and set output_data_type: "FP32" for a float output`,
      );
    }
  });
}

function checkProcessors(cfg: BuildConfig, ctx: RuleContext): void {
  let extra: number | undefined;
  cfg.input_processors.forEach((p, i) => {
    const at = `input_processors[${i}]`;
    if (p.tensor_name === "") {
      fail(ctx, `${at}.tensor_name`, `missing; give the model input name or "DEFAULT"`);
    }
    if (extra !== undefined && p.src_extra_shapes.length !== extra) {
      fail(
        ctx,
        `${at}.src_extra_shapes`,
        `lists ${p.src_extra_shapes.length} shapes but input_processors[0] lists ${extra}; every input must list the same number`,
      );
    }
    extra ??= p.src_extra_shapes.length;
    p.src_extra_shapes.forEach((s, k) => {
      if (s.shape.length === 0) {
        fail(
          ctx,
          `${at}.src_extra_shapes[${k}].shape`,
          "missing or empty; give the full shape, e.g. [1, 3, 384, 384]",
        );
      }
    });
    if (p.mean.length > 0 && p.std.length > 0 && p.mean.length !== p.std.length) {
      fail(ctx, `${at}.std`, `has ${p.std.length} values but mean has ${p.mean.length}`);
    }
    for (const f of ["padding", "slicing"] as const) {
      if (p[f].length % 2 !== 0) {
        fail(
          ctx,
          `${at}.${f}`,
          `has ${p[f].length} values; expected start/end pairs (an even count)`,
        );
      }
    }
    checkCsc(p, at, ctx);
  });
  cfg.output_processors.forEach((p, i) => {
    const at = `output_processors[${i}]`;
    if (p.tensor_name === "") {
      fail(ctx, `${at}.tensor_name`, `missing; give the model output name or "DEFAULT"`);
    }
    const sorted = [...p.dst_perm].sort((a, b) => a - b);
    if (sorted.some((x, k) => x !== k)) {
      fail(
        ctx,
        `${at}.dst_perm`,
        `${showValue(p.dst_perm)} is not a permutation of 0..${p.dst_perm.length - 1}`,
      );
    }
  });
  cfg.const_processors.forEach((c, i) => {
    if (c.name === "") {
      fail(ctx, `const_processors[${i}].name`, "missing; give the constant tensor name");
    }
    if (c.data.length > 0 && c.data_path !== "") {
      // The manual's complete config template writes both; the values come from data.
      warn(
        ctx,
        `const_processors[${i}].data_path`,
        `const_processors[${i}].data_path ${
          showValue(c.data_path)
        } is not read because data is given (data wins over data_path)`,
      );
    }
  });
  for (const key of ["op_processors", "quant_op_processors"] as const) {
    cfg[key].forEach((p, i) => {
      if (p.op_name === "") fail(ctx, `${key}[${i}].op_name`, "missing; give the operator name");
    });
  }
}

function checkCsc(p: BuildConfig["input_processors"][number], at: string, ctx: RuleContext): void {
  if (p.csc_mode === "Matrix") {
    if (p.csc_mat.length !== 12) {
      fail(
        ctx,
        `${at}.csc_mat`,
        `has ${p.csc_mat.length} numbers; csc_mode Matrix needs 12 (a 3x4 row-major matrix)`,
      );
    }
    p.csc_mat.forEach((x, k) => {
      const bias = k % 4 === 3;
      const ok = bias ? x > -9 && x < 8 : x > -524289 && x < 524288;
      if (!ok) {
        fail(
          ctx,
          `${at}.csc_mat[${k}]`,
          `${x} is out of range; ${
            bias
              ? "bias elements (3, 7, 11) must lie in (-9, 8)"
              : "matrix elements must lie in (-524289, 524288)"
          }`,
        );
      }
    });
  } else if (p.csc_mat.length > 0) {
    warn(
      ctx,
      `${at}.csc_mat`,
      `${at}.csc_mat is ignored because csc_mode is ${p.csc_mode}, not Matrix`,
    );
  }
  if (p.csc_mode !== "NoCSC") {
    if (p.src_format === "AutoColorSpace" || p.src_format === p.tensor_format) {
      warn(
        ctx,
        `${at}.csc_mode`,
        `ignore input csc config of ${at} because src_format is AutoColorSpace or src_format and tensor_format are the same`,
      );
    } else if (!isYuv(p.src_format)) {
      warn(
        ctx,
        `${at}.csc_mode`,
        `${at}.csc_mode ${p.csc_mode} has no effect: colour conversion runs only from YUV formats, src_format is ${p.src_format}`,
      );
    }
  }
}

function checkCompiler(cfg: BuildConfig, input: BuildConfigInput, ctx: RuleContext): void {
  const c = cfg.compiler;
  if (c.static_batch_sizes.length > 0 && c.max_dynamic_batch_size > 0) {
    fail(
      ctx,
      "compiler.static_batch_sizes",
      `${
        showValue(c.static_batch_sizes)
      } conflicts with compiler.max_dynamic_batch_size ${c.max_dynamic_batch_size}; static and dynamic batch are mutually exclusive, set only one`,
    );
  }
  for (const f of ["start_tensor_names", "end_tensor_names"] as const) {
    if (input.compiler?.[f]?.length) {
      fail(ctx, `compiler.${f}`, "is only valid inside compiler.sub_configs[]");
    }
  }
  c.sub_configs.forEach((s, i) => {
    const at = `compiler.sub_configs[${i}]`;
    const own = input.compiler?.sub_configs?.[i];
    if (own?.sub_configs !== undefined) {
      fail(
        ctx,
        `${at}.sub_configs`,
        "sub_configs may not nest; list every range in compiler.sub_configs",
      );
    }
    if (s.start_tensor_names.length === 0 || s.end_tensor_names.length === 0) {
      fail(
        ctx,
        at,
        "needs start_tensor_names and end_tensor_names (tensors of the frontend graph, see --debug.dump_frontend_graph)",
      );
    }
    if (s.static_batch_sizes.length > 0 && s.max_dynamic_batch_size > 0) {
      fail(
        ctx,
        `${at}.static_batch_sizes`,
        `conflicts with max_dynamic_batch_size ${s.max_dynamic_batch_size}; set only one`,
      );
    }
  });
}

/** Check every cross-field rule; throws on the first violation. */
export function checkRules(cfg: BuildConfig, input: BuildConfigInput, ctx: RuleContext): void {
  checkTop(cfg, ctx);
  checkQuant(cfg, ctx);
  checkProcessors(cfg, ctx);
  checkCompiler(cfg, input, ctx);
}
