/**
 * Read `compiled.axmodel` back into a {@linkcode CompiledModel}: the inverse of
 * {@linkcode encodeCompiledModel}. The `axb.groups` metadata drives the walk over the
 * graph's nodes (NPU subgraphs are one node each, CPU subgraphs a counted run of
 * plain nodes).
 *
 * @module
 */
import type { Model, Node, ValueInfo } from "../ir/graph.ts";
import { attrReader } from "../ir/attribute.ts";
import type { CompiledGroup, CompiledModel, CompiledSubgraph } from "../compile/types.ts";
import { ModelFormatError } from "../errors/mod.ts";
import { loadModel } from "../onnx/load.ts";
import {
  NPU_DOMAIN,
  NPU_OP_TYPE,
  parseCost,
  parseJson,
  programModel,
  readNpuAttributes,
} from "./_npu_node.ts";
import {
  CONFIG_KEY,
  GROUPS_KEY,
  type GroupsMeta,
  parseGroupsMeta,
  TARGET_KEY,
  valueInfoFromJson,
  VERSION_KEY,
} from "./_groups_meta.ts";

/**
 * True when `model` is an axb compiled container (declares the `ai.axb.npu` domain and
 * carries the `axb.groups` metadata).
 */
export function isCompiledModel(model: Model): boolean {
  return model.opsetImports.has(NPU_DOMAIN) && model.metadataProps.has(GROUPS_KEY);
}

/**
 * The parsed `axb.groups` table of a container.
 *
 * @throws {ModelFormatError} when the model is not an axb compiled model or the table is
 * malformed
 */
export function compiledGroupsOf(model: Model, what = "model"): GroupsMeta {
  if (!isCompiledModel(model)) {
    throw new ModelFormatError(
      `Cannot read compiled model "${what}": not an axb compiled model (expected the ` +
        `${NPU_DOMAIN} opset import and ${GROUPS_KEY} metadata)`,
    );
  }
  const meta = parseGroupsMeta(model.metadataProps.get(GROUPS_KEY)!);
  if (typeof meta === "string") {
    throw new ModelFormatError(`Cannot read compiled model "${what}": ${meta}`);
  }
  return meta;
}

/**
 * Decode a container model.
 *
 * @param model the loaded ONNX model
 * @param what the file name, for error text
 * @returns the compiled model
 * @throws {ModelFormatError} when the model is not an axb compiled model, or its nodes
 * do not match its `axb.groups` table
 */
export function decodeCompiledModel(model: Model, what = "model"): CompiledModel {
  const meta = compiledGroupsOf(model, what);
  const where = `Cannot read compiled model "${what}"`;
  const g = model.graph;
  const inputs = new Map(g.inputs.map((v) => [v.name, v]));
  const outputs = new Map(g.outputs.map((v) => [v.name, v]));
  const pick = (m: Map<string, ValueInfo>, name: string, kind: string, group: number) => {
    const vi = m.get(name);
    if (!vi) {
      throw new ModelFormatError(
        `${where}: group ${group} lists ${kind} "${name}", which is not a graph ${kind}`,
      );
    }
    return { ...vi };
  };
  let cursor = 0;
  const nextNodes = (count: number, sub: string): Node[] => {
    if (cursor + count > g.nodes.length) {
      throw new ModelFormatError(
        `${where}: subgraph "${sub}" needs ${count} node(s) at position ${cursor}, ` +
          `but the graph has ${g.nodes.length} nodes`,
      );
    }
    const out = g.nodes.slice(cursor, cursor + count);
    cursor += count;
    return out;
  };
  const groups: CompiledGroup[] = meta.groups.map((gm) => {
    const subgraphs = gm.subgraphs.map((sm): CompiledSubgraph => {
      const io = {
        name: sm.name,
        inputs: sm.inputs.map(valueInfoFromJson),
        outputs: sm.outputs.map(valueInfoFromJson),
      };
      if (sm.kind === "cpu") {
        return { kind: "cpu", ...io, nodes: nextNodes(sm.nodes, sm.name) };
      }
      const [node] = nextNodes(1, sm.name);
      if (node.opType !== NPU_OP_TYPE || node.domain !== NPU_DOMAIN || node.name !== sm.node) {
        throw new ModelFormatError(
          `${where}: expected ${NPU_DOMAIN}::${NPU_OP_TYPE} node "${sm.node}" at position ` +
            `${cursor - 1}, found ${node.domain || "ai.onnx"}::${node.opType} "${node.name}"`,
        );
      }
      const fail = (p: string) => new ModelFormatError(`${where}: NPU node "${node.name}" ${p}`);
      const a = readNpuAttributes(attrReader(node.attrs, node.name, node.opType), fail);
      return {
        kind: "npu",
        ...io,
        target: a.target,
        npuMode: a.npuMode,
        batches: a.batches,
        ...(a.batchAxes ? { outputBatchAxes: a.batchAxes } : {}),
        program: programModel(a, model.irVersion, model.producerVersion),
        tiling: parseJson(a.tiling, "tiling", fail),
        cost: parseCost(a.cost, fail),
      };
    });
    return {
      index: gm.index,
      inputs: gm.inputs.map((n) => pick(inputs, n, "input", gm.index)),
      outputs: gm.outputs.map((n) => pick(outputs, n, "output", gm.index)),
      subgraphs,
    };
  });
  if (cursor !== g.nodes.length) {
    const extra = g.nodes[cursor];
    throw new ModelFormatError(
      `${where}: node "${extra.name}" (${extra.opType}) at position ${cursor} belongs to no ` +
        `subgraph listed in ${GROUPS_KEY}`,
    );
  }
  const configText = model.metadataProps.get(CONFIG_KEY) ?? "null";
  const config = parseJson(
    configText,
    CONFIG_KEY,
    (p) => new ModelFormatError(`${where}: metadata ${p}`),
  );
  const own = [VERSION_KEY, TARGET_KEY, CONFIG_KEY, GROUPS_KEY];
  const extra = [...model.metadataProps].filter(([k]) => !own.includes(k));
  return {
    groups,
    cpuInitializers: new Map(g.initializers),
    config,
    version: model.metadataProps.get(VERSION_KEY) ?? model.producerVersion,
    target: model.metadataProps.get(TARGET_KEY) ?? "",
    ...(extra.length > 0 ? { metadata: new Map(extra) } : {}),
  };
}

/**
 * Load and decode `compiled.axmodel`.
 *
 * @param path the container file
 * @returns the compiled model
 * @throws {ModelFormatError} when the file cannot be read or is not an axb compiled model
 */
export async function readCompiledModel(path: string): Promise<CompiledModel> {
  return decodeCompiledModel(await loadModel(path), path);
}
