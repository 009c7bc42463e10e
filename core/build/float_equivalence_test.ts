import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import type { Model } from "../ir/graph.ts";
import { cloneModel } from "../ir/clone.ts";
import { f32 } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { createLogger } from "../util/log.ts";
import { CheckFailedError } from "../errors/mod.ts";
import { runPasses } from "../passes/pass_manager.ts";
import { eliminateIdentity } from "../passes/eliminate_identity.ts";
import { type Pass, passResult } from "../passes/pass.ts";
import {
  checkOptimizedModel,
  compareOutputs,
  FLOAT_CHECK_COSINE,
  transformationCheck,
} from "./float_equivalence.ts";

const registry = defaultRegistry();

function logged() {
  const lines: string[] = [];
  return { lines, log: createLogger({ verbose: true, sink: (l) => lines.push(l) }) };
}

/** x → Relu → Identity → y. */
function reluModel(): Model {
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: ["n", 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: ["n", 4] }],
    nodes: [
      { opType: "Relu", inputs: ["x"], outputs: ["r"] },
      { opType: "Identity", inputs: ["r"], outputs: ["y"] },
    ],
  });
}

/** A broken rewrite: Relu becomes Neg. */
const negateRelu: Pass = {
  name: "negate-relu",
  description: "replaces Relu by Neg (wrong on purpose)",
  run: (model) => {
    const n = model.graph.nodes.find((x) => x.opType === "Relu");
    if (n) n.opType = "Neg";
    return passResult(n ? 1 : 0);
  },
};

const one = (name: string, values: number[]) => new Map([[name, f32([values.length], values)]]);

Deno.test("compareOutputs() measures cosine over finite elements and refuses other changes", () => {
  const ref = one("y", [1, 0]);
  // cos([1, 1], [1, 0]) = 1/sqrt(2)
  const [tilted] = compareOutputs(ref, one("y", [1, 1]), ["y"]);
  assert.ok(Math.abs(tilted.cosine - Math.SQRT1_2) < 1e-12);
  assert.equal(tilted.passed, false);
  const [scaled] = compareOutputs(ref, one("y", [2, 0]), ["y"]);
  assert.equal(scaled.passed, true, "cosine ignores scale");
  const nan = one("y", [NaN, 1, Infinity]);
  assert.equal(compareOutputs(nan, one("y", [NaN, 1, Infinity]), ["y"])[0].passed, true);
  const moved = compareOutputs(nan, one("y", [1, NaN, Infinity]), ["y"])[0];
  assert.equal(moved.passed, false);
  assert.match(moved.detail, /2 of 3 elements differ in NaN\/Inf/);
  const reshaped = new Map([["y", f32([1, 2], [1, 0])]]);
  assert.match(compareOutputs(ref, reshaped, ["y"])[0].detail, /shape \(1, 2\), expected \(2\)/);
  assert.equal(compareOutputs(ref, new Map(), ["y"])[0].detail, "not produced");
  assert.ok(FLOAT_CHECK_COSINE > Math.SQRT1_2 && FLOAT_CHECK_COSINE < 1);
});

Deno.test("checkOptimizedModel() passes an equivalent model and names the output that differs", () => {
  const original = reluModel();
  const optimized = cloneModel(original);
  eliminateIdentity.run(optimized, { registry });
  const samples = [new Map([["x", f32([2, 4], [-1, 2, -3, 4, 5, -6, 7, -8])]])];
  const { lines, log } = logged();
  const result = checkOptimizedModel(original, optimized, samples, { registry, log });
  assert.deepEqual(result.map((c) => [c.output, c.passed, c.cosine]), [["y", true, 1]]);
  assert.ok(lines.some((l) => /SUCCESS .*model check: output \[y\] cosine 1\.000000/.test(l)));
  negateRelu.run(optimized, { registry });
  assert.throws(
    () => checkOptimizedModel(original, optimized, samples, { registry, log }),
    (e) =>
      e instanceof CheckFailedError && /onnx_opt\.model_check failed/.test(e.message) &&
      /output "y"/.test(e.message),
  );
});

Deno.test("checkOptimizedModel() runs on random data when no sample is given", () => {
  const { lines, log } = logged();
  checkOptimizedModel(reluModel(), reluModel(), [], { registry, log });
  assert.ok(lines.some((l) => l.includes("on random data")));
});

Deno.test("transformationCheck() blames the pass that changed the float results", () => {
  const model = reluModel();
  const { log } = logged();
  const afterChange = transformationCheck(model, { registry, log });
  assert.ok(afterChange);
  assert.throws(
    () => runPasses(model, [eliminateIdentity, negateRelu], { registry, log }, { afterChange }),
    (e) =>
      e instanceof CheckFailedError && /^Pass negate-relu changed/.test(e.message) &&
      /output "y"/.test(e.message),
  );
  assert.deepEqual(model.graph.nodes.map((n) => n.opType), ["Neg"], "eliminate-identity passed");
});

Deno.test("transformationCheck() warns once and checks nothing when the model cannot run", () => {
  const model = buildModel({
    inputs: [{ name: "s", dtype: "string", shape: [1] }],
    outputs: [{ name: "t", dtype: "string", shape: [1] }],
    nodes: [{ opType: "Identity", inputs: ["s"], outputs: ["t"] }],
  });
  const { lines, log } = logged();
  assert.equal(transformationCheck(model, { registry, log }), undefined);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /WARNING .*transformation check skipped/);
});
