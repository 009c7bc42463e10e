import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { defineOp, OpRegistry } from "../ops/op.ts";
import { Executor } from "./executor.ts";

Deno.test("Executor tells kernels which inputs are initializers (isConstantInput)", () => {
  const seen: boolean[][] = [];
  const probe = defineOp<null>({
    opType: "Probe",
    domain: "test",
    parse: () => null,
    infer: (ctx) => [ctx.inputTypes[0]],
    run: (inputs, _a, ctx) => {
      seen.push(inputs.map((_, i) => ctx.isConstantInput?.(i) ?? false));
      return [inputs[0]!];
    },
  });
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [2] }],
    outputs: [{ name: "z", dtype: "f32", shape: [2] }],
    nodes: [
      { opType: "Probe", domain: "test", inputs: ["x", "w"], outputs: ["y"] },
      { opType: "Probe", domain: "test", inputs: ["w", "y"], outputs: ["z"] },
    ],
    initializers: { w: f32([2], [1, 2]) },
    domains: { test: 1 },
  });
  const exec = new Executor(model, new OpRegistry([probe]));
  exec.run(new Map([["x", f32([2], [3, 4])]]));
  assert.deepEqual(seen, [[false, true], [true, false]]);
});
