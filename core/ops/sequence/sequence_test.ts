import { strict as assert } from "node:assert";
import { EmptyOptionalError, KernelError, SequenceElementTypeError } from "../../errors/mod.ts";
import { f32, readNumber, s64, scalar, type Tensor } from "../../ir/tensor.ts";
import { OptionalValue, SequenceValue, type Value } from "../../ir/value.ts";
import { makeGraph, makeNode, runValueOp } from "../control/_testing.ts";
import { identity } from "../elementwise/identity.ts";
import { ifOp } from "../control/if.ts";
import { loop } from "../control/loop.ts";
import {
  sequenceAt,
  sequenceConstruct,
  sequenceEmpty,
  sequenceErase,
  sequenceInsert,
  sequenceLength,
} from "./sequence.ts";
import { concatFromSequence, splitToSequence } from "./split_concat.ts";
import { sequenceMap } from "./sequence_map.ts";
import { optional, optionalGetElement, optionalHasElement } from "./optional.ts";

function seq(v: Value | undefined): SequenceValue {
  assert.ok(v instanceof SequenceValue, `expected a sequence, got ${v}`);
  return v;
}
const data = (t: Tensor | undefined) => [...(t?.data as Float32Array)];

Deno.test("sequenceInsert() inserts at a negative position and at the end by default", () => {
  const s = new SequenceValue("f32", [f32([1], [1]), f32([1], [2])]);
  const [back] = runValueOp(sequenceInsert, [s, f32([1], [3])]);
  assert.deepEqual(seq(back).items.map((t) => data(t)[0]), [1, 2, 3]);
  const [front] = runValueOp(sequenceInsert, [s, f32([1], [0]), s64([], [-2])]);
  assert.deepEqual(seq(front).items.map((t) => data(t)[0]), [0, 1, 2]);
  assert.equal(s.length, 2, "the input sequence is not mutated");
});

Deno.test("sequenceInsert() raises SequenceElementTypeError when element types mix", () => {
  const s = new SequenceValue("f32", [f32([1], [1])]);
  assert.throws(
    () => runValueOp(sequenceInsert, [s, s64([1], [1])]),
    (e) =>
      e instanceof SequenceElementTypeError &&
      /int64 but the sequence holds float32/.test(e.message),
  );
});

Deno.test("sequenceConstruct() raises SequenceElementTypeError for mixed inputs", () => {
  assert.throws(
    () => runValueOp(sequenceConstruct, [f32([1], [1]), s64([1], [1])]),
    SequenceElementTypeError,
  );
});

Deno.test("sequenceErase(), sequenceAt() and sequenceLength() index from either end", () => {
  const s = new SequenceValue("f32", [f32([1], [10]), f32([2], [20, 21]), f32([1], [30])]);
  const [erased] = runValueOp(sequenceErase, [s]);
  assert.deepEqual(seq(erased).items.map((t) => t.shape[0]), [1, 2]);
  const [at] = runValueOp(sequenceAt, [s, s64([], [-2])]);
  assert.deepEqual(data(at as Tensor), [20, 21]);
  const [len] = runValueOp(sequenceLength, [s]);
  assert.equal(readNumber(len as Tensor, 0), 3);
  assert.throws(() => runValueOp(sequenceAt, [s, s64([], [3])]), /position 3 is out of range/);
});

Deno.test("sequenceEmpty() keeps its dtype attribute for later inserts", () => {
  const [e] = runValueOp(sequenceEmpty, [], { attrs: { dtype: { kind: "int", value: 7 } } });
  assert.equal(seq(e).dtype, "s64");
  assert.equal(seq(e).length, 0);
});

Deno.test("splitToSequence() splits by scalar chunk, by list, and into squeezed ones", () => {
  const x = f32([5, 1], [0, 1, 2, 3, 4]);
  const [byTwo] = runValueOp(splitToSequence, [x, s64([], [2])]);
  assert.deepEqual(seq(byTwo).items.map(data), [[0, 1], [2, 3], [4]]);
  const [byList] = runValueOp(splitToSequence, [x, s64([2], [1, 4])]);
  assert.deepEqual(seq(byList).items.map((t) => t.shape), [[1, 1], [4, 1]]);
  const [ones] = runValueOp(splitToSequence, [x], {
    attrs: { keepdims: { kind: "int", value: 0 } },
  });
  assert.deepEqual(seq(ones).items.map((t) => t.shape), [[1], [1], [1], [1], [1]]);
});

Deno.test("concatFromSequence() concatenates along an axis or stacks on a new one", () => {
  const s = new SequenceValue("f32", [f32([2], [1, 2]), f32([2], [3, 4])]);
  const [cat] = runValueOp(concatFromSequence, [s], { attrs: { axis: { kind: "int", value: 0 } } });
  assert.deepEqual((cat as Tensor).shape, [4]);
  const [stacked] = runValueOp(concatFromSequence, [s], {
    attrs: { axis: { kind: "int", value: 1 }, new_axis: { kind: "int", value: 1 } },
  });
  assert.deepEqual((stacked as Tensor).shape, [2, 2]);
  assert.deepEqual(data(stacked as Tensor), [1, 3, 2, 4]);
});

Deno.test("optionalGetElement() raises EmptyOptionalError when the optional is empty", () => {
  const empty = new OptionalValue({ dtype: "f32" }, undefined);
  assert.throws(
    () => runValueOp(optionalGetElement, [empty]),
    (e) => e instanceof EmptyOptionalError && /reads an empty optional/.test(e.message),
  );
  const [has] = runValueOp(optionalHasElement, [empty]);
  assert.equal(readNumber(has as Tensor, 0), 0);
  const [wrapped] = runValueOp(optional, [f32([1], [5])]);
  const [got] = runValueOp(optionalGetElement, [wrapped]);
  assert.deepEqual(data(got as Tensor), [5]);
});

Deno.test("sequenceMap() runs the body per element, feeding tensors whole", () => {
  const body = makeGraph([makeNode("Identity", ["a"], ["b"])], ["a", "extra"], ["b"]);
  const s = new SequenceValue("f32", [f32([1], [1]), f32([2], [2, 3])]);
  const [out] = runValueOp(sequenceMap, [s, f32([1], [9])], {
    attrs: { body: { kind: "graph", value: body } },
    registry: [identity],
  });
  assert.deepEqual(seq(out).items.map(data), [[1], [2, 3]]);
});

Deno.test("ifOp() returns a branch's sequence and loop() carries a sequence", () => {
  const thenG = makeGraph([makeNode("SequenceConstruct", ["x"], ["s"])], [], ["s"]);
  thenG.initializers.set("x", f32([1], [4]));
  const elseG = makeGraph([makeNode("SequenceEmpty", [], ["s"])], [], ["s"]);
  const registry = [sequenceConstruct, sequenceEmpty, sequenceInsert, identity];
  const attrs = {
    then_branch: { kind: "graph", value: thenG },
    else_branch: { kind: "graph", value: elseG },
  } as const;
  const [t] = runValueOp(ifOp, [scalar("bool", 1)], { attrs, registry });
  assert.equal(seq(t).length, 1);
  const [e] = runValueOp(ifOp, [scalar("bool", 0)], { attrs, registry });
  assert.equal(seq(e).length, 0);
  // body(i, cond, s): s' = SequenceInsert(s, x)
  const body = makeGraph(
    [makeNode("Identity", ["c"], ["c_out"]), makeNode("SequenceInsert", ["s", "x"], ["s_out"])],
    ["i", "c", "s"],
    ["c_out", "s_out"],
  );
  body.initializers.set("x", f32([1], [7]));
  const [carried] = runValueOp(loop, [s64([], [3]), scalar("bool", 1), e], {
    attrs: { body: { kind: "graph", value: body } },
    registry,
  });
  assert.deepEqual(seq(carried).items.map(data), [[7], [7], [7]]);
});

Deno.test("a tensor operator given a sequence names the node and the input", () => {
  const s = new SequenceValue("f32", []);
  assert.throws(
    () => runValueOp(splitToSequence, [s]),
    (e) => e instanceof KernelError && /input 0 must be a tensor, got a sequence/.test(e.message),
  );
});
