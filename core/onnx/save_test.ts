import { strict as assert } from "node:assert";
import { join } from "node:path";
import { ModelFormatError } from "../errors/mod.ts";
import { Graph, type Model } from "../ir/graph.ts";
import { f32, Tensor } from "../ir/tensor.ts";
import { decodeModel, loadModel } from "./load.ts";
import { encodeModel, saveModel } from "./save.ts";
import { modelDifference } from "./ir_equal.ts";
import {
  decodeAs,
  encodeMsg,
  FunctionProtoType,
  int64ToBigInt,
  type ModelMsg,
  ModelProtoType,
  SparseTensorProtoType,
  TensorAnnotationType,
} from "./onnx_proto.ts";

const NODE_TESTS = "/work/shared/onnx-node-tests";
const MODELS = "/work/shared/models";

/** Models whose load is expected to fail, with the reason axb gives (none today). */
const UNSUPPORTED: Record<string, RegExp> = {};

function allModelPaths(): string[] {
  const out: string[] = [];
  for (const d of Deno.readDirSync(NODE_TESTS)) {
    if (d.isDirectory) out.push(join(NODE_TESTS, d.name, "model.onnx"));
  }
  for (const f of Deno.readDirSync(MODELS)) {
    if (f.name.endsWith(".onnx")) out.push(join(MODELS, f.name));
  }
  return out.sort();
}

Deno.test("encodeModel() round trips every node-test and shared model", () => {
  const paths = allModelPaths();
  assert.ok(paths.length > 900, `expected the ONNX node tests, found ${paths.length} models`);
  const failures: string[] = [];
  for (const path of paths) {
    const test = path.split("/").at(-2) ?? "";
    const bytes = Deno.readFileSync(path);
    if (UNSUPPORTED[test]) {
      assert.throws(() => decodeModel(bytes, { path, allowEmptyInputs: true }), UNSUPPORTED[test]);
      continue;
    }
    // A few node tests feed empty tensors (an `axes` input of shape [0]).
    const a = decodeModel(bytes, { path, allowEmptyInputs: true });
    const b = decodeModel(encodeModel(a), {
      path: `${path} (re-encoded)`,
      allowEmptyInputs: true,
    });
    const d = modelDifference(a, b);
    if (d) failures.push(`${path}: ${d}`);
  }
  assert.deepEqual(failures, []);
});

function richModel(): Model {
  const body = new Graph({
    name: "body",
    inputs: [{ name: "i", type: { dtype: "s64", shape: [] } }],
    outputs: [{ name: "o", type: { dtype: "f32", shape: ["N", null, 3] } }],
  });
  body.nodes.push({
    name: "c",
    opType: "Constant",
    domain: "",
    inputs: [],
    outputs: ["o"],
    attrs: new Map([["value", { kind: "tensor", value: f32([1], [2]) }]]),
  });
  const g = new Graph({
    name: "main",
    inputs: [{ name: "x", type: { dtype: "f32" }, docString: "input x" }],
    outputs: [{ name: "y" }],
  });
  g.docString = "graph doc";
  g.initializers.set("w", new Tensor("s64", [2], new BigInt64Array([-(2n ** 63n), 5n])));
  g.valueInfo.set("t", { name: "t", type: { dtype: "bf16", shape: [2] } });
  g.nodes.push({
    name: "n0",
    opType: "Custom",
    domain: "com.example",
    inputs: ["x", "", "w"],
    outputs: ["y"],
    docString: "node doc",
    metadata: new Map([["k", "v"]]),
    attrs: new Map([
      ["f", { kind: "float", value: Math.fround(0.1) }],
      ["huge", { kind: "int", value: 2 ** 70 }],
      ["s", { kind: "string", value: "ünïcode" }],
      ["fs", { kind: "floats", value: [1.5, -2] }],
      ["is", { kind: "ints", value: [-1, 2 ** 40] }],
      ["ss", { kind: "strings", value: ["a", ""] }],
      ["ts", { kind: "tensors", value: [f32([2], [3, 4])] }],
      ["g", { kind: "graph", value: body }],
      ["gs", { kind: "graphs", value: [body, body] }],
      ["tp", { kind: "type", value: { dtype: "u8", shape: [1, "B"] } }],
      ["tps", { kind: "types", value: [{ dtype: "string" }] }],
    ]),
  });
  g.opaque.sparseInitializers.push(encodeMsg(SparseTensorProtoType, {
    values: { name: "sp", dims: [1], dataType: 1, floatData: [9] },
    indices: { dims: [1], dataType: 7, int64Data: [3] },
    dims: [4],
  }));
  g.opaque.quantizationAnnotation.push(encodeMsg(TensorAnnotationType, {
    tensorName: "x",
    quantParameterTensorNames: [{ key: "SCALE_TENSOR", value: "x_scale" }],
  }));
  return {
    irVersion: 9,
    opsetImports: new Map([["", 17], ["com.example", 2]]),
    producerName: "axb-test",
    producerVersion: "1.0",
    domain: "org.example",
    modelVersion: 42,
    docString: "model doc",
    metadataProps: new Map([["author", "me"], ["empty", ""]]),
    graph: g,
    opaque: {
      functions: [encodeMsg(FunctionProtoType, { name: "fn", domain: "com.example" })],
      trainingInfo: [],
    },
  };
}

Deno.test("encodeModel() keeps metadata, doc strings, subgraphs and opaque parts", () => {
  const m = richModel();
  const back = decodeModel(encodeModel(m));
  assert.equal(modelDifference(back, decodeModel(encodeModel(back))), undefined);
  // Every attribute but the saturated int compares equal to what was built.
  const n = back.graph.nodes[0];
  for (const [k, v] of m.graph.nodes[0].attrs) {
    if (k !== "huge") assert.deepEqual(n.attrs.get(k), v, k);
  }
  assert.deepEqual(n.attrs.get("huge"), { kind: "int", value: 2 ** 63 });
  assert.deepEqual(n.metadata, new Map([["k", "v"]]));
  assert.equal(n.docString, "node doc");
  assert.equal(n.domain, "com.example");
  assert.deepEqual(n.inputs, ["x", "", "w"]);
  assert.equal(back.graph.docString, "graph doc");
  assert.equal(back.graph.inputs[0].docString, "input x");
  assert.deepEqual(back.graph.inputs[0].type, { dtype: "f32" });
  assert.equal(back.graph.outputs[0].type, undefined);
  assert.deepEqual(back.graph.valueInfo.get("t"), m.graph.valueInfo.get("t"));
  assert.deepEqual(back.metadataProps, m.metadataProps);
  assert.deepEqual(back.opsetImports, m.opsetImports);
  assert.equal(back.modelVersion, 42);
  assert.equal(back.docString, "model doc");
  assert.deepEqual(back.opaque.functions, m.opaque.functions);
  assert.deepEqual(back.graph.opaque, m.graph.opaque);
  assert.deepEqual(
    [...back.graph.initializers.get("w")?.data as BigInt64Array],
    [-(2n ** 63n), 5n],
  );
});

Deno.test("encodeModel() saturates int attributes to the int64 range", () => {
  const m = richModel();
  const msg = decodeAs<ModelMsg>(ModelProtoType, encodeModel(m));
  const attrs = msg.graph?.node?.[0].attribute ?? [];
  const huge = attrs.find((a) => a.name === "huge");
  assert.equal(int64ToBigInt(huge?.i), 2n ** 63n - 1n);
  const ints = attrs.find((a) => a.name === "is");
  assert.deepEqual(ints?.ints?.map((v) => int64ToBigInt(v)), [-1n, 2n ** 40n]);
});

Deno.test("saveModel() writes external data that loads back bit-identical", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb-onnx-" });
  try {
    const original = await loadModel(join(MODELS, "squeezenet1_1.onnx"));
    const path = join(dir, "sq.onnx");
    await saveModel(original, path, { externalDataThreshold: 4096 });
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["sq.data", "sq.onnx"]);
    assert.ok(Deno.statSync(path).size < 100_000, "weights should be outside the model file");
    const msg = decodeAs<ModelMsg>(ModelProtoType, Deno.readFileSync(path));
    let external = 0;
    for (const t of msg.graph?.initializer ?? []) {
      if (t.dataLocation !== 1) continue;
      external++;
      const e = new Map((t.externalData ?? []).map((x) => [x.key, x.value]));
      assert.equal(e.get("location"), "sq.data");
      assert.equal(Number(e.get("offset")) % 4096, 0);
    }
    assert.ok(external > 20, `expected most squeezenet weights external, got ${external}`);
    const back = await loadModel(path);
    assert.equal(modelDifference(original, back), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveModel() leaves no temp files and reports unwritable paths", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb-onnx-" });
  try {
    const m = richModel();
    await saveModel(m, join(dir, "m.onnx"));
    await saveModel(m, join(dir, "m.onnx"));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["m.onnx"]);
    assert.equal(
      modelDifference(m, await loadModel(join(dir, "m.onnx"))),
      "graph.nodes[0]" +
        ".attrs.huge[0]: 1.1805916207174113e+21 vs 9223372036854776000",
    );
    // parent folders are created; a parent that is a file cannot be
    await assert.rejects(
      () => saveModel(m, join(dir, "m.onnx", "m.onnx")),
      (e: unknown) => e instanceof ModelFormatError && /Cannot write model/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
