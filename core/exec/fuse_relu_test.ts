import { strict as assert } from "node:assert";
import { attr, buildModel, type ModelSpec } from "../ir/builder.ts";
import { f32, type Tensor, toNumbers } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { firstBitDifference, onEveryIsa, randomF32 } from "../wasm/_testing.ts";
import { Executor } from "./executor.ts";

const registry = defaultRegistry();

/**
 * y = Relu(Conv(x, W, b)), 1×1 with W = 2, b = −1: x = [1, 2, −3, 0.25] gives
 * s = 2x − 1 = [1, 3, −7, −0.5] and y = [1, 3, 0, 0]; `extra` adds z = s + s.
 */
function convRelu(extra = false): ModelSpec {
  return {
    inputs: [{ name: "x", dtype: "f32", shape: [1, 1, 2, 2] }],
    outputs: [
      { name: "y", dtype: "f32", shape: [1, 1, 2, 2] },
      ...(extra ? [{ name: "z", dtype: "f32" as const, shape: [1, 1, 2, 2] }] : []),
    ],
    nodes: [
      { opType: "Conv", inputs: ["x", "W", "b"], outputs: ["s"] },
      { opType: "Relu", inputs: ["s"], outputs: ["y"] },
      ...(extra ? [{ opType: "Add", inputs: ["s", "s"], outputs: ["z"] }] : []),
    ],
    initializers: { W: f32([1, 1, 1, 1], [2]), b: f32([1], [-1]) },
  };
}

const feeds = (x: Tensor) => new Map([["x", x]]);
const X = f32([1, 1, 2, 2], [1, 2, -3, 0.25]);

Deno.test("Executor.run() gives a Conv's Relu by hand-checked values when it fuses them", () => {
  const out = new Executor(buildModel(convRelu()), registry).run(feeds(X));
  assert.deepEqual([...out.keys()], ["y"]);
  assert.deepEqual(toNumbers(out.get("y")!), [1, 3, 0, 0]);
});

Deno.test("Executor.run() still reports and keeps the Conv output before a Relu when asked", () => {
  const exec = new Executor(buildModel(convRelu()), registry);
  const seen: string[] = [];
  const out = exec.run(feeds(X), { onValue: (name) => seen.push(name) });
  assert.deepEqual(seen, ["s", "y"]);
  assert.deepEqual(toNumbers(exec.run(feeds(X), { keep: "all" }).get("s")!), [1, 3, -7, -0.5]);
  assert.deepEqual(toNumbers(out.get("y")!), [1, 3, 0, 0]);
});

Deno.test("Executor.run() leaves a Conv output another node reads to the Relu node", () => {
  const out = new Executor(buildModel(convRelu(true)), registry).run(feeds(X));
  assert.deepEqual(toNumbers(out.get("y")!), [1, 3, 0, 0]);
  assert.deepEqual(toNumbers(out.get("z")!), [2, 6, -14, -1]);
});

Deno.test("Executor.run() fuses Conv and Relu with the bits of the two nodes on every path", () => {
  const spec: ModelSpec = {
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8, 13, 11] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 16, 13, 11] }],
    nodes: [
      {
        opType: "Conv",
        inputs: ["x", "W", "b"],
        outputs: ["s"],
        attrs: { pads: attr.ints([1, 1, 1, 1]) },
      },
      { opType: "Relu", inputs: ["s"], outputs: ["y"] },
    ],
    initializers: {
      W: f32([16, 8, 3, 3], randomF32(16 * 8 * 9, 7)),
      b: f32([16], randomF32(16, 9)),
    },
  };
  const exec = new Executor(buildModel(spec), registry);
  const x = f32([1, 8, 13, 11], randomF32(8 * 13 * 11, 3));
  for (
    const [isa, [fused, apart]] of onEveryIsa(() => [
      exec.run(feeds(x)).get("y")!.data,
      // a keep set turns fusion off
      exec.run(feeds(x), { keep: new Set() }).get("y")!.data,
    ])
  ) {
    assert.ok(fused instanceof Float32Array && apart instanceof Float32Array);
    assert.ok(fused.some((v) => v === 0) && fused.some((v) => v > 0), isa);
    assert.equal(firstBitDifference(fused, apart), -1, isa);
  }
});
