/**
 * Validation of the values fed to a graph: every runtime input present, of the declared
 * kind (tensor, sequence, optional), dtypes equal, static dims equal, symbolic dims bound
 * consistently.
 *
 * @module
 */
import type { Graph } from "../ir/graph.ts";
import { formatShape } from "../ir/tensor.ts";
import { isTensor, type Value, valueKind } from "../ir/value.ts";
import { DTYPES } from "../ir/dtype.ts";
import { InputDataError } from "../errors/mod.ts";

/** Throw {@linkcode InputDataError} naming the input when `feeds` do not fit `graph`. */
export function checkFeeds(graph: Graph, feeds: ReadonlyMap<string, Value>): void {
  const bound = new Map<string, number>();
  for (const input of graph.runtimeInputs) {
    const t = feeds.get(input.name);
    if (!t) throw new InputDataError(`Missing input tensor "${input.name}"`);
    const type = input.type;
    const expected = !type ? undefined : "kind" in type ? type.kind : "tensor";
    if (expected && expected !== "opaque" && expected !== valueKind(t)) {
      throw new InputDataError(
        `Input "${input.name}" must be a ${expected}, got a ${valueKind(t)}`,
      );
    }
    if (!type || "kind" in type || !isTensor(t)) continue;
    if (type.dtype !== t.dtype) {
      throw new InputDataError(
        `Input "${input.name}" must be ${DTYPES[type.dtype].label}, got ${DTYPES[t.dtype].label}`,
      );
    }
    if (!type.shape) continue;
    const fits = type.shape.length === t.shape.length && type.shape.every((d, i) => {
      const actual = t.shape[i];
      if (typeof d === "number") return d === actual;
      if (typeof d === "string") {
        const prev = bound.get(d);
        if (prev === undefined) bound.set(d, actual);
        return prev === undefined || prev === actual;
      }
      return true;
    });
    if (!fits) {
      throw new InputDataError(
        `Input "${input.name}" must have shape ${formatShape(type.shape)}, got ${
          formatShape(t.shape)
        }`,
      );
    }
  }
  const known = new Set(graph.inputs.map((v) => v.name));
  for (const name of feeds.keys()) {
    if (!known.has(name)) {
      throw new InputDataError(
        `Unknown input "${name}"; the model's inputs are ${
          graph.runtimeInputs.map((v) => `"${v.name}"`).join(", ")
        }`,
      );
    }
  }
}
