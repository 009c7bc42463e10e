import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { f32, toNumbers } from "../ir/tensor.ts";
import { constantToInitializer } from "./constant_to_initializer.ts";
import { ctx, opTypes, outputsOf, runAndCompare, seeded } from "./_testing.ts";

Deno.test("constantToInitializer() turns every value_* form into an initializer", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [2, 3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [3, 2] }],
    nodes: [
      {
        opType: "Constant",
        inputs: [],
        outputs: ["t"],
        attrs: { value: attr.tensor(f32([3], [1, 2, 3])) },
      },
      { opType: "Constant", inputs: [], outputs: ["s"], attrs: { value_float: attr.float(0.5) } },
      {
        opType: "Constant",
        inputs: [],
        outputs: ["shape"],
        attrs: { value_ints: attr.ints([3, 2]) },
      },
      { opType: "Add", inputs: ["x", "t"], outputs: ["a"] },
      { opType: "Mul", inputs: ["a", "s"], outputs: ["b"] },
      { opType: "Reshape", inputs: ["b", "shape"], outputs: ["y"] },
    ],
  });
  const r = runAndCompare(constantToInitializer, model, { x: seeded([2, 3]) }, 0);
  assert.equal(r.count, 3);
  assert.deepEqual(opTypes(model), ["Add", "Mul", "Reshape"]);
  const shape = model.graph.initializers.get("shape");
  assert.equal(shape?.dtype, "s64");
  assert.deepEqual(toNumbers(shape!), [3, 2]);
  // x = 0: y = (0 + t) * 0.5 reshaped
  const zero = outputsOf(model, { x: f32([2, 3], [0, 0, 0, 0, 0, 0]) })[0];
  assert.deepEqual([...zero], [0.5, 1, 1.5, 0.5, 1, 1.5]);
});

Deno.test("constantToInitializer() decodes scalar and list forms with ONNX dtypes", () => {
  const forms = [
    ["i", "value_int", attr.int(7)],
    ["fs", "value_floats", attr.floats([1.5, -2])],
    ["ss", "value_strings", attr.strings(["a", "b"])],
    ["s", "value_string", attr.string("z")],
  ] as const;
  const model = buildModel({
    inputs: [],
    outputs: forms.map(([n]) => ({ name: `${n}_out`, dtype: "f32", shape: [] })),
    nodes: forms.flatMap(([n, key, a]) => [
      { opType: "Constant", inputs: [], outputs: [n], attrs: { [key]: a } },
      { opType: "Identity", inputs: [n], outputs: [`${n}_out`] },
    ]),
  });
  assert.equal(constantToInitializer.run(model, ctx).count, 4);
  const init = (n: string) => {
    const t = model.graph.initializers.get(n);
    assert.ok(t, `initializer ${n} missing`);
    return t;
  };
  assert.equal(init("i").dtype, "s64");
  assert.deepEqual(init("i").shape, []);
  assert.deepEqual(toNumbers(init("i")), [7]);
  assert.equal(init("fs").dtype, "f32");
  assert.deepEqual(toNumbers(init("fs")), [1.5, -2]);
  assert.deepEqual(init("ss").data, ["a", "b"]);
  assert.deepEqual(init("s").shape, []);
});

Deno.test("constantToInitializer() keeps a Constant whose attributes do not parse", () => {
  const model = buildModel({
    inputs: [],
    outputs: [{ name: "y", dtype: "f32", shape: [] }],
    nodes: [
      {
        opType: "Constant",
        inputs: [],
        outputs: ["c"],
        attrs: { value_float: attr.float(1), value_int: attr.int(1) },
      },
      { opType: "Identity", inputs: ["c"], outputs: ["y"] },
    ],
  });
  assert.equal(constantToInitializer.run(model, ctx).count, 0);
  assert.deepEqual(opTypes(model), ["Constant", "Identity"]);
});

Deno.test("constantToInitializer() keeps a Constant that is a graph output", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1] }],
    outputs: [{ name: "c", dtype: "f32", shape: [1] }],
    nodes: [{
      opType: "Constant",
      inputs: [],
      outputs: ["c"],
      attrs: { value: attr.tensor(f32([1], [4])) },
    }],
  });
  const r = constantToInitializer.run(model, ctx);
  assert.equal(r.changed, false);
  assert.deepEqual(opTypes(model), ["Constant"]);
});
