import { strict as assert } from "node:assert";
import { join } from "node:path";
import { perfReport } from "./perf_data.ts";
import { count, fixed, modelPage, subgraphPage } from "./html.ts";
import { writePerfReport } from "./write.ts";
import { defaultRegistry } from "../../ops/mod.ts";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";
import { horizonSampleModel, targetsWithCostlessBpu } from "../../container/_horizon_testing.ts";

const opts = { targets: new TargetRegistry(builtinTargets()), registry: defaultRegistry() };

/** The value cell of the summary row labelled `label`. */
function summary(html: string, label: string): string | undefined {
  const re = new RegExp(`<th>${label.replace(/[()]/g, "\\$&")}</th><td[^>]*>([^<]*)</td>`);
  return re.exec(html)?.[1];
}

Deno.test("modelPage() shows the summary figures, one Details row per BPU subgraph and the structure graph", () => {
  const html = modelPage(perfReport("sample", horizonSampleModel(), opts));
  assert.equal(summary(html, "Model Name"), "sample");
  assert.equal(summary(html, "Model Latency(ms)"), "0.500");
  assert.equal(summary(html, "Model Frame Rate(fps)"), "2000.00");
  assert.equal(summary(html, "Model DDR Occupation(MB per frame)"), "6.000");
  assert.equal(summary(html, "Loaded Bytes per Frame"), "316");
  assert.equal(summary(html, "Stored Bytes per Frame"), "96");
  assert.match(
    html,
    /<td><a href="subgraph_npu_1.html">subgraph_npu_1<\/a><\/td><td class="num">2,304<\/td>/,
  );
  assert.equal([...html.matchAll(/<g class="node /g)].length, 8);
});

Deno.test("modelPage() is self-contained: no external script, style, image or link", () => {
  const html = modelPage(perfReport("sample", horizonSampleModel(), opts));
  const withoutSvgNamespace = html.replaceAll('xmlns="http://www.w3.org/2000/svg"', "");
  assert.doesNotMatch(withoutSvgNamespace, /https?:\/\/|<link |<img |<iframe | src=/);
  assert.match(html, /<style>/);
});

Deno.test("modelPage() and subgraphPage() print n/a where the target has no cost model", () => {
  const r = perfReport("b2", horizonSampleModel({ target: "bare-bpu", cost: false }), {
    ...opts,
    targets: targetsWithCostlessBpu(),
  });
  const html = modelPage(r);
  for (const label of ["Model Latency(ms)", "Model Frame Rate(fps)", "Loaded Bytes per Frame"]) {
    assert.equal(summary(html, label), "n/a", label);
  }
  const sub = subgraphPage(r, r.subgraphs[0]);
  assert.equal(summary(sub, "Model Subgraph Latency(ms)"), "n/a");
  assert.match(sub, /Layer Details exist only for models compiled with debug: True/);
});

Deno.test("fixed() and count() print n/a for a missing figure, never zero", () => {
  assert.equal(fixed(undefined, 3), "n/a");
  assert.equal(fixed(0.25, 3), "0.250");
  assert.equal(count(undefined), "n/a");
  assert.equal(count(1234567.4), "1,234,567");
});

Deno.test("writePerfReport() writes the model page and JSON and a page and JSON per BPU subgraph", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb_hb_perf_write_" });
  try {
    const r = perfReport("sample", horizonSampleModel({ debug: true }), opts);
    const files = await writePerfReport(r, dir);
    assert.deepEqual(files.map((f) => f.slice(dir.length + 1)), [
      "sample/sample.html",
      "sample/sample.json",
      "sample/subgraph_npu_0.html",
      "sample/subgraph_npu_0.json",
      "sample/subgraph_npu_1.html",
      "sample/subgraph_npu_1.json",
    ]);
    const sub = JSON.parse(await Deno.readTextFile(join(dir, "sample", "subgraph_npu_1.json")));
    assert.equal(sub.latency_ms, 0.25);
    assert.equal(sub.layers.length, 1);
    const model = JSON.parse(await Deno.readTextFile(join(dir, "sample", "sample.json")));
    assert.equal(model.frame_rate_fps, 2000);
    assert.equal(model.structure.nodes.length, 8);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
