/**
 * Write an `hb_perf` report as Horizon lays it out (spec `horizon.md` §10):
 *
 * ```
 * <root>/<model>/
 *   <model>.html        Model Performance Summary, Details, BIN Model Structure
 *   <model>.json        the same figures
 *   subgraph_npu_0.html one page per BPU subgraph (Layer Details with debug: True)
 *   subgraph_npu_0.json
 * ```
 *
 * Every file is written atomically.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import type { PerfReport, SubgraphFigures } from "./perf_data.ts";
import { modelPage, subgraphPage } from "./html.ts";

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

function subgraphJson(r: PerfReport, s: SubgraphFigures) {
  return {
    model: r.name,
    march: r.meta.march,
    target: r.target,
    subgraph: s.name,
    estimated_batch: s.batch,
    calculation_load_op_per_frame: s.opsPerFrame ?? null,
    ddr_mb_per_frame: s.ddrMB ?? null,
    latency_ms: s.latencyMs ?? null,
    loaded_bytes_per_frame: s.loadedBytes ?? null,
    stored_bytes_per_frame: s.storedBytes ?? null,
    inputs: s.inputs,
    outputs: s.outputs,
    operators: s.opCounts,
    layers: s.layers?.map((l) => ({
      name: l.name,
      type: l.opType,
      unit: l.unit,
      calculation_load_op_per_frame: l.ops,
      latency_ms: l.latencyMs,
      ddr_bytes_per_frame: l.ddrBytes,
    })) ?? null,
  };
}

/**
 * Write the report of one model under `root/<model>/`.
 *
 * @param r the report
 * @param root the `hb_perf_result` directory
 * @returns the files written, model page first
 */
export async function writePerfReport(r: PerfReport, root: string): Promise<string[]> {
  const dir = join(root, r.name);
  const written: string[] = [];
  const put = async (file: string, text: string) => {
    const path = join(dir, file);
    await writeFileAtomic(path, text);
    written.push(path);
  };
  await put(`${r.name}.html`, modelPage(r));
  await put(
    `${r.name}.json`,
    json({
      model: r.name,
      march: r.meta.march,
      tool: r.meta.tool,
      target: r.target,
      latency_ms: r.latencyMs ?? null,
      frame_rate_fps: r.fps ?? null,
      ddr_mb_per_frame: r.ddrMB ?? null,
      loaded_bytes_per_frame: r.loadedBytes ?? null,
      stored_bytes_per_frame: r.storedBytes ?? null,
      subgraphs: r.subgraphs.map((s) => s.name),
      structure: r.graph,
      notes: r.notes,
    }),
  );
  for (const s of r.subgraphs) {
    await put(`${s.name}.html`, subgraphPage(r, s));
    await put(`${s.name}.json`, json(subgraphJson(r, s)));
  }
  return written;
}
