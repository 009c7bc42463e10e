import { strict as assert } from "node:assert";
import { join } from "node:path";
import { attr, buildModel } from "../ir/builder.ts";
import { Graph, type Node } from "../ir/graph.ts";
import { f32, s64, scalar, type Tensor, toNumbers } from "../ir/tensor.ts";
import { loadModel } from "../onnx/load.ts";
import { Executor } from "../exec/executor.ts";
import { applyConstProcessors } from "../preprocess/patch.ts";
import { createLogger } from "../util/log.ts";
import { optimizeFrontend } from "./frontend.ts";
import { CONTROL_FLOW_NOTE, inlineControlFlow } from "./inline_control_flow.ts";
import { simplifySequences } from "./simplify_sequences.ts";
import { ctx, opTypes, registry, runAndCompare } from "./_testing.ts";

const VAD = join(import.meta.dirname ?? ".", "../../testdata/models/vad_if_lstm.onnx");
const quiet = createLogger({ quiet: true, sink: () => {} });

function node(opType: string, inputs: string[], outputs: string[], attrs = {}): Node {
  return {
    name: outputs[0],
    opType,
    domain: "",
    inputs,
    outputs,
    attrs: new Map(Object.entries(attrs)),
  };
}

const vadFeeds = (rate: number) =>
  new Map<string, Tensor>([
    ["input", f32([1, 64], Array.from({ length: 64 }, (_, i) => Math.sin(i / 3)))],
    ["sr", scalar("s64", BigInt(rate))],
    ["h", f32([1, 1, 8], Array.from({ length: 8 }, (_, i) => i / 10))],
    ["c", f32([1, 1, 8], Array.from({ length: 8 }, (_, i) => -i / 10))],
  ]);

Deno.test("optimizeFrontend() inlines the taken LSTM branch when a const processor pins sr", async () => {
  for (const rate of [16000, 8000]) {
    const model = await loadModel(VAD);
    const expected = new Executor(model, registry).run(vadFeeds(rate));
    applyConstProcessors(model, [{ name: "sr", data: [rate], data_path: "" }], quiet);
    assert.ok(!model.graph.isInput("sr"));
    optimizeFrontend(model, ctx);
    const ops = opTypes(model);
    for (const gone of ["If", "Equal", "SequenceConstruct", "SequenceAt", "Optional"]) {
      assert.ok(!ops.includes(gone), `${rate}: ${gone} left in ${ops.join(", ")}`);
    }
    assert.equal(ops.filter((o) => o === "LSTM").length, 1);
    const lstm = model.graph.nodes.find((n) => n.opType === "LSTM")!;
    assert.equal(lstm.name, `rate_switch/${rate === 16000 ? "then/k16" : "else/k8"}_lstm`);
    const feeds = vadFeeds(rate);
    feeds.delete("sr");
    const got = new Executor(model, registry).run(feeds);
    for (const name of ["output", "hn", "cn"]) {
      assert.deepEqual(toNumbers(got.get(name)!), toNumbers(expected.get(name)!), name);
    }
  }
});

Deno.test("inlineControlFlow() keeps an If whose condition reads an input and says why", async () => {
  const model = await loadModel(VAD);
  assert.equal(inlineControlFlow.run(model, ctx).count, 0);
  const ifNode = model.graph.nodes.find((n) => n.opType === "If")!;
  assert.equal(
    ifNode.metadata?.get(CONTROL_FLOW_NOTE),
    `If stays on the CPU: condition "cond" depends on input "sr"; pin it with a const ` +
      `processor (const_processors: name, data) to inline`,
  );
});

/** v_out, scan = Loop(M, "", v0) with body (i, c, v) → (c, v * 2 + i, v + i). */
function loopModel(trips: Tensor | undefined) {
  const body = new Graph({
    name: "body",
    inputs: [{ name: "i" }, { name: "c" }, { name: "v" }],
    outputs: [{ name: "c_out" }, { name: "v_next" }, { name: "s" }],
    nodes: [
      node("Identity", ["c"], ["c_out"]),
      node("Cast", ["i"], ["i_f"], { to: attr.int(1) }),
      node("Add", ["v", "v"], ["v2"]),
      node("Add", ["v2", "i_f"], ["v_next"]),
      node("Add", ["v", "i_f"], ["s"]),
    ],
  });
  return buildModel({
    opset: 13,
    inputs: [
      { name: "x", dtype: "f32", shape: [2] },
      ...(trips ? [] : [{ name: "m", dtype: "s64" as const, shape: [] }]),
    ],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }, {
      name: "scan",
      dtype: "f32",
      shape: [3, 2],
    }],
    initializers: trips ? { m: trips } : {},
    nodes: [{
      opType: "Loop",
      name: "loop",
      inputs: ["m", "", "x"],
      outputs: ["y", "scan"],
      attrs: { body: attr.graph(body) },
    }],
  });
}

Deno.test("inlineControlFlow() unrolls a constant 3-trip Loop with a scan output", () => {
  const model = loopModel(scalar("s64", 3n));
  // x = [1, 2]: v1 = 2x + 0 = [2, 4], v2 = 2v1 + 1 = [5, 9], y = 2v2 + 2 = [12, 20];
  // scan rows: v0 + 0 = [1, 2], v1 + 1 = [3, 5], v2 + 2 = [7, 11]
  const before = new Executor(model, registry).run(new Map([["x", f32([2], [1, 2])]]));
  assert.deepEqual(toNumbers(before.get("y")!), [12, 20]);
  assert.deepEqual(toNumbers(before.get("scan")!), [1, 2, 3, 5, 7, 11]);
  const r = runAndCompare(inlineControlFlow, model, { x: f32([2], [1, 2]) });
  assert.equal(r.count, 1);
  assert.ok(!opTypes(model).includes("Loop"));
  assert.equal(opTypes(model).filter((o) => o === "Concat").length, 1);
});

Deno.test("inlineControlFlow() keeps a Loop whose trip count is an input and says why", () => {
  const model = loopModel(undefined);
  assert.equal(inlineControlFlow.run(model, ctx).count, 0);
  assert.match(
    model.graph.nodes[0].metadata?.get(CONTROL_FLOW_NOTE) ?? "",
    /^Loop stays on the CPU: trip count "m" depends on input "m"/,
  );
  const long = loopModel(s64([], [1000]));
  inlineControlFlow.run(long, ctx);
  assert.match(
    long.graph.nodes[0].metadata?.get(CONTROL_FLOW_NOTE) ?? "",
    /trip count 1000 exceeds the unroll limit 64/,
  );
});

Deno.test("simplifySequences() reads tensors out of SequenceConstruct and Optional", () => {
  const model = buildModel({
    opset: 16,
    inputs: [{ name: "a", dtype: "f32", shape: [2] }, { name: "b", dtype: "f32", shape: [2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2, 2] }, { name: "z", dtype: "f32", shape: [2] }],
    initializers: { one: scalar("s64", 1n) },
    nodes: [
      { opType: "SequenceConstruct", inputs: ["a", "b"], outputs: ["s"] },
      { opType: "SequenceAt", inputs: ["s", "one"], outputs: ["b2"] },
      { opType: "Optional", inputs: ["b2"], outputs: ["o"] },
      { opType: "OptionalGetElement", inputs: ["o"], outputs: ["z"] },
      {
        opType: "ConcatFromSequence",
        inputs: ["s"],
        outputs: ["y"],
        attrs: { axis: attr.int(0), new_axis: attr.int(1) },
      },
    ],
  });
  const feeds = { a: f32([2], [1, 2]), b: f32([2], [3, 4]) };
  const r = runAndCompare(simplifySequences, model, feeds);
  assert.equal(r.count, 3);
  optimizeFrontend(model, ctx);
  const ops = opTypes(model);
  assert.ok(!ops.some((o) => o.startsWith("Sequence") || o.startsWith("Optional")), ops.join());
});

Deno.test("inlineControlFlow() renames values a nested If captures in each unrolled trip", () => {
  // body(i, c, v): t = v + 1; r = If(flip) { t } else { -t }; v' = r   (2 trips)
  const thenG = new Graph({ name: "then", outputs: [{ name: "r_then" }] });
  thenG.nodes = [node("Identity", ["t"], ["r_then"])];
  const elseG = new Graph({ name: "else", outputs: [{ name: "r_else" }] });
  elseG.nodes = [node("Neg", ["t"], ["r_else"])];
  const body = new Graph({
    name: "body",
    inputs: [{ name: "i" }, { name: "c" }, { name: "v" }],
    outputs: [{ name: "c_out" }, { name: "r" }],
    nodes: [
      node("Identity", ["c"], ["c_out"]),
      node("Add", ["v", "one"], ["t"]),
      node("If", ["flip"], ["r"], {
        then_branch: attr.graph(thenG),
        else_branch: attr.graph(elseG),
      }),
    ],
  });
  body.initializers.set("one", f32([], [1]));
  const model = buildModel({
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1] }, { name: "flip", dtype: "bool", shape: [] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1] }],
    initializers: { m: scalar("s64", 2n) },
    nodes: [{
      opType: "Loop",
      name: "loop",
      inputs: ["m", "", "x"],
      outputs: ["y"],
      attrs: { body: attr.graph(body) },
    }],
  });
  const feeds = (flip: number) => ({ x: f32([1], [5]), flip: scalar("bool", flip) });
  // flip true: 5 → 6 → 7; flip false: 5 → -6 → 5
  runAndCompare(inlineControlFlow, model, feeds(1));
  assert.equal(opTypes(model).filter((o) => o === "If").length, 2);
  const run = (flip: number) =>
    toNumbers(new Executor(model, registry).run(new Map(Object.entries(feeds(flip)))).get("y")!);
  assert.deepEqual(run(1), [7]);
  assert.deepEqual(run(0), [5]);
});
