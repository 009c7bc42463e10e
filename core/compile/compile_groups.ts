/**
 * The input-shape groups of the compile stage: group 0 at the original shapes, then one
 * per `src_extra_shapes` entry. Each group compiles every part in partition order (NPU
 * parts through {@linkcode compileNpuPart}, CPU parts as renamed float nodes) and prints
 * its "Compiled subgraphs" table. Group I/O is typed at the group's shapes; the batch
 * dimension is set when the groups are assembled.
 *
 * @module
 */
import type { CompiledGroup, CompiledSubgraph } from "./types.ts";
import type { GroupContext, GroupShapes } from "./group_context.ts";
import type { PartWithOptions } from "./partition_parts.ts";
import { type GroupNaming, groupNaming, groupTypes, renamedNodes } from "./shape_groups.ts";
import { type CompiledPart, compileNpuPart } from "./npu_subgraph.ts";
import { cpuRow, formatSubgraphTable } from "./subgraph_table.ts";

function compileCpuPart(p: PartWithOptions, naming: GroupNaming): CompiledPart {
  const { part } = p;
  const k = naming.index;
  const subgraph: CompiledSubgraph = {
    kind: "cpu",
    name: part.name,
    inputs: part.inputs.map(naming.info),
    outputs: part.outputs.map(naming.info),
    nodes: k === 0 ? part.nodes : renamedNodes(part.nodes, naming.rename, `_g${k}`),
  };
  return { subgraph, rows: [cpuRow(part.name, part.nodes.length)] };
}

/**
 * Compile every part for one group and print the group's table.
 *
 * @param shapes the group's number and value types
 * @param ctx what every group shares
 * @returns the group, its I/O typed at the group's shapes
 */
async function compileGroup(
  shapes: GroupShapes,
  ctx: GroupContext,
): Promise<CompiledGroup> {
  const k = shapes.index;
  const g = ctx.deployable.quant.model.graph;
  const naming = groupNaming(k, g, shapes.types);
  const parts: CompiledPart[] = [];
  for (const [i, p] of ctx.parted.parts.entries()) {
    ctx.log.info(`subgraph [${i}], group: ${k}, type: GraphType.${p.part.kind.toUpperCase()}`);
    parts.push(
      p.part.kind === "cpu"
        ? compileCpuPart(p, naming)
        : await compileNpuPart(p, i, shapes, naming, ctx),
    );
  }
  ctx.print?.(formatSubgraphTable(parts.flatMap((c) => c.rows), {
    group: k,
    target: ctx.target.name,
    mode: ctx.mode.name,
    costModel: ctx.target.cost !== undefined,
  }));
  return {
    index: k,
    inputs: g.runtimeInputs.map((v) => naming.info(v.name)),
    outputs: g.outputs.map((v) => naming.info(v.name)),
    subgraphs: parts.map((c) => c.subgraph),
  };
}

/**
 * Compile group 0 and every `src_extra_shapes` group.
 *
 * @param ctx what every group shares (the extra groups' shapes among it)
 * @returns the groups in order
 * @throws {ConfigError} when an extra group's runtime shape does not fit the model
 */
export async function compileGroups(ctx: GroupContext): Promise<CompiledGroup[]> {
  const { log } = ctx;
  const model = ctx.deployable.quant.model;
  const groups = [await compileGroup({ index: 0, types: ctx.deployable.inferred.types }, ctx)];
  for (const [i, shapes] of ctx.extraShapes.entries()) {
    const k = i + 1;
    const types = groupTypes(model, shapes.runtime, ctx.registry);
    const text = [...shapes.given].map(([n, d]) => `'${n}': (${d.join(", ")})`).join(", ");
    log.info(`extra input shape, index: ${k}, shape: {${text}}`);
    log.info(`group ${k} compiler transformation`);
    groups.push(await compileGroup({ index: k, types }, ctx));
  }
  return groups;
}
