import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { Executor } from "../exec/executor.ts";
import { act, quantModel, REGISTRY } from "./_testing.ts";
import { QuantEmulator } from "./emulator.ts";
import { analyzePrecision, type PrecisionRow } from "./precision_analysis.ts";

/** `x [1, 4]` → Relu → `y`, both U8 with scale 0.5 and zero point 0. */
function reluModel() {
  const model = buildModel({
    name: "relu",
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4] }],
    nodes: [{ opType: "Relu", name: "relu", inputs: ["x"], outputs: ["y"] }],
  });
  return quantModel(model, [act("x", 0.5, 0), act("y", 0.5, 0)]);
}

/**
 * Two samples. The first is off the 0.5 grid: x quantizes to codes [0, 2, 0, 5] (0.4
 * rounds to 0, -1.2 saturates at 0, 4.8 rounds to 5), i.e. [0, 1, 0, 2.5]; Relu keeps
 * them, against the float [0.2, 1, 0, 2.4]. The second is on the grid and non-negative,
 * so every comparison is exact.
 */
const SAMPLES = [
  new Map([["x", f32([1, 4], [0.2, 1.0, -0.6, 2.4])]]),
  new Map([["x", f32([1, 4], [1.5, 0.5, 0, 3])]]),
];

/** Hand-computed on the first sample, averaged with the exact second one. */
const INPUT_ROW = {
  // [0, 1, 0, 2.5] against [0.2, 1, -0.6, 2.4]: dot 7, norms² 7.25 and 7.16
  cosine: (7 / Math.sqrt(7.25 * 7.16) + 1) / 2,
  mse: ((0.04 + 0 + 0.36 + 0.01) / 4) / 2,
};
const RELU_ROW = {
  // [0, 1, 0, 2.5] against [0.2, 1, 0, 2.4]: dot 7, norms² 7.25 and 6.8
  cosine: (7 / Math.sqrt(7.25 * 6.8) + 1) / 2,
  mse: ((0.04 + 0.01) / 4) / 2,
};

function close(row: PrecisionRow, want: { cosine: number; mse: number }): void {
  assert.ok(Math.abs(row.cosine - want.cosine) < 1e-6, `${row.operator} cosine ${row.cosine}`);
  assert.ok(Math.abs(row.mse - want.mse) < 1e-7, `${row.operator} mse ${row.mse}`);
}

for (const method of ["PerLayer", "EndToEnd"] as const) {
  Deno.test(`analyzePrecision() averages hand-computed input, operator and output rows (${method})`, () => {
    const q = reluModel();
    const rows = analyzePrecision(
      new Executor(q.model, REGISTRY),
      new QuantEmulator(q, REGISTRY),
      SAMPLES,
      method,
    );
    assert.deepEqual(
      rows.map((r) => [r.kind, r.operator, r.tensor]),
      [["input", "x", "x"], ["node", "relu", "y"], ["output", "y_DequantizeLinear", "y"]],
    );
    close(rows[0], INPUT_ROW);
    close(rows[1], RELU_ROW);
    // the output handed over as float: PerLayer quantizes the float output, EndToEnd
    // takes the quantized model's; here both are [0, 1, 0, 2.5]
    close(rows[2], RELU_ROW);
  });
}

Deno.test("analyzePrecision() reports progress after each sample", () => {
  const q = reluModel();
  const seen: [number, number][] = [];
  analyzePrecision(
    new Executor(q.model, REGISTRY),
    new QuantEmulator(q, REGISTRY),
    SAMPLES,
    "PerLayer",
    { onProgress: (done, total) => seen.push([done, total]) },
  );
  assert.deepEqual(seen, [[1, 2], [2, 2]]);
});
