/**
 * The field tree of the config schema, read from the valibot schema itself (one source of
 * truth): which fields exist, which are repeated, which are messages or free-form Structs.
 * Used to report unknown fields with a suggestion and by the prototxt reader to know which
 * fields are repeated.
 *
 * @module
 */
import type * as v from "valibot";
import { buildConfigInputSchema } from "./schema.ts";
import { str, struct } from "./leaf.ts";
import { type ConfigWarning, formatPath, type PathSegment, showValue } from "./diagnostics.ts";
import { ConfigError } from "../errors/mod.ts";
import { nearest } from "../util/nearest.ts";

/** Shape of one schema node. */
export type FieldNode =
  | { readonly kind: "message"; readonly fields: ReadonlyMap<string, FieldNode> }
  | { readonly kind: "list"; readonly item: FieldNode }
  | { readonly kind: "struct" }
  | { readonly kind: "scalar" };

function isSchema(x: unknown): x is v.GenericSchema {
  return typeof x === "object" && x !== null && "kind" in x && x.kind === "schema";
}

/** Describe a valibot schema built from `object`/`optional`/`array` and leaf pipes. */
export function describeSchema(s: v.GenericSchema): FieldNode {
  if (s === struct) return { kind: "struct" };
  if ("wrapped" in s && isSchema(s.wrapped)) return describeSchema(s.wrapped);
  if (s.type === "array" && "item" in s && isSchema(s.item)) {
    return { kind: "list", item: describeSchema(s.item) };
  }
  if (s.type === "object" && "entries" in s && typeof s.entries === "object" && s.entries) {
    const fields = new Map<string, FieldNode>();
    for (const [k, e] of Object.entries(s.entries)) {
      if (isSchema(e)) fields.set(k, describeSchema(e));
    }
    return { kind: "message", fields };
  }
  return { kind: "scalar" };
}

let cached: FieldNode | undefined;
/** The field tree of `BuildConfig`. */
export function buildConfigTree(): FieldNode {
  // The tree's shape does not depend on which targets the two target fields accept.
  cached ??= describeSchema(buildConfigInputSchema({ target_hardware: str(), npu_mode: str() }));
  return cached;
}

/** Every (field name → dotted paths) of a tree, lists shown as `[]`, for misplaced keys. */
function allPaths(node: FieldNode, prefix: string, out: Map<string, string[]>): void {
  if (node.kind === "list") return allPaths(node.item, `${prefix}[]`, out);
  if (node.kind !== "message") return;
  for (const [name, child] of node.fields) {
    const p = prefix === "" ? name : `${prefix}.${name}`;
    out.set(name, [...(out.get(name) ?? []), p]);
    allPaths(child, p, out);
  }
}

/** Keys that carry comments in real configs (`_comment`, `//`, `#note`, `comment`). */
export function isCommentKey(key: string): boolean {
  return /^(_|\/\/|#)/.test(key) || /^comments?$/i.test(key);
}

/**
 * Copy `raw` keeping known fields only, reporting every other key: comment keys as notes,
 * anything else as a warning naming the path and the nearest known field. `null` values
 * mean "unset" (as in protobuf JSON) and are dropped.
 */
export function pruneUnknownFields(
  raw: unknown,
  node: FieldNode,
  where: { file: string; path?: PathSegment[] },
  warnings: ConfigWarning[],
): unknown {
  const path = where.path ?? [];
  if (node.kind === "list" && Array.isArray(raw)) {
    return raw.map((x, i) =>
      pruneUnknownFields(x, node.item, { ...where, path: [...path, i] }, warnings)
    );
  }
  if (node.kind === "message" && Array.isArray(raw)) {
    // valibot's object schema accepts arrays; a list where a message belongs is an error.
    const field = formatPath(path);
    throw new ConfigError(
      `Invalid value ${showValue(raw)} for ${
        field || "the top level"
      } in ${where.file}: expected an object (a message with named fields)`,
      { file: where.file, field },
    );
  }
  if (node.kind !== "message" || typeof raw !== "object" || raw === null) return raw;
  const out: Record<string, unknown> = {};
  let index: Map<string, string[]> | undefined;
  for (const [key, value] of Object.entries(raw)) {
    const child = node.fields.get(key);
    const at = formatPath([...path, key]);
    if (child) {
      if (value !== null) {
        out[key] = pruneUnknownFields(value, child, { ...where, path: [...path, key] }, warnings);
      }
      continue;
    }
    if (isCommentKey(key)) {
      warnings.push({
        severity: "note",
        field: at,
        file: where.file,
        message: `Skipped comment key ${at} in ${where.file}`,
      });
      continue;
    }
    const guess = nearest(key, [...node.fields.keys()]);
    let hint = guess ? ` (did you mean ${guess}?)` : "";
    if (!guess) {
      index ??= new Map();
      if (index.size === 0) allPaths(buildConfigTree(), "", index);
      const elsewhere = index.get(key);
      if (elsewhere) hint = ` (${key} belongs at ${elsewhere.join(" or ")})`;
    }
    const text = `Unknown field ${at} in ${where.file}${hint}; it is ignored`;
    warnings.push({ severity: "warning", field: at, file: where.file, message: text });
  }
  return out;
}
