/**
 * Mixed precision of a Horizon conversion (spec `horizon.md` §5.4, §5.8, §14): the
 * per-node precision that `node_info`, `quant_config` and `optimization` ask for (mapped
 * to layer configs by `core/config/horizon/_precision.ts`), adjusted to what the march
 * has, with a log line for every change:
 *
 * - a march without 16-bit activations (bernoulli2: "8-bit only", §8) turns every int16
 *   request into int8;
 * - on a march with them, int16 propagates: a node at int16 makes the tensors it reads and
 *   writes 16-bit, so their producers write and their consumers read int16 (the quantizer's
 *   tensor rule); each neighbour updated this way is logged. A neighbour that cannot follow
 *   is one the BPU does not run — it stays on the CPU in float — and its tensor keeps 8 bits
 *   towards it (logged as a fallback to int8);
 * - operators the march keeps in float by default (nash: Softmax) stay float unless a
 *   setting names them;
 * - float16 nodes (the winning `node_info` / `quant_config` setting says float16) are
 *   listed for `withFloat16Nodes` on a march that has float16 (nash); elsewhere they
 *   compute in float32 with a log line;
 * - `asymmetric` switches activations to asymmetric U8/U16; `set_model_output_int8|16` and
 *   `model_output_type` set the model outputs' precision; `lstm_batch_last` is not
 *   implemented and says so (`bias_correction` runs after quantization, in
 *   `horizon_build.ts`).
 *
 * @module
 */
import type { Model, Node } from "../../ir/graph.ts";
import type { Logger } from "../../util/log.ts";
import type { LayerConfig } from "../../config/build_config.ts";
import type { HorizonConfig } from "../../config/horizon/types.ts";
import { precisionOf as horizonPrecisionOf } from "../../config/horizon/quant_config.ts";
import {
  type NodePrecision,
  type Precision,
  PRECISION_RANK,
  precisionOf,
  type PrecisionPlan,
  resolvePrecision,
} from "../../quant/precision.ts";
import { ASYMMETRIC_NUMERIC, type NumericModel } from "../../quant/numeric_model.ts";

/** What the quantizer gets. */
export interface HorizonPrecisionPlan {
  readonly plan: PrecisionPlan;
  readonly numeric: NumericModel;
  /** Model outputs with a precision of their own. */
  readonly tensorPrecision: Map<string, Precision>;
  /** Names of the nodes that compute in float16. */
  readonly float16: ReadonlySet<string>;
}

const is16 = (p: Precision) => PRECISION_RANK[p] === 1;
const to8 = (p: Precision): Precision => (p === "U16" ? "U8" : p === "S16" ? "S8" : p);

/**
 * The precision plan of `model` for `h`.
 *
 * @param cpu nodes that run on the CPU (they compute in float, so they cannot follow int16)
 */
export function horizonPrecision(
  model: Model,
  h: HorizonConfig,
  layerConfigs: readonly LayerConfig[],
  base: NumericModel | undefined,
  cpu: ReadonlySet<Node>,
  log: Logger,
): HorizonPrecisionPlan {
  const g = model.graph;
  const opt = h.calibration_parameters.optimization;
  let numeric = base ?? ASYMMETRIC_NUMERIC;
  if (opt.includes("asymmetric")) {
    numeric = { ...numeric, activation8: "U8", activation16: "U16" };
    log.info("optimization asymmetric: activations are asymmetric (uint8/uint16)");
  }
  if (opt.includes("lstm_batch_last")) {
    log.warn("optimization lstm_batch_last is not implemented in axb; ignored");
  }
  const plan = resolvePrecision(g, layerConfigs);
  const named = new Set(plan.byNode.keys());
  for (const n of g.nodes) {
    if (numeric.floatByDefault?.includes(n.opType) && !named.has(n)) {
      plan.byNode.set(n, { data: "FP32", output: "FP32", weight: "S8" });
      log.info(`${n.opType} ${n.name} stays float (${h.march} default)`);
    }
  }
  const float16 = new Set<string>();
  for (const n of g.nodes) {
    if (!wantsFloat16(h, n)) continue;
    if (numeric.hasFloat16) float16.add(n.name);
    else log.warn(`${n.name}: ${h.march} has no float16; the node computes in float32`);
  }
  if (!numeric.has16Bit) {
    for (const [n, p] of plan.byNode) {
      if (is16(p.data) || is16(p.output)) {
        plan.byNode.set(n, { ...p, data: to8(p.data), output: to8(p.output) });
        log.warn(`${n.name}: ${h.march} has no int16; the node falls back to int8`);
      }
    }
  }
  const tensorPrecision = new Map<string, Precision>();
  if (numeric.has16Bit) propagate(model, plan, cpu, tensorPrecision, log);
  const wanted = opt.includes("set_model_output_int16")
    ? "int16"
    : opt.includes("set_model_output_int8")
    ? "int8"
    : h.quant_config?.model_config.model_output_type;
  if (wanted) {
    const p: Precision = wanted === "int16" && numeric.has16Bit ? "U16" : "U8";
    if (wanted === "int16" && !numeric.has16Bit) {
      log.warn(`model outputs: ${h.march} has no int16; they stay int8`);
    }
    for (const o of g.outputs) tensorPrecision.set(o.name, p);
    log.info(`model outputs are ${p === "U16" ? "int16" : "int8"}`);
  }
  return { plan, numeric, tensorPrecision, float16 };
}

/**
 * Whether the winning precision setting of `n` says float16: its `node_info` entry when it
 * sets a type (node_info names one node, the finest setting), else `quant_config`
 * (node > op > model, spec §5.8).
 */
function wantsFloat16(h: HorizonConfig, n: Node): boolean {
  const info = h.node_info.find((e) =>
    e.node === n.name &&
    (e.inputType !== undefined || e.outputType !== undefined ||
      Object.keys(e.inputTypes).length > 0)
  );
  if (info) {
    return [info.inputType, info.outputType, ...Object.values(info.inputTypes)].includes(
      "float16",
    );
  }
  return h.quant_config !== undefined &&
    horizonPrecisionOf(h.quant_config, n.name, n.opType) === "float16";
}

/**
 * Log every neighbour an int16 node updates; a CPU producer cannot follow, so its tensor is
 * capped at 8 bits in `caps`.
 */
function propagate(
  model: Model,
  plan: PrecisionPlan,
  cpu: ReadonlySet<Node>,
  caps: Map<string, Precision>,
  log: Logger,
): void {
  const g = model.graph;
  const producers = g.producers();
  const consumers = g.consumers();
  const wide = (n: Node) => {
    const p: NodePrecision = precisionOf(plan, n);
    return is16(p.data);
  };
  for (const n of g.nodes) {
    if (!wide(n)) continue;
    for (const t of n.inputs) {
      const p = t ? producers.get(t) : undefined;
      if (!p || wide(p)) continue;
      if (cpu.has(p)) caps.set(t, "U8");
      log.info(
        cpu.has(p)
          ? `int16 ${n.name}: ${p.name} runs on the CPU and cannot follow; ${t} falls back to int8`
          : `int16 ${n.name}: producer ${p.name} now writes ${t} in int16`,
      );
    }
    for (const t of n.outputs) {
      for (const c of consumers.get(t) ?? []) {
        if (wide(c)) continue;
        log.info(
          cpu.has(c)
            ? `int16 ${n.name}: ${c.name} runs on the CPU and cannot follow; it reads ${t} in float`
            : `int16 ${n.name}: consumer ${c.name} now reads ${t} in int16`,
        );
      }
    }
  }
}
