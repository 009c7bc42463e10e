/**
 * The `ai.axb.npu::NpuSubgraph` node: its attribute names, how a compiled NPU
 * subgraph becomes node attributes, and how the program model is rebuilt from them.
 * Shared by the writer, the reader and the runtime kernel.
 *
 * @module
 */
import type { Attribute, AttrReader } from "../ir/attribute.ts";
import type { Graph, Model } from "../ir/graph.ts";
import type { BatchCost } from "../compile/types.ts";
import { canonicalJson } from "./_json.ts";

/** Domain of axb's NPU subgraph nodes. */
export const NPU_DOMAIN = "ai.axb.npu";

/** Op type of an NPU subgraph node. */
export const NPU_OP_TYPE = "NpuSubgraph";

/** Version of the `ai.axb.npu` operator set declared in the container. */
export const NPU_DOMAIN_VERSION = 1;

/** Default-domain opset used when the container holds no NPU program to take it from. */
export const FALLBACK_OPSET = 17;

/** Everything an NPU node carries besides its inputs and outputs. */
export interface NpuNodeAttrs {
  /** The QDQ program graph (weights stored once as its initializers). */
  readonly program: Graph;
  /** Default-domain opset of the program. */
  readonly opset: number;
  /** Other domains the program uses (`com.microsoft` for 16-bit QDQ), by name. */
  readonly programOpsets: ReadonlyMap<string, number>;
  /** The program model's metadata (`axb.quant` bookkeeping). */
  readonly programMetadata: ReadonlyMap<string, string>;
  /** Compiled batch sizes, ascending. */
  readonly batches: readonly number[];
  /**
   * Batch axis of each node output, when one is not 0 (`batch_axes`); `undefined` when
   * every output carries the batch on axis 0 (the node then has no such attribute).
   */
  readonly batchAxes: readonly number[] | undefined;
  /** Target name (`AX650`). */
  readonly target: string;
  /** Core mode (`NPU1`). */
  readonly npuMode: string;
  /** Input-shape group the node belongs to. */
  readonly group: number;
  /** Tiling plan as canonical JSON text. */
  readonly tiling: string;
  /**
   * Per-batch cost as canonical JSON text; `undefined` when the target made no estimate
   * (the node then has no `cost` attribute).
   */
  readonly cost: string | undefined;
}

/** Node attributes of an NPU subgraph, in a fixed order. */
export function npuAttributes(a: NpuNodeAttrs): Map<string, Attribute> {
  const attrs = new Map<string, Attribute>([
    ["program", { kind: "graph", value: a.program }],
    ["opset", { kind: "int", value: a.opset }],
  ]);
  if (a.programOpsets.size) {
    const entries = [...a.programOpsets].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    attrs.set("opset_imports", {
      kind: "strings",
      value: entries.map(([d, v]) => `${d}=${v}`),
    });
  }
  if (a.programMetadata.size) {
    attrs.set("program_metadata", {
      kind: "string",
      value: canonicalJson(Object.fromEntries(a.programMetadata)),
    });
  }
  attrs.set("batches", { kind: "ints", value: [...a.batches] });
  if (a.batchAxes !== undefined) attrs.set("batch_axes", { kind: "ints", value: [...a.batchAxes] });
  attrs.set("target", { kind: "string", value: a.target });
  attrs.set("npu_mode", { kind: "string", value: a.npuMode });
  attrs.set("group", { kind: "int", value: a.group });
  attrs.set("tiling", { kind: "string", value: a.tiling });
  if (a.cost !== undefined) attrs.set("cost", { kind: "string", value: a.cost });
  return attrs;
}

/** Problems found while reading NPU node attributes, as short phrases. */
export type AttrProblem = (what: string) => Error;

/** Read the attributes of an NPU node; `fail` builds the error for a bad attribute. */
export function readNpuAttributes(r: AttrReader, fail: AttrProblem): NpuNodeAttrs {
  const program = r.graph("program");
  const opset = r.intOpt("opset");
  if (opset === undefined) throw fail("has no opset attribute");
  const programOpsets = new Map<string, number>();
  for (const entry of r.strings("opset_imports", [])) {
    const m = /^(.*)=(\d+)$/.exec(entry);
    if (!m) throw fail(`has opset_imports entry "${entry}", expected "domain=version"`);
    programOpsets.set(m[1], Number(m[2]));
  }
  const programMetadata = new Map<string, string>();
  const metaText = r.stringOpt("program_metadata");
  if (metaText !== undefined) {
    const parsed = parseJson(metaText, "program_metadata", fail);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw fail("has program_metadata that is not a JSON object");
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== "string") throw fail(`has program_metadata["${k}"] that is not a string`);
      programMetadata.set(k, v);
    }
  }
  const batches = r.intsOpt("batches");
  if (!batches || batches.length === 0) throw fail("has no batches attribute");
  if (batches.some((b, i) => !Number.isInteger(b) || b < 1 || (i > 0 && b <= batches[i - 1]))) {
    throw fail(`has batches [${batches.join(", ")}], expected ascending positive integers`);
  }
  const batchAxes = r.intsOpt("batch_axes");
  if (batchAxes?.some((x) => !Number.isInteger(x) || x < 0)) {
    throw fail(`has batch_axes [${batchAxes.join(", ")}], expected non-negative integers`);
  }
  const tiling = r.string("tiling", "null");
  const cost = r.stringOpt("cost");
  parseJson(tiling, "tiling", fail);
  if (cost !== undefined) parseJson(cost, "cost", fail);
  return {
    program,
    opset,
    programOpsets,
    programMetadata,
    batches,
    batchAxes,
    target: r.string("target", ""),
    npuMode: r.string("npu_mode", ""),
    group: r.int("group", 0),
    tiling,
    cost,
  };
}

/** Parse JSON text held in attribute `name`. */
export function parseJson(text: string, name: string, fail: AttrProblem): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fail(`has ${name} that is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Parse the cost attribute text into batch costs; no attribute means no estimate. */
export function parseCost(text: string | undefined, fail: AttrProblem): BatchCost[] | undefined {
  if (text === undefined) return undefined;
  const v = parseJson(text, "cost", fail);
  if (!Array.isArray(v)) throw fail("has cost that is not a JSON array");
  return v.map((c: unknown, i) => {
    if (c === null || typeof c !== "object") throw fail(`has cost[${i}] that is not an object`);
    const rec = c as Record<string, unknown>;
    const num = (k: string) => {
      const x = rec[k];
      if (typeof x !== "number") throw fail(`has cost[${i}].${k} that is not a number`);
      return x;
    };
    return {
      batch: num("batch"),
      cycles: num("cycles"),
      ddrBytes: num("ddrBytes"),
      latencyMs: num("latencyMs"),
    };
  });
}

/** The program as a standalone model (what `fromQdqModel` reads). */
export function programModel(a: NpuNodeAttrs, irVersion: number, producerVersion = ""): Model {
  const opsets = new Map<string, number>([["", a.opset]]);
  for (const [d, v] of a.programOpsets) opsets.set(d, v);
  return {
    irVersion,
    opsetImports: opsets,
    producerName: "axb",
    producerVersion,
    domain: "",
    modelVersion: 0,
    docString: "",
    metadataProps: new Map(a.programMetadata),
    graph: a.program,
    opaque: { functions: [], trainingInfo: [] },
  };
}
