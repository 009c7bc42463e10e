/**
 * `hb_perf` reports of Horizon containers: figures ({@linkcode perfReport}), the BIN Model
 * Structure graph ({@linkcode structureGraph}, {@linkcode structureSvg}), the HTML pages and
 * the `hb_perf_result/<model>/` directory ({@linkcode writePerfReport}).
 *
 * @module
 */
export {
  type LayerFigures,
  type PerfReport,
  perfReport,
  type PerfReportOptions,
  type SubgraphFigures,
} from "./perf_data.ts";
export {
  layoutStructure,
  type StructureEdge,
  type StructureGraph,
  structureGraph,
  type StructureNode,
  type StructureNodeKind,
  structureSvg,
} from "./structure_graph.ts";
export { modelPage, subgraphPage } from "./html.ts";
export { writePerfReport } from "./write.ts";
