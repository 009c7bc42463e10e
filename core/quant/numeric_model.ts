/**
 * A target's activation scheme as data the quantizer reads (DESIGN.md "target contract":
 * emulator hooks where the target's integer arithmetic differs). The default is the
 * pulsar2 scheme (U8 / U16 asymmetric per tensor); a target whose NPU quantizes
 * symmetrically (Horizon's BPU, spec `horizon.md` §1, §8) supplies S8 / S16 and the
 * operators that may leave a model output in their 32-bit accumulator.
 *
 * Weights (S8 per output channel) and biases (S32) are the same in every scheme.
 *
 * @module
 */
import type { Graph } from "../ir/graph.ts";
import type { Precision } from "./precision.ts";

/** How activations are represented on a target. */
export interface NumericModel {
  /** Short description for logs (`int8 symmetric`). */
  readonly name: string;
  /** The 8-bit activation type: U8 asymmetric or S8 symmetric (zero point 0, scale amax/127). */
  readonly activation8: "U8" | "S8";
  /** The 16-bit activation type. */
  readonly activation16: "U16" | "S16";
  /**
   * Operator types that may write a model output straight from their 32-bit accumulator
   * (dequantized on the CPU, so the output keeps float precision). Absent: every operator
   * requantizes its output to the activation type.
   */
  readonly wideOutputOps?: readonly string[];
  /** Whether 16-bit activations exist (false: every 16-bit request falls back to 8 bits). */
  readonly has16Bit?: boolean;
  /** Whether float16 nodes exist (false: a float16 request computes in float32). */
  readonly hasFloat16?: boolean;
  /** Operator types kept in float unless a configuration quantizes them. */
  readonly floatByDefault?: readonly string[];
}

/** pulsar2's scheme (DESIGN.md "Numeric model"): U8/U16 asymmetric per tensor. */
export const ASYMMETRIC_NUMERIC: NumericModel = {
  name: "uint8 asymmetric",
  activation8: "U8",
  activation16: "U16",
};

/**
 * `p` in the scheme of `nm`: the unsigned defaults take the scheme's types (U16 on a
 * symmetric target is S16); explicit signed requests and FP32 stay as asked.
 */
export function inScheme(p: Precision, nm: NumericModel): Precision {
  if (p === "U8") return nm.activation8;
  if (p === "U16") return nm.activation16;
  return p;
}

/** Single-input activations that run after a wide tail operator on the CPU (§8). */
const TAIL_ACTIVATIONS = new Set(["Relu", "Clip", "LeakyRelu", "PRelu"]);

/**
 * Tensors that stay float because of the wide-output rule: a model output written by a
 * wide operator, and — when the output is an activation (Relu, Clip…) whose input comes
 * from a wide operator read by nothing else — that operator's output too (the operator
 * keeps its 32-bit output and the activation runs on the CPU, spec `horizon.md` §8).
 */
export function wideTailTensors(g: Graph, nm: NumericModel): Set<string> {
  const wide = new Set(nm.wideOutputOps ?? []);
  const out = new Set<string>();
  if (wide.size === 0) return out;
  const producers = g.producers();
  const consumers = g.consumers();
  for (const o of g.outputs) {
    const p = producers.get(o.name);
    if (!p) continue;
    if (wide.has(p.opType)) {
      out.add(o.name);
      continue;
    }
    const src = p.inputs[0];
    const q = src ? producers.get(src) : undefined;
    if (
      TAIL_ACTIVATIONS.has(p.opType) && q && wide.has(q.opType) &&
      (consumers.get(src)?.length ?? 0) === 1 && !g.isOutput(src)
    ) {
      out.add(src);
      out.add(o.name);
    }
  }
  return out;
}
