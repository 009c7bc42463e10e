import { strict as assert } from "node:assert";
import { GraphError, LimitError, ModelFormatError } from "../errors/mod.ts";
import { Graph, type Model, type Node } from "../ir/graph.ts";
import { f32 } from "../ir/tensor.ts";
import { maxTensorBytes, setMaxTensorBytes } from "../ir/dtype.ts";
import type { Attribute } from "../ir/attribute.ts";
import { validateModel } from "./validate.ts";
import { checkInferredNode } from "./validate_inferred.ts";

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: [string, Attribute][] = [],
): Node {
  return { name: `${opType}_0`, opType, domain: "", inputs, outputs, attrs: new Map(attrs) };
}

/** x [1, 3, 8, 8] float32 → Relu → y, opset 13, IR 8; `edit` changes it. */
function model(edit: (m: Model) => void = () => {}): Model {
  const g = new Graph({
    name: "g",
    nodes: [node("Relu", ["x"], ["y"])],
    inputs: [{ name: "x", type: { dtype: "f32", shape: [1, 3, 8, 8] } }],
    outputs: [{ name: "y", type: { dtype: "f32", shape: [1, 3, 8, 8] } }],
  });
  const m: Model = {
    irVersion: 8,
    opsetImports: new Map([["", 13]]),
    producerName: "",
    producerVersion: "",
    domain: "",
    modelVersion: 0,
    docString: "",
    metadataProps: new Map(),
    graph: g,
    opaque: { functions: [], trainingInfo: [] },
  };
  edit(m);
  return m;
}

const check = (m: Model) => validateModel(m, 'Invalid model "m.onnx"');

Deno.test("validateModel() accepts a small valid model", () => {
  check(model());
});

Deno.test("validateModel() refuses IR versions and opsets out of range", () => {
  assert.throws(() => check(model((m) => m.irVersion = 0)), ModelFormatError);
  assert.throws(() => check(model((m) => m.irVersion = 12)), /ir_version is 12, expected 1 to 11/);
  assert.throws(
    () => check(model((m) => m.opsetImports.set("", 24))),
    /opset_import of domain "ai\.onnx" is version 24, expected 1 to 23/,
  );
  assert.throws(() => check(model((m) => m.opsetImports.set("com.x", 0))), /"com\.x" .* 0/);
});

Deno.test("validateModel() refuses an empty graph, no outputs and a repeated output", () => {
  assert.throws(() => check(model((m) => m.graph.nodes = [])), /has no nodes/);
  assert.throws(() => check(model((m) => m.graph.outputs = [])), /has no outputs/);
  assert.throws(
    () => check(model((m) => m.graph.outputs.push({ name: "y" }))),
    /lists output "y" twice/,
  );
  assert.throws(
    () => check(model((m) => m.graph.outputs = [{ name: "z" }])),
    /output "z" is not produced/,
  );
});

Deno.test("validateModel() refuses a value defined twice and a read of an undefined name", () => {
  assert.throws(
    () => check(model((m) => m.graph.nodes.push(node("Relu", ["x"], ["y"])))),
    (e: Error) => e instanceof GraphError && /value "y" is defined twice/.test(e.message),
  );
  assert.throws(
    () => check(model((m) => m.graph.nodes[0].inputs = ["nope"])),
    /node "Relu_0" \(Relu\) reads "nope", which no node/,
  );
  assert.throws(
    () => check(model((m) => m.graph.inputs.push({ name: "x" }))),
    /declares input "x" twice/,
  );
});

Deno.test("validateModel() lets a subgraph read its enclosing graph's values", () => {
  const body = new Graph({
    name: "then",
    nodes: [node("Relu", ["x"], ["t"])],
    outputs: [{ name: "t" }],
  });
  const ok = model((m) => {
    m.graph.initializers.set("c", f32([1], [1]));
    m.graph.nodes.push(node("If", ["c"], ["z"], [["then_branch", { kind: "graph", value: body }]]));
  });
  check(ok);
  body.nodes[0].inputs = ["outer_nothing"];
  assert.throws(() => check(ok), /reads "outer_nothing"/);
});

Deno.test("validateModel() refuses declared input dims that are negative, zero or too large", () => {
  for (const d of [-1, 0, 2 ** 31, 2.5]) {
    assert.throws(
      () => check(model((m) => m.graph.inputs[0].type = { dtype: "f32", shape: [1, d] })),
      /input "x" has dim .* at axis 1/,
    );
  }
  const empty = model((m) => m.graph.inputs[0].type = { dtype: "f32", shape: [0] });
  validateModel(empty, "x", { allowEmptyInputs: true });
});

Deno.test("validateModel() refuses an input over the tensor size limit, counting symbolic dims as 1", () => {
  const previous = setMaxTensorBytes(1024);
  try {
    assert.equal(maxTensorBytes(), 1024);
    check(model((m) => m.graph.inputs[0].type = { dtype: "f32", shape: ["N", 256] }));
    assert.throws(
      () => check(model((m) => m.graph.inputs[0].type = { dtype: "f32", shape: ["N", 257] })),
      (e: Error) =>
        e instanceof LimitError && /input "x" \[N, 257\] takes 1\.0 KiB/.test(e.message),
    );
  } finally {
    setMaxTensorBytes(previous);
  }
});

Deno.test("validateModel() refuses window attributes out of range", () => {
  const pool = (attrs: [string, Attribute][]) =>
    model((m) => m.graph.nodes = [node("MaxPool", ["x"], ["y"], attrs)]);
  const ints = (v: number[]): Attribute => ({ kind: "ints", value: v });
  check(pool([["kernel_shape", ints([2, 2])], ["strides", ints([2, 2])]]));
  assert.throws(() => check(pool([["kernel_shape", ints([0, 0])]])), /kernel_shape \[0, 0\]/);
  assert.throws(() => check(pool([["kernel_shape", ints([2 ** 31, 1])]])), /from 1 to 2147483647/);
  assert.throws(
    () => check(pool([["kernel_shape", ints([2, 2])], ["pads", ints([-1, 0, 0, 0])]])),
    /pads \[-1, 0, 0, 0\]; each entry must be an integer from 0/,
  );
  assert.throws(
    () => check(pool([["kernel_shape", ints([2, 2])], ["strides", ints([1])]])),
    /1 strides entries for a 2-axis kernel_shape, expected 2/,
  );
  assert.throws(
    () =>
      check(
        model((m) =>
          m.graph.nodes = [
            node("Softmax", ["x"], ["y"], [["axis", { kind: "int", value: 2 ** 40 }]]),
          ]
        ),
      ),
    /axis 1099511627776; each entry must be an integer from -64 to 64/,
  );
});

Deno.test("validateModel() refuses inputs of one type parameter with different dtypes", () => {
  const m = model((m) => {
    m.graph.initializers.set("w", f32([1, 3, 1, 1], [1, 1, 1]));
    m.graph.inputs[0].type = { dtype: "f16", shape: [1, 3, 8, 8] };
    m.graph.nodes = [node("Conv", ["x", "w"], ["y"])];
  });
  assert.throws(
    () => check(m),
    /node "Conv_0" \(Conv\) takes input 0 \("x"\) as float16 and input 1 \("w"\) as float32/,
  );
});

Deno.test("checkInferredNode() refuses negative dims, empty windows and outputs over the limit", () => {
  const n = node("MaxPool", ["x"], ["y"]);
  const x = { dtype: "f32" as const, shape: [1, 3, 8, 8] };
  checkInferredNode(n, 13, [x], [{ dtype: "f32", shape: [1, 3, 4, 4] }]);
  assert.throws(
    () => checkInferredNode(n, 13, [x], [{ dtype: "f32", shape: [1, 3, -2, 4] }]),
    /output "y" the impossible shape \[1, 3, -2, 4\]/,
  );
  assert.throws(
    () => checkInferredNode(n, 13, [x], [{ dtype: "f32", shape: [1, 3, 0, 0] }]),
    /window \(kernel_shape, dilations\) is larger than the padded input \[8, 8\]/,
  );
  const relu = node("Relu", ["x"], ["y"]);
  checkInferredNode(relu, 13, [x], [{ dtype: "f32", shape: [1, 3, 0, 0] }]);
  assert.throws(
    () => checkInferredNode(relu, 13, [x], [{ dtype: "f32", shape: [2 ** 20, 2 ** 20] }]),
    LimitError,
  );
});
