/**
 * `output_processors` (spec `pulsar2-build.md` §4.7, §5.6): post-processing compiled
 * into the graph after named outputs, keeping each output's name.
 *
 * Before: `conv → out: float32[1, 255, 80, 80]`.
 * After (`dst_perm [0, 2, 3, 1]`, `output_dtype U8`):
 * `conv → tensor:post_src_1 → Clip[0, 255] → Round → Cast(uint8) → Transpose → out: uint8[1, 80, 80, 255]`.
 *
 * `output_dtype U8` saturates to [0, 255] and rounds half to even (ONNX `Round`), the
 * conversion of a uint8 quantiser with scale 1 and zero point 0; integer outputs are
 * clipped and cast. `FP32` (the default) leaves the output dtype alone.
 *
 * @module
 */
import { byTensorName } from "./_by_tensor_name.ts";
import type { Model, Node } from "../ir/graph.ts";
import type { DType } from "../ir/dtype.ts";
import { DTYPES } from "../ir/dtype.ts";
import type { Dim } from "../ir/types.ts";
import { scalar } from "../ir/tensor.ts";
import { attr } from "../ir/builder.ts";
import type { Logger } from "../util/log.ts";
import type { OutputProcessor } from "../config/build_config.ts";
import { ConfigError } from "../errors/mod.ts";
import { NameScope } from "../ir/names.ts";
import { castTo, dataTypeName, dtypeOfDataType, Emitter } from "./_edit.ts";
import { pyList, pyTuple } from "./_pyrepr.ts";

/** The logical steps inserted after one output. */
export type PostStep = "transpose" | "quant";

/** One output of the processed model. */
export interface RuntimeOutput {
  readonly name: string;
  readonly dtype: DType;
  readonly shape?: readonly Dim[];
  readonly steps: readonly PostStep[];
  /**
   * The axis that carries the batch: 0, or where `dst_perm` moved dim 0 to (`[1, 0]`
   * moves it to 1), so batched runs concatenate their samples along it.
   */
  readonly batchAxis: number;
}

/** Result of {@linkcode applyOutputProcessors}. */
export interface OutputProcessing {
  readonly model: Model;
  readonly outputs: readonly RuntimeOutput[];
}

/**
 * Insert the post-processing of every output a processor names (`DEFAULT` = every output
 * no other entry names), editing `model` in place. Outputs without a processor get the
 * default (nothing inserted), which is logged as pulsar2 does.
 *
 * @throws {ConfigError} naming `output_processors[i].<field>`
 */
export function applyOutputProcessors(
  model: Model,
  processors: readonly OutputProcessor[],
  log: Logger,
): OutputProcessing {
  const g = model.graph;
  const names = g.outputs.map((o) => o.name);
  const chosen = byTensorName(processors, names, "output_processors", "output");
  const defaults = names.filter((n) => !chosen.has(n));
  if (defaults.length) {
    log.warn(`apply default output processor configuration to ${pyList(defaults)}`);
  }
  const scope = new NameScope(g);
  const added: Node[] = [];
  const outputs: RuntimeOutput[] = [];
  let k = 0;
  g.outputs.forEach((o, oi) => {
    const type = o.type && !("kind" in o.type) ? o.type : undefined;
    const hit = chosen.get(o.name);
    log.info(`postprocess tensor [${o.name}]`);
    if (!hit) {
      outputs.push({
        name: o.name,
        dtype: type?.dtype ?? "f32",
        shape: type?.shape,
        steps: [],
        batchAxis: 0,
      });
      return;
    }
    const { p, index } = hit;
    const field = `output_processors[${index}]`;
    if (p.tensor_layout !== "DefaultLayout") {
      log.warn(
        `${field}.tensor_layout ${p.tensor_layout} has no effect (pulsar2 does not document it); use dst_perm to permute the output`,
      );
    }
    const perm = p.dst_perm.length ? checkPerm(p.dst_perm, type?.shape, field) : undefined;
    const want = dtypeOfDataType(p.output_dtype);
    let dtype: DType = type?.dtype ?? "f32";
    const quant = want === "u8" && dtype !== "u8";
    if (quant && (dtype === "bool" || dtype === "string")) {
      throw new ConfigError(
        `${field}.output_dtype U8 cannot convert the ${DTYPES[dtype].label} output "${o.name}"`,
        { field: `${field}.output_dtype` },
      );
    }
    if (!perm && !quant) {
      outputs.push({ name: o.name, dtype, shape: type?.shape, steps: [], batchAxis: 0 });
      return;
    }
    k++;
    const em = new Emitter(g, scope);
    let x = detach(g, o.name, scope.fresh(`tensor:post_src_${k}`), field);
    let shape = type?.shape;
    const steps: PostStep[] = [];
    // The dtype steps (element-wise) come before the transpose, so every value but the
    // output keeps the batch on axis 0: an NPU subgraph that ends or starts inside the chain
    // (a step on the CPU, e.g. Round where the chip lacks it) splits its batch on axis 0.
    if (quant) {
      const base = `post_quant_${k}`;
      log.info(
        `op: op:${base}, AxQuantizeLinear, {'const_inputs': {'y_scale': 1.0, 'y_zeropoint': 0}, 'output_dtype': 'U8'}`,
      );
      const lo = em.constant(`${base}/min`, scalar(dtype, 0));
      const hi = em.constant(`${base}/max`, scalar(dtype, 255));
      let v = em.op("Clip", [x, lo, hi], `${base}/clip`);
      if (DTYPES[dtype].isFloat) v = em.op("Round", [v], `${base}/round`);
      x = em.op("Cast", [v], base, castTo("u8"), perm ? undefined : o.name);
      dtype = "u8";
      steps.push("quant");
      log.info(`tensor: ${x}, ${pyTuple(shape ?? [])}, U8`);
    }
    if (perm) {
      const base = `post_transpose_${k}`;
      log.info(`op: op:${base}, AxTranspose, {'perm': ${pyList(perm)}}`);
      x = em.op("Transpose", [x], base, { perm: attr.ints(perm) }, o.name);
      shape = shape && perm.map((i) => shape?.[i] ?? null);
      steps.push("transpose");
      log.info(`tensor: ${x}, ${pyTuple(shape ?? [])}, ${dataTypeName(dtype)}`);
    }
    g.outputs[oi] = { ...o, type: { dtype, shape } };
    added.push(...em.nodes);
    outputs.push({ name: o.name, dtype, shape, steps, batchAxis: perm ? perm.indexOf(0) : 0 });
  });
  g.addNodes(added);
  return { model, outputs };
}

function checkPerm(
  perm: readonly number[],
  shape: readonly Dim[] | undefined,
  field: string,
): number[] {
  const rank = shape?.length ?? perm.length;
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((v, i) => v !== i)) {
    throw new ConfigError(
      `${field}.dst_perm is ${pyList(perm)}, expected a permutation of 0..${
        rank - 1
      } (the output has rank ${rank})`,
      { field: `${field}.dst_perm` },
    );
  }
  return [...perm];
}

/** Rename the value behind output `name` to `raw` (producer and inner uses); returns `raw`. */
function detach(g: Model["graph"], name: string, raw: string, field: string): string {
  const producer = g.nodes.find((n) => n.outputs.includes(name));
  if (!producer || g.inputs.some((v) => v.name === name) || g.initializers.has(name)) {
    throw new ConfigError(
      `${field}: output "${name}" is not computed by a node (it is a graph input or constant), so nothing can be inserted after it`,
      {
        field: `${field}.tensor_name`,
      },
    );
  }
  return g.detachOutput(name, raw);
}
