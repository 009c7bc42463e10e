import { strict as assert } from "node:assert";
import { attr, buildModel, type ModelSpec } from "../ir/builder.ts";
import { Graph, type Node } from "../ir/graph.ts";
import { f32, scalar, type Tensor, toNumbers } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import {
  EmptyOptionalError,
  GraphError,
  InputDataError,
  KernelError,
  UnsupportedOpError,
} from "../errors/mod.ts";
import { OptionalValue, SequenceValue } from "../ir/value.ts";
import { Executor } from "./executor.ts";

const registry = defaultRegistry();

/**
 * y = Relu(MatMul(x, W) + b) with W = [[1, 0], [1, -1]], b = [0.5, 3].
 * For x = [[1, -2], [3, 4]]: x·W = [[-1, 2], [7, -4]], + b = [[-0.5, 5], [7.5, -1]],
 * Relu = [[0, 5], [7.5, 0]].
 */
function dense(): ModelSpec {
  return {
    inputs: [{ name: "x", dtype: "f32", shape: [2, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2, 2] }],
    nodes: [
      { opType: "MatMul", inputs: ["x", "W"], outputs: ["m"] },
      { opType: "Add", inputs: ["m", "b"], outputs: ["s"] },
      { opType: "Relu", inputs: ["s"], outputs: ["y"] },
    ],
    initializers: { W: f32([2, 2], [1, 0, 1, -1]), b: f32([2], [0.5, 3]) },
  };
}

const X = f32([2, 2], [1, -2, 3, 4]);
const feeds = (x: Tensor = X) => new Map([["x", x]]);
const values = (out: Map<string, Tensor>, name: string) => {
  const t = out.get(name);
  assert.ok(t, `${name} missing`);
  return toNumbers(t);
};

Deno.test("Executor.run() computes MatMul, Add and Relu by hand-checked values", () => {
  const out = new Executor(buildModel(dense()), registry).run(feeds());
  assert.deepEqual([...out.keys()], ["y"]);
  assert.deepEqual(values(out, "y"), [0, 5, 7.5, 0]);
  assert.deepEqual(out.get("y")?.shape, [2, 2]);
});

Deno.test("Executor.run() runs nodes in dependency order whatever the stored order", () => {
  const spec = dense();
  spec.nodes.reverse();
  const out = new Executor(buildModel(spec), registry).run(feeds());
  assert.deepEqual(values(out, "y"), [0, 5, 7.5, 0]);
});

Deno.test("Executor.run() returns kept intermediates and reports every value in order", () => {
  const exec = new Executor(buildModel(dense()), registry);
  const seen: string[] = [];
  const all = exec.run(feeds(), { keep: "all", onValue: (name) => seen.push(name) });
  assert.deepEqual(seen, ["m", "s", "y"]);
  assert.deepEqual(values(all, "m"), [-1, 2, 7, -4]);
  assert.deepEqual(values(all, "s"), [-0.5, 5, 7.5, -1]);
  const some = exec.run(feeds(), { keep: new Set(["m"]) });
  assert.deepEqual([...some.keys()].sort(), ["m", "y"]);
});

Deno.test("Executor.run() throws an InputDataError naming a missing or misshapen input", () => {
  const exec = new Executor(buildModel(dense()), registry);
  assert.throws(
    () => exec.run(new Map()),
    (e: unknown) => e instanceof InputDataError && e.message === 'Missing input tensor "x"',
  );
  assert.throws(
    () => exec.run(feeds(f32([1, 2], [1, 2]))),
    (e: unknown) => e instanceof InputDataError && /Input "x" must have shape/.test(e.message),
  );
  assert.throws(
    () => exec.run(new Map([["x", X], ["z", X]])),
    (e: unknown) => e instanceof InputDataError && /Unknown input "z"/.test(e.message),
  );
});

Deno.test("Executor construction throws an UnsupportedOpError naming the node of an unknown op", () => {
  const spec = dense();
  spec.nodes.push({ name: "mystery", opType: "Frobnicate", inputs: ["y"], outputs: ["z"] });
  assert.throws(
    () => new Executor(buildModel(spec), registry),
    (e: unknown) =>
      e instanceof UnsupportedOpError && e.nodeName === "mystery" && e.opType === "Frobnicate",
  );
});

Deno.test("Executor.run() throws a GraphError when a node reads a value nothing defines", () => {
  const spec = dense();
  spec.nodes[1] = { opType: "Add", inputs: ["m", "ghost"], outputs: ["s"], name: "add" };
  const exec = new Executor(buildModel(spec), registry);
  assert.throws(
    () => exec.run(feeds()),
    (e: unknown) => e instanceof GraphError && /Node "add" \(Add\) reads "ghost"/.test(e.message),
  );
});

Deno.test("Executor.opsetOf() follows the model's imports under either default-domain spelling", () => {
  const m = buildModel({ ...dense(), opset: 11, domains: { "com.microsoft": 1 } });
  const exec = new Executor(m, registry);
  assert.equal(exec.opsetOf(""), 11);
  assert.equal(exec.opsetOf("ai.onnx"), 11);
  assert.equal(exec.opsetOf("com.microsoft"), 1);
  assert.equal(exec.opsetOf("com.example"), 1);
});

Deno.test("Executor.run() runs each operator under the model's opset", () => {
  // x = [[[0, ln 3], [0, ln 3]]], Softmax axis 1. Opset 13 normalises along dim 1 only:
  // both columns hold equal values, so every element is 1/2. Opset 11 flattens dims 1..
  // into one row: exp = [1, 3, 1, 3], sum 8, so [1/8, 3/8, 1/8, 3/8].
  const spec = (opset: number): ModelSpec => ({
    opset,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 2] }],
    nodes: [{ opType: "Softmax", inputs: ["x"], outputs: ["y"], attrs: { axis: attr.int(1) } }],
  });
  const x = f32([1, 2, 2], [0, Math.log(3), 0, Math.log(3)]);
  const run = (opset: number) =>
    values(new Executor(buildModel(spec(opset)), registry).run(feeds(x)), "y");
  const close = (a: number[], b: number[]) =>
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${a} vs ${b}`));
  close(run(13), [0.5, 0.5, 0.5, 0.5]);
  close(run(11), [1 / 8, 3 / 8, 1 / 8, 3 / 8]);
});

Deno.test("Executor.run() lets a subgraph read values of the enclosing graph", () => {
  // a = Relu(x); If(cond) then a + a else -a. With cond true and x = [-1, 2]: [0, 4].
  const branch = (op: "Add" | "Neg"): Graph => {
    const node: Node = {
      name: `${op}_body`,
      opType: op,
      domain: "",
      inputs: op === "Add" ? ["a", "a"] : ["a"],
      outputs: [`${op}_out`],
      attrs: new Map(),
    };
    return new Graph({ name: op, nodes: [node], outputs: [{ name: `${op}_out` }] });
  };
  const run = (cond: boolean) =>
    new Executor(
      buildModel({
        inputs: [{ name: "x", dtype: "f32", shape: [2] }],
        outputs: [{ name: "y", dtype: "f32", shape: [2] }],
        nodes: [
          { opType: "Relu", inputs: ["x"], outputs: ["a"] },
          {
            opType: "If",
            inputs: ["cond"],
            outputs: ["y"],
            attrs: {
              then_branch: attr.graph(branch("Add")),
              else_branch: attr.graph(branch("Neg")),
            },
          },
        ],
        initializers: { cond: scalar("bool", cond ? 1 : 0) },
      }),
      registry,
    ).run(feeds(f32([2], [-1, 2])));
  assert.deepEqual(values(run(true), "y"), [0, 4]);
  assert.deepEqual(values(run(false), "y"), [-0, -2]);
});

/**
 * y = ConcatFromSequence(SplitToSequence(x, 1)) with a sequence side output `s`, and a
 * Loop whose body doubles its carried value (two iterations: x * 4).
 */
function sequenceModel(): ModelSpec {
  const body = new Graph({
    name: "body",
    inputs: [{ name: "i" }, { name: "c" }, { name: "v" }],
    outputs: [{ name: "c_out" }, { name: "v_out" }],
    nodes: [
      {
        name: "keep",
        opType: "Identity",
        domain: "",
        inputs: ["c"],
        outputs: ["c_out"],
        attrs: new Map(),
      },
      {
        name: "dbl",
        opType: "Add",
        domain: "",
        inputs: ["v", "v"],
        outputs: ["v_out"],
        attrs: new Map(),
      },
    ],
  });
  return {
    inputs: [{ name: "x", dtype: "f32", shape: [2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }, { name: "z", dtype: "f32", shape: [2] }],
    nodes: [
      { opType: "SplitToSequence", inputs: ["x", "one"], outputs: ["s"] },
      { opType: "ConcatFromSequence", inputs: ["s"], outputs: ["y"], attrs: { axis: attr.int(0) } },
      {
        name: "loop",
        opType: "Loop",
        inputs: ["two", "", "x"],
        outputs: ["z"],
        attrs: { body: attr.graph(body) },
      },
    ],
    initializers: { one: scalar("s64", 1n), two: scalar("s64", 2n) },
  };
}

Deno.test("Executor.runValues() returns kept sequences; run() refuses a sequence output", () => {
  const model = buildModel(sequenceModel());
  const exec = new Executor(model, registry);
  const out = exec.runValues(feeds(f32([2], [1, 2])), { keep: new Set(["s"]) });
  const s = out.get("s");
  assert.ok(s instanceof SequenceValue);
  assert.equal(s.length, 2);
  assert.deepEqual(toNumbers(out.get("y") as Tensor), [1, 2]);
  assert.deepEqual(toNumbers(out.get("z") as Tensor), [4, 8]);
  model.graph.outputs.push({ name: "s" });
  assert.throws(
    () => new Executor(model, registry).run(feeds(f32([2], [1, 2]))),
    (e) => e instanceof KernelError && /output "s" is a sequence/.test(e.message),
  );
});

Deno.test("Executor.run() reports body tensors to onValue only when observeBodies is set", () => {
  const exec = new Executor(buildModel(sequenceModel()), registry);
  const seen = (observeBodies: boolean) => {
    const names: string[] = [];
    exec.run(feeds(f32([2], [1, 2])), { onValue: (n) => names.push(n), observeBodies });
    return names;
  };
  assert.deepEqual(seen(false), ["y", "z"]);
  // the body runs twice: c_out and v_out each iteration
  assert.deepEqual(seen(true), ["y", "c_out", "v_out", "c_out", "v_out", "z"]);
});

Deno.test("Executor.run() names the node when a tensor operator is fed a sequence", () => {
  const model = buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }],
    nodes: [
      { opType: "SequenceConstruct", inputs: ["x"], outputs: ["s"] },
      { opType: "Relu", name: "relu", inputs: ["s"], outputs: ["y"] },
    ],
  });
  assert.throws(
    () => new Executor(model, registry).run(feeds(f32([2], [1, 2]))),
    (e) =>
      e instanceof KernelError &&
      e.message === `Node "relu" (Relu): input 0 "s" is a sequence, but Relu takes tensors only`,
  );
});

Deno.test("Executor.runValues() raises EmptyOptionalError naming the node that reads an empty optional", () => {
  const model = buildModel({
    inputs: [],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }],
    nodes: [{ opType: "OptionalGetElement", name: "get", inputs: ["o"], outputs: ["y"] }],
  });
  model.graph.inputs = [{ name: "o", type: { kind: "optional", elem: { dtype: "f32" } } }];
  const empty = new OptionalValue({ dtype: "f32" }, undefined);
  assert.throws(
    () => new Executor(model, registry).runValues(new Map([["o", empty]])),
    (e) =>
      e instanceof EmptyOptionalError &&
      e.message.startsWith(`Node "get" (OptionalGetElement): reads an empty optional`),
  );
});
