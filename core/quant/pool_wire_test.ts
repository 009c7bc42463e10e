import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { calibrateAndQuantize, randomValues } from "./_testing.ts";
import { quantFromWire, quantToWire } from "./pool_wire.ts";

/** `x [1, 2, 4, 4]` → Conv 1×1 → Relu → `y`. */
function convRelu() {
  return buildModel({
    name: "conv_relu",
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 4, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 3, 4, 4] }],
    nodes: [
      {
        opType: "Conv",
        name: "conv",
        inputs: ["x", "w"],
        outputs: ["c"],
        attrs: { kernel_shape: attr.ints([1, 1]) },
      },
      { opType: "Relu", name: "relu", inputs: ["c"], outputs: ["y"] },
    ],
    initializers: { w: f32([3, 2, 1, 1], randomValues(6, 3, -1, 1)) },
  });
}

Deno.test("quantToWire() leaves the graph out when the quantized model annotates the loaded float model", () => {
  const model = convRelu();
  const quant = calibrateAndQuantize(model, 2, 7);
  const wire = quantToWire(quant, model);
  assert.equal(wire.model, undefined);
  const back = quantFromWire(wire, model);
  assert.equal(back.model, model);
  assert.equal(back.constants, quant.constants);
  assert.throws(() => quantFromWire(wire), /without its graph/);
});

Deno.test("quantToWire() encodes the graph when the worker holds another float model", () => {
  const model = convRelu();
  const quant = calibrateAndQuantize(model, 2, 7);
  const wire = quantToWire(quant, convRelu());
  assert.ok(wire.model && wire.model.length > 0);
  const back = quantFromWire(wire, convRelu());
  assert.notEqual(back.model, model);
  assert.deepEqual([...back.model.graph.initializers.keys()], ["w"]);
});
