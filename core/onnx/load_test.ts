import { strict as assert } from "node:assert";
import { join } from "node:path";
import { ModelFormatError } from "../errors/mod.ts";
import { halfToFloat32 } from "../ir/dtype.ts";
import type { Graph } from "../ir/graph.ts";
import { OptionalValue, SequenceValue } from "../ir/value.ts";
import { decodeModel, loadModel, loadTensorFile, loadValueFile } from "./load.ts";
import { valueInfoFromProto } from "./decode_graph.ts";
import { encodeMsg, ModelProtoType } from "./onnx_proto.ts";

const NODE_TESTS = "/work/shared/onnx-node-tests";

function graphAttr(g: Graph, node: number, name: string): Graph {
  const a = g.nodes[node].attrs.get(name);
  assert.ok(a && a.kind === "graph", `attribute ${name} should be a graph`);
  return a.value;
}

Deno.test("loadModel() decodes test_add inputs as float32 [3,4,5]", async () => {
  const m = await loadModel(join(NODE_TESTS, "test_add/model.onnx"));
  assert.deepEqual(m.graph.inputs, [
    { name: "x", type: { dtype: "f32", shape: [3, 4, 5] } },
    { name: "y", type: { dtype: "f32", shape: [3, 4, 5] } },
  ]);
  assert.deepEqual(m.graph.outputs.map((v) => v.name), ["sum"]);
  assert.equal(m.graph.nodes.length, 1);
  assert.equal(m.graph.nodes[0].opType, "Add");
  assert.deepEqual(m.graph.nodes[0].inputs, ["x", "y"]);
  assert.equal(m.opsetImports.has(""), true);
  assert.equal(m.producerName, "backend-test");
});

Deno.test("loadModel() decodes Cast to float16 with its int attribute", async () => {
  const m = await loadModel(join(NODE_TESTS, "test_cast_FLOAT_to_FLOAT16/model.onnx"));
  assert.deepEqual(m.graph.inputs[0].type, { dtype: "f32", shape: [3, 4] });
  assert.deepEqual(m.graph.outputs[0].type, { dtype: "f16", shape: [3, 4] });
  // TensorProto.DataType FLOAT16 = 10
  assert.deepEqual(m.graph.nodes[0].attrs.get("to"), { kind: "int", value: 10 });
});

Deno.test("loadModel() keeps If branches as graph attributes", async () => {
  const m = await loadModel(join(NODE_TESTS, "test_if/model.onnx"));
  const node = m.graph.nodes[0];
  assert.equal(node.opType, "If");
  const then = graphAttr(m.graph, 0, "then_branch");
  const other = graphAttr(m.graph, 0, "else_branch");
  const value = then.nodes[0].attrs.get("value");
  assert.ok(value?.kind === "tensor");
  assert.deepEqual([...value.value.data as Float32Array], [1, 2, 3, 4, 5]);
  const value2 = other.nodes[0].attrs.get("value");
  assert.ok(value2?.kind === "tensor");
  assert.deepEqual([...value2.value.data as Float32Array], [5, 4, 3, 2, 1]);
});

Deno.test("loadModel() decodes a Loop body with scalar int64/bool inputs", async () => {
  const m = await loadModel(join(NODE_TESTS, "test_loop11/model.onnx"));
  const body = graphAttr(m.graph, 0, "body");
  assert.deepEqual(body.inputs.map((v) => v.type), [
    { dtype: "s64", shape: [] },
    { dtype: "bool", shape: [] },
    { dtype: "f32", shape: [1] },
  ]);
});

Deno.test("loadModel() reads sequence and optional types as typed values", async () => {
  const m = await loadModel(join(NODE_TESTS, "test_sequence_insert_at_back/model.onnx"));
  assert.deepEqual(m.graph.inputs[0].type, { kind: "sequence", elem: { dtype: "s64" } });
  const o = await loadModel(join(NODE_TESTS, "test_optional_get_element_sequence/model.onnx"));
  assert.deepEqual(o.graph.inputs[0].type, {
    kind: "optional",
    elem: { kind: "sequence", elem: { dtype: "s32", shape: [4] } },
  });
});

Deno.test("valueInfoFromProto() keeps a map type as opaque TypeProto bytes", () => {
  const vi = valueInfoFromProto({
    name: "m",
    type: { mapType: { keyType: 7, valueType: { tensorType: { elemType: 1 } } } },
  });
  assert.ok(vi.type && "kind" in vi.type && vi.type.kind === "opaque");
  // TypeProto field 5 (map_type), wire type 2 → first byte 0x2a
  assert.equal(vi.type.encoded[0], 0x2a);
});

Deno.test("loadValueFile() reads a SequenceProto and an empty OptionalProto", async () => {
  const seqDir = join(NODE_TESTS, "test_sequence_insert_at_back/test_data_set_0");
  const seq = await loadValueFile(join(seqDir, "input_0.pb"), {
    kind: "sequence",
    elem: { dtype: "s64" },
  });
  assert.ok(seq instanceof SequenceValue);
  assert.deepEqual(seq.items.map((t) => t.shape), [[4], [3], [2]]);
  const optDir = join(NODE_TESTS, "test_optional_has_element_empty/test_data_set_0");
  const opt = await loadValueFile(join(optDir, "input_0.pb"), {
    kind: "optional",
    elem: { dtype: "s32", shape: [] },
  });
  assert.ok(opt instanceof OptionalValue);
  assert.equal(opt.hasValue, false);
});

Deno.test("loadTensorFile() reads the numpy seed-0 normals of test_add", async () => {
  const t = await loadTensorFile(join(NODE_TESTS, "test_add/test_data_set_0/input_0.pb"));
  assert.equal(t.dtype, "f32");
  assert.deepEqual(t.shape, [3, 4, 5]);
  const d = t.data as Float32Array;
  // np.random.seed(0); np.random.randn(...) starts 1.76405235, 0.40015721, 0.97873798
  assert.equal(d[0], Math.fround(1.764052345967664));
  assert.equal(d[1], Math.fround(0.4001572083672233));
  assert.equal(d[2], Math.fround(0.9787379841057392));
});

Deno.test("loadTensorFile() reads int64 shape tensors exactly", async () => {
  const path = join(NODE_TESTS, "test_reshape_reduced_dims/test_data_set_0/input_1.pb");
  const t = await loadTensorFile(path);
  assert.equal(t.dtype, "s64");
  assert.deepEqual([...t.data as BigInt64Array], [2n, 12n]);
});

Deno.test("loadTensorFile() float16 output rounds the float32 input", async () => {
  const dir = join(NODE_TESTS, "test_cast_FLOAT_to_FLOAT16/test_data_set_0");
  const x = await loadTensorFile(join(dir, "input_0.pb"));
  const y = await loadTensorFile(join(dir, "output_0.pb"));
  assert.equal(y.dtype, "f16");
  const xs = x.data as Float32Array, ys = y.data as Uint16Array;
  for (let i = 0; i < xs.length; i++) {
    assert.ok(Math.abs(halfToFloat32(ys[i]) - xs[i]) <= Math.abs(xs[i]) * 2 ** -11 + 2 ** -25);
  }
});

Deno.test("loadTensorFile() decodes string tensors as UTF-8", async () => {
  const dir = join(NODE_TESTS, "test_cast_FLOAT_to_STRING/test_data_set_0");
  const x = await loadTensorFile(join(dir, "input_0.pb"));
  const y = await loadTensorFile(join(dir, "output_0.pb"));
  assert.equal(y.dtype, "string");
  const xs = x.data as Float32Array, ys = y.data as string[];
  for (let i = 0; i < xs.length; i++) assert.equal(Math.fround(Number(ys[i])), xs[i]);
});

Deno.test("decodeModel() gives one ModelFormatError line for a truncated model", () => {
  const path = "/work/shared/models/squeezenet1_1.onnx";
  const bytes = Deno.readFileSync(path);
  for (const cut of [17, 1000, bytes.length >> 1, bytes.length - 3]) {
    assert.throws(() => decodeModel(bytes.subarray(0, cut), { path }), (e: unknown) => {
      assert.ok(e instanceof ModelFormatError);
      assert.ok(!e.message.includes("\n"));
      assert.match(e.message, /^Cannot read model ".*squeezenet1_1\.onnx": file is truncated/);
      return true;
    });
  }
});

Deno.test("decodeModel() rejects text and empty files with ModelFormatError", () => {
  const text = new TextEncoder().encode("name: not a model\nversion 3\n");
  assert.throws(() => decodeModel(text, { path: "a.onnx" }), ModelFormatError);
  assert.throws(
    () => decodeModel(new Uint8Array(), { path: "e.onnx" }),
    /"e\.onnx": file is empty/,
  );
});

Deno.test("loadModel() names the file when it does not exist", async () => {
  await assert.rejects(() => loadModel("/nonexistent/m.onnx"), (e: unknown) => {
    assert.ok(e instanceof ModelFormatError);
    assert.match(e.message, /Cannot read model "\/nonexistent\/m\.onnx"/);
    return true;
  });
});

Deno.test("decodeModel() refuses external data outside the model directory", () => {
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "g",
      initializer: [{
        name: "w",
        dims: [2],
        dataType: 1,
        dataLocation: 1,
        externalData: [{ key: "location", value: "../secret.bin" }],
      }],
    },
  };
  const bytes = encodeMsg(ModelProtoType, model);
  assert.throws(
    () => decodeModel(bytes, { path: "/tmp/x/m.onnx" }),
    /tensor "w" has external data location "\.\.\/secret\.bin", which is outside/,
  );
});

Deno.test("decodeModel() normalizes the ai.onnx domain to the empty string", () => {
  const bytes = encodeMsg(ModelProtoType, {
    irVersion: 8,
    opsetImport: [{ domain: "ai.onnx", version: 13 }, { domain: "com.microsoft", version: 1 }],
    graph: {
      name: "g",
      node: [{ opType: "Relu", domain: "ai.onnx", input: ["x"], output: ["y"] }],
      input: [{ name: "x" }],
      output: [{ name: "y" }],
    },
  });
  const m = decodeModel(bytes);
  assert.deepEqual([...m.opsetImports], [["", 13], ["com.microsoft", 1]]);
  assert.equal(m.graph.nodes[0].domain, "");
});
