import { strict as assert } from "node:assert";
import { join } from "node:path";
import { applyConstProcessors, applyOpProcessors } from "./patch.ts";
import { captureLogger, runModel } from "./_testing.ts";
import { attr, buildModel } from "../ir/builder.ts";
import { f32, s64, type Tensor } from "../ir/tensor.ts";
import { encodeNpy } from "../io/npy.ts";
import { ConfigError } from "../errors/mod.ts";
import type { Model } from "../ir/graph.ts";

/** x [1, 6] → Reshape(reshape_0_shape) → Mul(scale, a Constant node) → y; plus an unused w2. */
function reshapeModel(): Model {
  const m = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 6] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2, 3] }],
    nodes: [
      { opType: "Reshape", name: "reshape_0", inputs: ["x", "reshape_0_shape"], outputs: ["r"] },
      { opType: "Mul", name: "mul_0", inputs: ["r", "scale"], outputs: ["y"] },
      {
        opType: "Constant",
        name: "const_node",
        inputs: [],
        outputs: ["scale"],
        attrs: { value: attr.tensor(f32([1, 1], [2])) },
      },
    ],
    initializers: { reshape_0_shape: s64([2], [2, 3]), w2: f32([2, 2], [1, 2, 3, 4]) },
    opset: 13,
  });
  m.graph.nodes = [m.graph.nodes[2], m.graph.nodes[0], m.graph.nodes[1]];
  return m;
}

const base = { data: [], data_path: "" };

Deno.test("applyConstProcessors() replaces an S64 initializer and logs it", () => {
  const m = reshapeModel();
  const log = captureLogger();
  applyConstProcessors(m, [{ ...base, name: "reshape_0_shape", data: [-1, 2] }], log);
  const t = m.graph.initializers.get("reshape_0_shape");
  assert.ok(t?.is("s64"));
  assert.deepEqual([...t.data], [-1n, 2n]);
  assert.deepEqual(log.lines, ["INFO update data of const tensor [reshape_0_shape], (-1, 2), S64"]);
  const y = runModel(m, { x: f32([1, 6], [1, 2, 3, 4, 5, 6]) }).get("y");
  assert.deepEqual(y?.shape, [3, 2]);
  assert.deepEqual([...(y?.data as Float32Array)], [2, 4, 6, 8, 10, 12]);
});

Deno.test("applyConstProcessors() patches a Constant node and keeps its shape and dtype", () => {
  const m = reshapeModel();
  const log = captureLogger();
  applyConstProcessors(m, [{ ...base, name: "scale", data: [0.5] }], log);
  assert.deepEqual(log.lines, ["INFO update data of const tensor [scale], (0.5,), FP32"]);
  const y = runModel(m, { x: f32([1, 6], [2, 4, 6, 8, 10, 12]) }).get("y");
  assert.deepEqual([...(y?.data as Float32Array)], [1, 2, 3, 4, 5, 6]);
  const a = m.graph.nodes[0].attrs.get("value");
  assert.ok(a?.kind === "tensor");
  assert.deepEqual(a.value.shape, [1, 1]);
});

Deno.test("applyConstProcessors() reads .txt, .npy and .bin data files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb-const-" });
  try {
    Deno.writeTextFileSync(join(dir, "w.txt"), "5, 6\n7 8\n");
    Deno.writeFileSync(join(dir, "w.npy"), encodeNpy(f32([4], [9, 10, 11, 12])));
    Deno.writeFileSync(join(dir, "s.bin"), new Uint8Array(new BigInt64Array([3n, -1n]).buffer));
    const m = reshapeModel();
    const log = captureLogger();
    applyConstProcessors(m, [{ ...base, name: "w2", data_path: "w.txt" }], log, { baseDir: dir });
    assert.deepEqual([...(m.graph.initializers.get("w2") as Tensor<"f32">).data], [5, 6, 7, 8]);
    applyConstProcessors(m, [{ ...base, name: "w2", data_path: join(dir, "w.npy") }], log);
    assert.deepEqual([...(m.graph.initializers.get("w2") as Tensor<"f32">).data], [9, 10, 11, 12]);
    assert.deepEqual(m.graph.initializers.get("w2")?.shape, [2, 2]);
    applyConstProcessors(m, [{ ...base, name: "reshape_0_shape", data_path: "s.bin" }], log, {
      baseDir: dir,
    });
    const s = m.graph.initializers.get("reshape_0_shape") as Tensor<"s64">;
    assert.deepEqual([...s.data], [3n, -1n]);
    assert.equal(
      log.lines.at(-1),
      "INFO update data of const tensor [reshape_0_shape], (3, -1), S64",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("applyConstProcessors() refuses an unknown name, naming the field", () => {
  assert.throws(
    () =>
      applyConstProcessors(
        reshapeModel(),
        [{ ...base, name: "reshape_shape", data: [1] }],
        captureLogger(),
      ),
    (e: unknown) =>
      e instanceof ConfigError && e.field === "const_processors[0].name" &&
      /"reshape_shape"/.test(e.message) && /did you mean "reshape_0_shape"/.test(e.message),
  );
});

Deno.test("applyConstProcessors() refuses a wrong element count for a 2-D constant", () => {
  assert.throws(
    () =>
      applyConstProcessors(
        reshapeModel(),
        [{ ...base, name: "w2", data: [1, 2, 3] }],
        captureLogger(),
      ),
    (e: unknown) => e instanceof ConfigError && /3 values, expected 4/.test(e.message),
  );
  assert.throws(
    () => applyConstProcessors(reshapeModel(), [{ ...base, name: "w2" }], captureLogger()),
    (e: unknown) => e instanceof ConfigError && /neither data nor data_path/.test(e.message),
  );
});

Deno.test("applyOpProcessors() sets attributes with types from the JSON values", () => {
  const m = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 1, 3, 3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 1, 1, 1] }],
    nodes: [{
      opType: "MaxPool",
      name: "pool6",
      inputs: ["x"],
      outputs: ["y"],
      attrs: {
        kernel_shape: attr.ints([2, 2]),
        strides: attr.ints([2, 2]),
        alpha: attr.float(0.5),
      },
    }],
    opset: 13,
  });
  const log = captureLogger();
  applyOpProcessors(m, [{
    op_name: "pool6",
    attrs: {
      ceil_mode: 1,
      alpha: 2,
      beta: 0.25,
      mode: "x",
      pads: [0, 0, 1, 1],
      ws: [0.5, 1],
      ss: ["a"],
    },
  }], log);
  const a = m.graph.nodes[0].attrs;
  assert.deepEqual(a.get("ceil_mode"), { kind: "int", value: 1 });
  assert.deepEqual(a.get("alpha"), { kind: "float", value: 2 });
  assert.deepEqual(a.get("beta"), { kind: "float", value: 0.25 });
  assert.deepEqual(a.get("mode"), { kind: "string", value: "x" });
  assert.deepEqual(a.get("pads"), { kind: "ints", value: [0, 0, 1, 1] });
  assert.deepEqual(a.get("ws"), { kind: "floats", value: [0.5, 1] });
  assert.deepEqual(a.get("ss"), { kind: "strings", value: ["a"] });
  assert.deepEqual(log.lines.slice(0, 5), [
    "INFO set op [pool6] attr [ceil_mode] to 1",
    "INFO set op [pool6] attr [alpha] to 2.0",
    "INFO set op [pool6] attr [beta] to 0.25",
    "INFO set op [pool6] attr [mode] to 'x'",
    "INFO set op [pool6] attr [pads] to [0, 0, 1, 1]",
  ]);
});

Deno.test("applyOpProcessors() with ceil_mode 1 changes a MaxPool's output shape", () => {
  const m = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 1, 3, 3] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 1, null, null] }],
    nodes: [{
      opType: "MaxPool",
      name: "pool6",
      inputs: ["x"],
      outputs: ["y"],
      attrs: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) },
    }],
    opset: 13,
  });
  const x = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(runModel(m, { x }).get("y")?.shape, [1, 1, 1, 1]);
  applyOpProcessors(m, [{ op_name: "pool6", attrs: { ceil_mode: 1 } }], captureLogger());
  const y = runModel(m, { x }).get("y");
  assert.deepEqual(y?.shape, [1, 1, 2, 2]);
  assert.deepEqual([...(y?.data as Float32Array)], [5, 6, 8, 9]);
});

Deno.test("applyOpProcessors() refuses an unknown op and a bad value, naming the field", () => {
  const m = reshapeModel();
  assert.throws(
    () =>
      applyOpProcessors(
        m,
        [{ op_name: "mul_0", attrs: {} }, { op_name: "pool7", attrs: {} }],
        captureLogger(),
      ),
    (e: unknown) =>
      e instanceof ConfigError && e.field === "op_processors[1].op_name" &&
      /"pool7"/.test(e.message),
  );
  assert.throws(
    () => applyOpProcessors(m, [{ op_name: "mul_0", attrs: { k: { a: 1 } } }], captureLogger()),
    (e: unknown) => e instanceof ConfigError && e.field === "op_processors[0].attrs.k",
  );
});

/** y = x * gain, with `gain` a scalar float input and `x` a dynamic [N, 2] input. */
function gainModel(): Model {
  return buildModel({
    inputs: [
      { name: "x", dtype: "f32", shape: ["N", 2] },
      { name: "gain", dtype: "f32", shape: [] },
    ],
    outputs: [{ name: "y", dtype: "f32", shape: ["N", 2] }],
    nodes: [{ opType: "Mul", name: "mul", inputs: ["x", "gain"], outputs: ["y"] }],
  });
}

Deno.test("applyConstProcessors() pins a scalar model input to a constant and logs it", () => {
  const m = gainModel();
  const log = captureLogger();
  applyConstProcessors(m, [{ ...base, name: "gain", data: [3] }], log);
  assert.deepEqual(m.graph.inputs.map((v) => v.name), ["x"]);
  const t = m.graph.initializers.get("gain");
  assert.ok(t);
  assert.deepEqual(t.shape, []);
  assert.deepEqual([...(t.data as Float32Array)], [3]);
  assert.deepEqual(log.lines, ["INFO pin model input [gain], (3.0,), FP32"]);
  const y = runModel(m, { x: f32([1, 2], [1, -2]) }).get("y");
  assert.deepEqual([...(y?.data as Float32Array)], [3, -6]);
});

Deno.test("applyConstProcessors() refuses to pin an input without a static shape", () => {
  assert.throws(
    () =>
      applyConstProcessors(gainModel(), [{ ...base, name: "x", data: [1, 2] }], captureLogger()),
    (e) =>
      e instanceof ConfigError && e.field === "const_processors[0].name" &&
      /"x" is a model input of type float32\["N", 2\]; only numeric inputs with a static shape/
        .test(e.message),
  );
});
