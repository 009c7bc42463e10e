/**
 * The one operator-set lookup: which version of a domain's operators a model uses.
 *
 * The rule, used by the executor, constant folding, shape inference, legality and the
 * passes alike:
 *
 * 1. The domain's spelling is normalised: `"ai.onnx"` and `""` both name the default
 *    ONNX domain (the IR spells it `""`).
 * 2. The version is the one the model imports for that domain (when both spellings are
 *    imported, the higher version, as the loader merges them).
 * 3. A domain the model does not import is at version 1, the first version of every
 *    domain. ONNX files before IR version 3 carry no opset import and mean exactly that;
 *    later files must import every domain they use, so only hand-built models reach it.
 *
 * @module
 */
import type { Model } from "./graph.ts";

/** Version of a domain the model does not import (rule 3 of this module). */
export const UNIMPORTED_OPSET_VERSION = 1;

/**
 * The IR's spelling of an ONNX domain: `"ai.onnx"` becomes `""` (the default domain);
 * every other domain is kept as written.
 *
 * @param domain an operator or opset-import domain
 * @returns `""` for the default domain, else `domain`
 */
export function normalizeDomain(domain: string): string {
  return domain === "ai.onnx" ? "" : domain;
}

/**
 * The operator-set version of `domain` in `model`, by this module's rule: the imported
 * version of the (normalised) domain, or {@linkcode UNIMPORTED_OPSET_VERSION} when the
 * model does not import it.
 *
 * @example
 * ```ts
 * import { opsetOf } from "./opset.ts";
 * const model = { opsetImports: new Map([["", 13]]) };
 * opsetOf(model, "ai.onnx"); // 13
 * opsetOf(model, "com.microsoft"); // 1
 * ```
 *
 * @param model the model (only its opset imports are read)
 * @param domain a node's domain (`""`, `"ai.onnx"`, `"com.microsoft"`, …)
 * @returns the version its operators follow
 */
export function opsetOf(model: Pick<Model, "opsetImports">, domain: string): number {
  const want = normalizeDomain(domain);
  let version: number | undefined;
  for (const [d, v] of model.opsetImports) {
    if (normalizeDomain(d) === want) version = Math.max(version ?? v, v);
  }
  return version ?? UNIMPORTED_OPSET_VERSION;
}
