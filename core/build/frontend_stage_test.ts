import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import type { Model } from "../ir/graph.ts";
import { f32 } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { createLogger } from "../util/log.ts";
import { defaultOnnxOpt } from "../config/build_defaults.ts";
import type { OnnxOptConfig } from "../config/build_config.ts";
import { runFrontendStage } from "./frontend_stage.ts";

const registry = defaultRegistry();

/** x → Conv → BatchNormalization → Identity → Add(k) → y, with k = 1 + 2 foldable. */
function model(): Model {
  return buildModel({
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 3, 3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 3, 3] }],
    initializers: {
      w: f32([2, 2, 1, 1], [1, 0.5, -0.5, 1]),
      scale: f32([2], [2, 0.5]),
      bias: f32([2], [0.1, -0.1]),
      mean: f32([2], [0.2, 0.3]),
      var: f32([2], [1, 4]),
      one: f32([1], [1]),
      two: f32([1], [2]),
    },
    nodes: [
      { opType: "Conv", inputs: ["x", "w"], outputs: ["c"] },
      {
        opType: "BatchNormalization",
        inputs: ["c", "scale", "bias", "mean", "var"],
        outputs: ["b"],
      },
      { opType: "Identity", inputs: ["b"], outputs: ["i"] },
      { opType: "Add", inputs: ["one", "two"], outputs: ["k"] },
      { opType: "Add", inputs: ["i", "k"], outputs: ["y"] },
    ],
  });
}

function run(opt: Partial<OnnxOptConfig>) {
  const m = model();
  const lines: string[] = [];
  const log = createLogger({ verbose: true, sink: (l) => lines.push(l) });
  runFrontendStage(m, { ...defaultOnnxOpt(), ...opt }, { registry, log });
  return { ops: m.graph.nodes.map((n) => n.opType), lines };
}

Deno.test("runFrontendStage() fuses, folds and removes identities by default", () => {
  const { ops } = run({});
  assert.deepEqual(ops, ["Conv", "Add"]);
});

Deno.test("runFrontendStage() keeps the graph when disable_onnx_optimization is set", () => {
  const { ops, lines } = run({ disable_onnx_optimization: true });
  assert.deepEqual(ops, ["Conv", "BatchNormalization", "Identity", "Add", "Add"]);
  assert.ok(lines.some((l) => /WARNING .*skipping graph optimisation/.test(l)));
});

Deno.test("runFrontendStage() runs only the simplifier's rewrites for enable_onnxsim without optimisation", () => {
  const { ops, lines } = run({ disable_onnx_optimization: true, enable_onnxsim: true });
  // folded (1 + 2) and the Identity removed, but no BatchNormalization fusion
  assert.deepEqual(ops, ["Conv", "BatchNormalization", "Add"]);
  assert.ok(lines.some((l) => /WARNING .*running only the simplifier's rewrites/.test(l)));
});

Deno.test("runFrontendStage() says enable_onnxsim is part of the optimisation when both run", () => {
  const { ops, lines } = run({ enable_onnxsim: true });
  assert.deepEqual(ops, ["Conv", "Add"]);
  assert.equal(lines.filter((l) => l.includes("onnx_opt.enable_onnxsim")).length, 1);
});

Deno.test("runFrontendStage() checks every rewrite unless disable_transformation_check is set", () => {
  const checked = (ls: string[]) => ls.filter((l) => l.includes("transformation check after"));
  assert.ok(checked(run({}).lines).length >= 3);
  assert.deepEqual(checked(run({ disable_transformation_check: true }).lines), []);
});
