/**
 * Every operator axb implements, grouped by family. {@linkcode defaultRegistry} builds a
 * fresh registry; callers pass it down (there is no global registry).
 *
 * @module
 */
import { OpRegistry, type RegisteredOp } from "./op.ts";
import { elementwiseOps } from "./elementwise/mod.ts";
import { nnOps } from "./nn/mod.ts";
import { tensorOps } from "./tensor/mod.ts";
import { reduceOps } from "./reduce/mod.ts";
import { imageOps } from "./image/mod.ts";
import { rnnOps } from "./rnn/mod.ts";
import { controlOps } from "./control/mod.ts";
import { sequenceOps } from "./sequence/mod.ts";
import { miscOps } from "./misc/mod.ts";
import { caffeOps } from "./caffe/mod.ts";

/**
 * onnxruntime's `com.microsoft` operators with the same semantics as default-domain ones
 * axb implements: QuantizeLinear/DequantizeLinear (used by QDQ models for 16-bit types)
 * and Gelu (the fused form the frontend emits below opset 20).
 */
const MICROSOFT_ALIASES = new Set(["QuantizeLinear", "DequantizeLinear", "Gelu"]);

function microsoftAliases(ops: readonly RegisteredOp[]): RegisteredOp[] {
  return ops
    .filter((o) => o.domain === "" && MICROSOFT_ALIASES.has(o.opType))
    .map((o) => ({ ...o, domain: "com.microsoft" }));
}

/** All built-in operators. */
export function builtinOps(): RegisteredOp[] {
  const ops = [
    ...elementwiseOps,
    ...nnOps,
    ...tensorOps,
    ...reduceOps,
    ...imageOps,
    ...rnnOps,
    ...controlOps,
    ...sequenceOps,
    ...miscOps,
    ...caffeOps,
  ];
  return [...ops, ...microsoftAliases(ops)];
}

/** A registry with every built-in operator. */
export function defaultRegistry(): OpRegistry {
  return new OpRegistry(builtinOps());
}
