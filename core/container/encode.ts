/**
 * Write a {@linkcode CompiledModel} as `compiled.axmodel`: one ONNX model whose NPU
 * subgraphs are `ai.axb.npu::NpuSubgraph` nodes carrying their QDQ program as a graph
 * attribute, and whose CPU subgraphs are plain ONNX nodes.
 *
 * Layout:
 * - graph `axb-compiled`; inputs/outputs = every group's inputs/outputs in group order
 *   (group k > 0 names them `<name>_<k>`; shapes as the caller gives them: the largest
 *   compiled batch, or the configured dynamic maximum);
 * - nodes in group order, then subgraph order; an NPU node is named after its subgraph
 *   (`subgraph_npu_0`; in group k `subgraph_npu_0_g<k>`) and holds `program`, `opset`,
 *   `opset_imports` (other program domains), `program_metadata`, `batches`, `batch_axes`
 *   (only when an output carries its batch on another axis than 0), `target`, `npu_mode`,
 *   `group`, `tiling` and `cost` (left out when the target made no estimate);
 * - initializers = the CPU subgraphs' float initializers, sorted by name; value_info
 *   types every subgraph boundary value that is not a graph input/output;
 * - metadata `axb.version`, `axb.target`, `axb.config`, `axb.groups`; producer `axb`.
 *
 * The output is a pure function of the input: no timestamps or random ids, JSON with
 * sorted keys, nodes in a fixed order.
 *
 * @module
 */
import { Graph, type Model, type Node, type ValueInfo } from "../ir/graph.ts";
import type { CompiledGroup, CompiledModel, CompiledSubgraph } from "../compile/types.ts";
import { GraphError } from "../errors/mod.ts";
import { saveModel } from "../onnx/save.ts";
import { canonicalJson } from "./_json.ts";
import {
  FALLBACK_OPSET,
  NPU_DOMAIN,
  NPU_DOMAIN_VERSION,
  NPU_OP_TYPE,
  npuAttributes,
} from "./_npu_node.ts";
import {
  CONFIG_KEY,
  GROUPS_FORMAT,
  GROUPS_KEY,
  type GroupsMeta,
  type SubgraphMeta,
  TARGET_KEY,
  valueInfoToJson,
  VERSION_KEY,
} from "./_groups_meta.ts";

/** Name of the container's graph. */
export const COMPILED_GRAPH_NAME = "axb-compiled";

/** Lowest IR version the container is written with (opset 17 needs IR 8). */
const MIN_IR_VERSION = 8;

/** Name of the NPU node of subgraph `name` in group `group`. */
export function npuNodeName(name: string, group: number): string {
  return group > 0 ? `${name}_g${group}` : name;
}

function docString(cm: CompiledModel): string {
  return `compiled.axmodel written by axb ${cm.version} for target ${cm.target}. ` +
    `An ONNX container: NPU subgraphs are ${NPU_DOMAIN}::${NPU_OP_TYPE} nodes holding ` +
    `their quantized (QDQ) program; CPU subgraphs are plain ONNX nodes. This is not a ` +
    `vendor board binary: board runtimes cannot load it; axb run emulates it`;
}

function checkBatches(s: Extract<CompiledSubgraph, { kind: "npu" }>, group: number): void {
  const b = s.batches;
  if (
    b.length === 0 || b.some((x, i) => !Number.isInteger(x) || x < 1 || (i > 0 && x <= b[i - 1]))
  ) {
    throw new GraphError(
      `Subgraph "${s.name}" of group ${group} has batches [${b.join(", ")}], ` +
        `expected ascending positive integers`,
    );
  }
  const axes = s.outputBatchAxes;
  if (axes && axes.length !== s.outputs.length) {
    throw new GraphError(
      `Subgraph "${s.name}" of group ${group} has ${axes.length} output batch axes for ` +
        `${s.outputs.length} outputs`,
    );
  }
  const prog = s.program.graph;
  const nIn = prog.runtimeInputs.length;
  if (nIn !== s.inputs.length || prog.outputs.length !== s.outputs.length) {
    throw new GraphError(
      `Subgraph "${s.name}" of group ${group} has ${s.inputs.length} inputs and ` +
        `${s.outputs.length} outputs, but its program has ${nIn} and ${prog.outputs.length}`,
    );
  }
}

/** Opsets of the container: the default domain, ai.axb.npu, and every other domain used. */
function containerOpsets(groups: readonly CompiledGroup[]): Map<string, number> {
  let main = 0;
  const others = new Map<string, number>([[NPU_DOMAIN, NPU_DOMAIN_VERSION]]);
  const bump = (d: string, ver: number) => others.set(d, Math.max(ver, others.get(d) ?? 0));
  for (const g of groups) {
    for (const s of g.subgraphs) {
      if (s.kind === "npu") {
        for (const [d, ver] of s.program.opsetImports) {
          if (d === "" || d === "ai.onnx") main = Math.max(main, ver);
          else bump(d, ver);
        }
      } else {
        for (const n of s.nodes) if (n.domain && n.domain !== "ai.onnx") bump(n.domain, 1);
      }
    }
  }
  const sorted = [...others].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map([["", main || FALLBACK_OPSET], ...sorted]);
}

/**
 * Build the container model (not yet serialised).
 *
 * @param cm the compiled model
 * @returns the ONNX model that `compiled.axmodel` holds
 * @throws {GraphError} when two groups or subgraphs produce the same value, a name is
 * reused across groups, or an NPU subgraph's batches/program do not fit its I/O
 */
export function encodeCompiledModel(cm: CompiledModel): Model {
  const g = new Graph({ name: COMPILED_GRAPH_NAME });
  const producedBy = new Map<string, string>();
  const produce = (value: string, by: string) => {
    if (!value) return;
    const prev = producedBy.get(value);
    if (prev !== undefined) {
      throw new GraphError(
        `Value "${value}" is produced by both ${prev} and ${by}; every group must name its ` +
          `values apart (group k suffixes them with _k)`,
      );
    }
    producedBy.set(value, by);
  };
  const seenGroups = new Set<number>();
  for (const grp of cm.groups) {
    if (seenGroups.has(grp.index)) {
      throw new GraphError(`Group index ${grp.index} appears twice in the compiled model`);
    }
    seenGroups.add(grp.index);
    for (const vi of grp.inputs) {
      produce(vi.name, `the input of group ${grp.index}`);
      g.inputs.push({ ...vi });
    }
    g.outputs.push(...grp.outputs.map((vi) => ({ ...vi })));
  }
  const boundary = new Set([...g.inputs, ...g.outputs].map((v) => v.name));
  const typeOf = (vi: ValueInfo) => {
    if (!boundary.has(vi.name) && !g.valueInfo.has(vi.name) && vi.type) {
      g.valueInfo.set(vi.name, { ...vi });
    }
  };
  const meta: GroupsMeta = { format: GROUPS_FORMAT, groups: [] };
  const nodeNames = new Set<string>();
  for (const grp of cm.groups) {
    const subgraphs: SubgraphMeta[] = [];
    for (const s of grp.subgraphs) {
      const io = { inputs: s.inputs.map(valueInfoToJson), outputs: s.outputs.map(valueInfoToJson) };
      s.inputs.forEach(typeOf);
      s.outputs.forEach(typeOf);
      if (s.kind === "npu") {
        checkBatches(s, grp.index);
        const name = npuNodeName(s.name, grp.index);
        if (nodeNames.has(name)) {
          throw new GraphError(`Two NPU subgraphs are both named "${name}"`);
        }
        nodeNames.add(name);
        const node: Node = {
          name,
          opType: NPU_OP_TYPE,
          domain: NPU_DOMAIN,
          inputs: s.inputs.map((v) => v.name),
          outputs: s.outputs.map((v) => v.name),
          attrs: npuAttributes({
            program: s.program.graph,
            opset: s.program.opsetImports.get("") ?? s.program.opsetImports.get("ai.onnx") ??
              FALLBACK_OPSET,
            programOpsets: new Map(
              [...s.program.opsetImports].filter(([d]) => d !== "" && d !== "ai.onnx"),
            ),
            programMetadata: s.program.metadataProps,
            batches: s.batches,
            batchAxes: s.outputBatchAxes?.some((x) => x !== 0) ? s.outputBatchAxes : undefined,
            target: s.target,
            npuMode: s.npuMode,
            group: grp.index,
            tiling: canonicalJson(s.tiling),
            cost: s.cost === undefined ? undefined : canonicalJson(s.cost),
          }),
        };
        for (const o of node.outputs) produce(o, `NPU subgraph "${name}"`);
        g.nodes.push(node);
        subgraphs.push({ kind: "npu", name: s.name, node: name, batches: [...s.batches], ...io });
      } else {
        for (const n of s.nodes) {
          for (const o of n.outputs) produce(o, `node "${n.name}" of "${s.name}"`);
          g.nodes.push({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] });
        }
        subgraphs.push({ kind: "cpu", name: s.name, nodes: s.nodes.length, ...io });
      }
    }
    meta.groups.push({
      index: grp.index,
      inputs: grp.inputs.map((v) => v.name),
      outputs: grp.outputs.map((v) => v.name),
      subgraphs,
    });
  }
  const names = [...cm.cpuInitializers.keys()].sort();
  for (const k of names) g.initializers.set(k, cm.cpuInitializers.get(k)!);
  let irVersion = MIN_IR_VERSION;
  for (const grp of cm.groups) {
    for (const s of grp.subgraphs) {
      if (s.kind === "npu") irVersion = Math.max(irVersion, s.program.irVersion);
    }
  }
  return {
    irVersion,
    opsetImports: containerOpsets(cm.groups),
    producerName: "axb",
    producerVersion: cm.version,
    domain: "",
    modelVersion: 0,
    docString: docString(cm),
    metadataProps: new Map([
      [VERSION_KEY, cm.version],
      [TARGET_KEY, cm.target],
      [CONFIG_KEY, canonicalJson(cm.config)],
      [GROUPS_KEY, canonicalJson(meta)],
      ...extraMetadata(cm),
    ]),
    graph: g,
    opaque: { functions: [], trainingInfo: [] },
  };
}

/** `cm.metadata`, refusing keys that would overwrite the container's own. */
function extraMetadata(cm: CompiledModel): [string, string][] {
  const own = new Set([VERSION_KEY, TARGET_KEY, CONFIG_KEY, GROUPS_KEY]);
  const extra = [...(cm.metadata ?? [])];
  const clash = extra.find(([k]) => own.has(k));
  if (clash) {
    throw new GraphError(`Metadata key "${clash[0]}" is the container's own; choose another key`);
  }
  return extra;
}

/**
 * Write `compiled.axmodel` atomically (temp file, then rename).
 *
 * @param cm the compiled model
 * @param path the file to write
 * @throws {GraphError} see {@linkcode encodeCompiledModel}
 * @throws {ModelFormatError} when the file cannot be written
 */
export async function writeCompiledModel(cm: CompiledModel, path: string): Promise<void> {
  await saveModel(encodeCompiledModel(cm), path);
}
