/**
 * The HTML pages of an `hb_perf` report: the model page (`<model>.html`: Model Performance
 * Summary, Details per BPU subgraph, BIN Model Structure) and one page per BPU subgraph
 * (its figures and, for `debug: True` models, Layer Details). Pages are self-contained: CSS
 * and the SVG inline, no network resources. One short inline script records how many boxes
 * of each structure graph the browser laid out (`data-rendered-nodes` on the `<svg>`), so a
 * headless browser check can tell that the figure rendered.
 *
 * @module
 */
import type { LayerFigures, PerfReport, SubgraphFigures } from "./perf_data.ts";
import { structureSvg } from "./structure_graph.ts";

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
td:first-child, td:nth-child(2) { max-width: 32em; overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f2f2f2; }
.note { color: #555; }
svg.structure text { font: 12px system-ui, sans-serif; text-anchor: middle; }
svg.structure .bpu rect { fill: #2f3e4e; stroke: #1b2530; }
svg.structure .bpu text { fill: #fff; }
svg.structure .cpu rect { fill: #c8c8c8; stroke: #999; }
svg.structure .input rect, svg.structure .output rect { fill: #fff; stroke: #888; }
svg.structure text.detail { font-size: 11px; opacity: 0.85; }
.legend span { display: inline-block; width: 14px; height: 14px; vertical-align: middle;
  margin: 0 4px 0 12px; border: 1px solid #888; }
`;

const RENDER_CHECK = `
for (const svg of document.querySelectorAll("svg.structure")) {
  const laidOut = [...svg.querySelectorAll("g.node")].filter((g) => {
    const b = g.getBBox();
    return b.width > 0 && b.height > 0;
  });
  svg.setAttribute("data-rendered-nodes", String(laidOut.length));
}
`;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** A number with `digits` decimals, or "n/a". */
export function fixed(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(digits);
}

/** A byte or operation count with thousands separators, or "n/a". */
export function count(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "n/a" : Math.round(v).toLocaleString("en-US");
}

function page(title: string, body: string[], script = false): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    ...body,
    ...(script ? [`<script>${RENDER_CHECK}</script>`] : []),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** A two-column table of label/value rows. */
function keyTable(rows: readonly (readonly [string, string, boolean?])[], cls = ""): string {
  return [
    `<table${cls ? ` class="${cls}"` : ""}>`,
    ...rows.map(([k, v, num]) =>
      `<tr><th>${esc(k)}</th><td${num ? ' class="num"' : ""}>${esc(v)}</td></tr>`
    ),
    "</table>",
  ].join("\n");
}

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numFrom = 1,
): string {
  return [
    "<table>",
    `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>`,
    ...rows.map((r) =>
      `<tr>${r.map((c, i) => `<td${i >= numFrom ? ' class="num"' : ""}>${c}</td>`).join("")}</tr>`
    ),
    "</table>",
  ].join("\n");
}

/** The model page `<model>.html`. */
export function modelPage(r: PerfReport): string {
  const env = r.meta.environment;
  return page(`hb_perf ${r.name}`, [
    `<h1>hb_perf: ${esc(r.name)}</h1>`,
    `<p class="note">Converted by axb ${esc(env.axb_version)} (${esc(r.meta.tool)}) from ${
      esc(env.input_model)
    } for march ${esc(r.meta.march)}; estimates of the ${
      esc(r.target)
    } cost model, not board measurements.</p>`,
    "<h2>Model Performance Summary</h2>",
    keyTable([
      ["Model Name", r.name],
      ["Model Latency(ms)", fixed(r.latencyMs, 3), true],
      ["Model Frame Rate(fps)", fixed(r.fps, 2), true],
      ["Model DDR Occupation(MB per frame)", fixed(r.ddrMB, 3), true],
      ["Loaded Bytes per Frame", count(r.loadedBytes), true],
      ["Stored Bytes per Frame", count(r.storedBytes), true],
    ], "summary"),
    "<h2>Details</h2>",
    r.subgraphs.length
      ? table(
        [
          "Model Subgraph Name",
          "Model Subgraph Calculation Load (OPpf)",
          "Model Subgraph DDR Occupation(MBpf)",
          "Model Subgraph Latency(ms)",
        ],
        r.subgraphs.map((s) => [
          `<a href="${esc(s.name)}.html">${esc(s.name)}</a>`,
          count(s.opsPerFrame),
          fixed(s.ddrMB, 3),
          fixed(s.latencyMs, 3),
        ]),
      )
      : '<p class="note">The model has no BPU subgraph.</p>',
    "<h2>BIN Model Structure</h2>",
    '<p class="legend"><span style="background:#2f3e4e"></span>BPU subgraph' +
    '<span style="background:#c8c8c8"></span>CPU node' +
    '<span style="background:#fff"></span>model input/output</p>',
    structureSvg(r.graph),
    "<h2>Notes</h2>",
    `<ul class="note">${r.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`,
  ], true);
}

function layerTable(layers: readonly LayerFigures[]): string {
  return table(
    ["Layer", "Type", "Unit", "Calculation Load (OPpf)", "Latency(ms)", "DDR Bytes per Frame"],
    layers.map((l) => [
      esc(l.name),
      esc(l.opType),
      esc(l.unit),
      count(l.ops),
      fixed(l.latencyMs, 4),
      count(l.ddrBytes),
    ]),
    3,
  );
}

/** The page of one BPU subgraph (`<subgraph>.html`). */
export function subgraphPage(r: PerfReport, s: SubgraphFigures): string {
  const ops = Object.entries(s.opCounts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return page(`hb_perf ${r.name} ${s.name}`, [
    `<p><a href="${esc(r.name)}.html">← ${esc(r.name)}</a></p>`,
    `<h1>${esc(s.name)}</h1>`,
    keyTable([
      ["Model Subgraph Name", s.name],
      ["Model Subgraph Calculation Load (OPpf)", count(s.opsPerFrame), true],
      ["Model Subgraph DDR Occupation(MBpf)", fixed(s.ddrMB, 3), true],
      ["Model Subgraph Latency(ms)", fixed(s.latencyMs, 3), true],
      ["Loaded Bytes per Frame", count(s.loadedBytes), true],
      ["Stored Bytes per Frame", count(s.storedBytes), true],
      ["Estimated at batch", String(s.batch), true],
      ["Inputs", s.inputs.join(", ")],
      ["Outputs", s.outputs.join(", ")],
    ]),
    "<h2>Operators</h2>",
    table(["Type", "Count"], ops.map(([t, n]) => [esc(t), String(n)])),
    "<h2>Layer Details</h2>",
    s.layers
      ? layerTable(s.layers)
      : `<p class="note">${
        r.meta.debug
          ? `Target ${esc(r.target)} has no per-operator cost model.`
          : "Layer Details exist only for models compiled with debug: True (compiler_parameters)."
      }</p>`,
  ]);
}
