import { strict as assert } from "node:assert";
import { Executor } from "../exec/executor.ts";
import type { LayerConfig } from "../config/build_config.ts";
import { calibrate } from "./calibrate.ts";
import { resolvePrecision } from "./precision.ts";
import { quantizeModel } from "./quantize.ts";
import type { QuantModel } from "./quant_model.ts";
import { cancellingFloatModel, randomFeeds, REGISTRY } from "./_testing.ts";
import { searchAutoPrecision, splitSamples } from "./auto_precision.ts";

/**
 * x → amplify (×100) → big1; big1 + d → big2; `cancel` = big2 − big1 (= d, a tiny range
 * computed from two coarse huge-range tensors: the one layer 8 bits ruin) → triple (×3)
 * → double (×2) → y.
 */
function cancellingModel() {
  const model = cancellingFloatModel();
  const samples = Array.from({ length: 8 }, (_, s) => randomFeeds(model, 60 + s));
  const stats = calibrate(new Executor(model, REGISTRY), samples, { method: "MinMax" });
  const quantize = (user: readonly LayerConfig[]) => (extra: readonly LayerConfig[]) =>
    quantizeModel(model, stats, {
      method: "MinMax",
      precision: resolvePrecision(model.graph, [...extra, ...user]),
      biasDataType: "S32",
      refineWeightThreshold: 0,
    });
  return { model, samples, quantize };
}

/** A stand-in cost model: 10 µs per 16-bit activation. */
const latencyMs = (q: QuantModel) =>
  [...q.activations.values()].filter((a) => a.kind === "quant" && a.qtype === "U16").length *
  0.01;

Deno.test("splitSamples() holds back the last quarter, at least one sample", () => {
  assert.deepEqual(splitSamples([1, 2, 3, 4, 5, 6, 7, 8]), {
    search: [1, 2, 3, 4, 5, 6],
    held: [7, 8],
  });
  assert.deepEqual(splitSamples([1, 2, 3]), { search: [1, 2], held: [3] });
  assert.deepEqual(splitSamples([1]), { search: [1], held: [1] });
});

Deno.test("searchAutoPrecision() promotes only the layer whose isolated error 16 bits remove, reaching the target", () => {
  const { model, samples, quantize } = cancellingModel();
  const r = searchAutoPrecision(
    { model, registry: REGISTRY, samples, quantize: quantize([]), latencyMs, userSet: new Set() },
    { targetCosine: 0.999, maxFraction: 0.4 },
  );
  assert.equal(r.layers, 5);
  assert.equal(r.budget, 2);
  assert.equal(r.heldBack, 2);
  assert.equal(r.ranked[0].nodes[0].name, "cancel");
  assert.ok(r.ranked[0].cosine8 < 0.95 && r.ranked[0].cosinePromoted > 0.999);
  assert.deepEqual(r.layerConfigs.map((c) => [c.layer_name, c.data_type]), [["cancel", "U16"]]);
  assert.equal(r.stop, "target");
  assert.equal(r.steps.length, 2);
  assert.ok(r.steps[0].cosine < 0.999, `U8 reaches ${r.steps[0].cosine}`);
  assert.ok(r.steps[1].cosine >= 0.999, `one promotion reaches ${r.steps[1].cosine}`);
  // promoting `cancel` widens its output and both its inputs: 3 tensors × 10 µs
  assert.ok(Math.abs(r.ranked[0].costUs! - 30) < 1e-9);
  assert.ok(Math.abs(r.steps[1].latencyMs! - 0.03) < 1e-12);
  assert.ok(r.wideCosine! >= 0.999, `all-U16 ${r.wideCosine}`);
});

Deno.test("searchAutoPrecision() measures nothing more when the 8-bit model already reaches the target", () => {
  const { model, samples, quantize } = cancellingModel();
  let calls = 0;
  const counted = (extra: readonly LayerConfig[]) => {
    calls++;
    return quantize([])(extra);
  };
  const r = searchAutoPrecision(
    { model, registry: REGISTRY, samples, quantize: counted, userSet: new Set() },
    { targetCosine: 0.5, maxFraction: 0.25 },
  );
  assert.equal(r.stop, "target");
  assert.deepEqual(r.layerConfigs, []);
  assert.equal(r.steps.length, 1);
  assert.equal(r.wideCosine, undefined);
  // the 8-bit model for the held-back cosine and for the layer list, nothing at 16 bits
  assert.equal(calls, 2);
});

Deno.test("searchAutoPrecision() never promotes a layer the user's layer_configs set", () => {
  const { model, samples, quantize } = cancellingModel();
  const cancel = model.graph.nodes.find((n) => n.name === "cancel")!;
  const user: LayerConfig[] = [{
    ...resolveEntry("cancel"),
    data_type: "U8",
    output_data_type: "U8",
  }];
  const r = searchAutoPrecision(
    { model, registry: REGISTRY, samples, quantize: quantize(user), userSet: new Set([cancel]) },
    { targetCosine: 0.999, maxFraction: 1 },
  );
  assert.equal(r.layers, 4);
  assert.ok(r.ranked.every((c) => c.nodes.every((n) => n.name !== "cancel")));
  assert.ok(r.layerConfigs.every((c) => c.layer_name !== "cancel"));
});

Deno.test("searchAutoPrecision() skips promotions that would exceed max_latency_ms", () => {
  const { model, samples, quantize } = cancellingModel();
  const r = searchAutoPrecision(
    { model, registry: REGISTRY, samples, quantize: quantize([]), latencyMs, userSet: new Set() },
    { targetCosine: 0.999, maxFraction: 1, maxLatencyMs: 0.025 },
  );
  assert.ok(r.layerConfigs.every((c) => c.layer_name !== "cancel"));
  assert.ok(r.steps.every((s) => (s.latencyMs ?? 0) <= 0.025));
  assert.equal(r.stop, "exhausted");
});

Deno.test("searchAutoPrecision() drops a cheap promotion that does not raise the held-back cosine", () => {
  const { model, samples, quantize } = cancellingModel();
  // `cancel` and `offset` (the layers that fix the model) cost 1 ms, the rest nothing: the
  // cheap layers are tried first and dropped, their isolated gain never reaching `y`
  const expensive = new Set(["tiny", "big2"]);
  const latency = (q: QuantModel) =>
    [...q.activations].filter(([name, a]) =>
      a.kind === "quant" && a.qtype === "U16" && expensive.has(name)
    ).length;
  const r = searchAutoPrecision(
    {
      model,
      registry: REGISTRY,
      samples,
      quantize: quantize([]),
      latencyMs: latency,
      userSet: new Set(),
    },
    { targetCosine: 0.999, maxFraction: 0.4 },
  );
  const first = r.ranked[0].nodes[0].name;
  assert.ok(first !== "cancel" && first !== "offset", `ranked first: ${first}`);
  assert.ok(r.rejected! >= 1);
  assert.ok(r.layerConfigs.length <= 2);
  assert.ok(r.layerConfigs.every((c) => c.layer_name === "cancel" || c.layer_name === "offset"));
  assert.equal(r.stop, "target");
});

function resolveEntry(name: string): LayerConfig {
  return {
    layer_name: name,
    op_type: "",
    layer_names: [],
    op_types: [],
    start_tensor_names: [],
    end_tensor_names: [],
    data_type: "U8",
    weight_data_type: "S8",
    output_data_type: "U8",
  };
}
