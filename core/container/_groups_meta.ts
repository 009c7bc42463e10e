/**
 * The `axb.groups` metadata entry: per input-shape group its graph inputs/outputs and
 * its subgraphs in execution order (NPU: node name and batches; CPU: how many inline
 * nodes follow), with each subgraph's boundary types. The reader walks the graph's
 * nodes with it.
 *
 * @module
 */
import * as v from "valibot";
import type { ValueInfo } from "../ir/graph.ts";
import { type DType, DTYPES } from "../ir/dtype.ts";
import type { Dim } from "../ir/types.ts";

/** Metadata key of the group table. */
export const GROUPS_KEY = "axb.groups";
/** Metadata key of the axb version that wrote the container. */
export const VERSION_KEY = "axb.version";
/** Metadata key of the target name. */
export const TARGET_KEY = "axb.target";
/** Metadata key of the effective build configuration (JSON). */
export const CONFIG_KEY = "axb.config";
/** Layout version of `axb.groups`. */
export const GROUPS_FORMAT = 1 as const;

const DTYPE_NAMES = Object.keys(DTYPES) as DType[];

const ValueInfoSchema = v.object({
  name: v.string(),
  dtype: v.optional(v.picklist(DTYPE_NAMES)),
  shape: v.optional(v.array(v.nullable(v.union([v.number(), v.string()])))),
  doc: v.optional(v.string()),
});

const SubgraphSchema = v.variant("kind", [
  v.object({
    kind: v.literal("npu"),
    name: v.string(),
    node: v.string(),
    batches: v.array(v.number()),
    inputs: v.array(ValueInfoSchema),
    outputs: v.array(ValueInfoSchema),
  }),
  v.object({
    kind: v.literal("cpu"),
    name: v.string(),
    nodes: v.number(),
    inputs: v.array(ValueInfoSchema),
    outputs: v.array(ValueInfoSchema),
  }),
]);

const GroupSchema = v.object({
  index: v.number(),
  inputs: v.array(v.string()),
  outputs: v.array(v.string()),
  subgraphs: v.array(SubgraphSchema),
});

const GroupsSchema = v.object({
  format: v.literal(GROUPS_FORMAT),
  groups: v.array(GroupSchema),
});

/** A value info as stored in the metadata. */
export interface ValueInfoJson {
  /** Value name. */
  name: string;
  /** Element type; absent for untyped and non-tensor values. */
  dtype?: DType;
  /** Dimensions (number, symbolic name, or null for unknown); absent for unknown rank. */
  shape?: (number | string | null)[];
  /** The value's doc string, when it has one. */
  doc?: string;
}
/** One subgraph entry of a group. */
export type SubgraphMeta =
  | {
    kind: "npu";
    name: string;
    node: string;
    batches: number[];
    inputs: ValueInfoJson[];
    outputs: ValueInfoJson[];
  }
  | { kind: "cpu"; name: string; nodes: number; inputs: ValueInfoJson[]; outputs: ValueInfoJson[] };
/** One group entry. */
export interface GroupMeta {
  /** Group number: 0 for the original shapes, k for the k-th extra shape set. */
  index: number;
  /** Names of the group's graph inputs. */
  inputs: string[];
  /** Names of the group's graph outputs. */
  outputs: string[];
  /** The group's subgraphs in execution order. */
  subgraphs: SubgraphMeta[];
}
/** The whole `axb.groups` value. */
export interface GroupsMeta {
  format: typeof GROUPS_FORMAT;
  groups: GroupMeta[];
}

/** A value info as JSON (non-tensor types are recorded without a type). */
export function valueInfoToJson(vi: ValueInfo): ValueInfoJson {
  const out: ValueInfoJson = { name: vi.name };
  const t = vi.type;
  if (t && !("kind" in t)) {
    out.dtype = t.dtype;
    if (t.shape) out.shape = [...t.shape];
  }
  if (vi.docString) out.doc = vi.docString;
  return out;
}

/** The value info a JSON entry describes. */
export function valueInfoFromJson(j: ValueInfoJson): ValueInfo {
  const vi: ValueInfo = { name: j.name };
  if (j.dtype !== undefined) {
    vi.type = j.shape ? { dtype: j.dtype, shape: j.shape.map((d): Dim => d) } : { dtype: j.dtype };
  }
  if (j.doc !== undefined) vi.docString = j.doc;
  return vi;
}

/**
 * Parse the `axb.groups` text; returns the value or a one-line description of the
 * first problem.
 */
export function parseGroupsMeta(text: string): GroupsMeta | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return `${GROUPS_KEY} is not JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  const r = v.safeParse(GroupsSchema, raw);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = v.getDotPath(issue) ?? "";
  return `${GROUPS_KEY}${path ? `.${path}` : ""}: ${issue.message}`;
}
