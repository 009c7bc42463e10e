import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { Graph } from "../ir/graph.ts";
import { f32, Tensor } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { Executor } from "../exec/executor.ts";
import { calibrate } from "./calibrate.ts";
import { opCapabilities } from "./op_capabilities.ts";

/** y = If(c) { t = x * 3 (branch value); y = Relu(t) } with `c` a graph input. */
function ifModel() {
  const branch = new Graph({
    name: "then",
    outputs: [{ name: "y_then" }],
    nodes: [
      {
        name: "triple",
        opType: "Mul",
        domain: "",
        inputs: ["x", "three"],
        outputs: ["t"],
        attrs: new Map(),
      },
      {
        name: "relu",
        opType: "Relu",
        domain: "",
        inputs: ["t"],
        outputs: ["y_then"],
        attrs: new Map(),
      },
    ],
  });
  branch.initializers.set("three", f32([], [3]));
  const other = new Graph({
    name: "else",
    outputs: [{ name: "y_else" }],
    nodes: [{
      name: "same",
      opType: "Identity",
      domain: "",
      inputs: ["x"],
      outputs: ["y_else"],
      attrs: new Map(),
    }],
  });
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [2] }, { name: "c", dtype: "bool", shape: [] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }],
    nodes: [{
      opType: "If",
      inputs: ["c"],
      outputs: ["y"],
      attrs: { then_branch: attr.graph(branch), else_branch: attr.graph(other) },
    }],
  });
}

Deno.test("calibrate() observes activations computed inside an If branch", () => {
  const exec = new Executor(ifModel(), defaultRegistry());
  const cond = new Tensor("bool", [], Uint8Array.of(1));
  const samples = [
    new Map<string, Tensor>([["x", f32([2], [-1, 2])], ["c", cond]]),
    new Map<string, Tensor>([["x", f32([2], [0.5, 4])], ["c", cond]]),
  ];
  const stats = calibrate(exec, samples, { method: "MinMax" });
  // t = 3x over both samples: min 3·(-1) = -3, max 3·4 = 12; y_then = Relu(t): [0, 12]
  assert.deepEqual(stats.get("t")?.observed, { min: -3, max: 12 });
  assert.deepEqual(stats.get("y_then")?.observed, { min: 0, max: 12 });
  assert.deepEqual(stats.get("y")?.observed, { min: 0, max: 12 });
  assert.equal(stats.has("three"), false, "a branch initializer is not an activation");
});

Deno.test("opCapabilities() gives LSTM/GRU/RNN own parameters per tensor and no integer kernel", () => {
  for (const op of ["LSTM", "GRU", "RNN"]) {
    const caps = opCapabilities(op);
    assert.equal(caps.scales, "own", op);
    assert.equal(caps.integer, undefined, op);
    assert.equal(caps.lut, false, op);
  }
});
