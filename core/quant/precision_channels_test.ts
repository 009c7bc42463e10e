import { strict as assert } from "node:assert";
import {
  addCosineSumsInto,
  type ChannelCodes,
  type ChannelCosineSums,
  mergeChannelCodes,
  mergeChannelCodesInto,
} from "./precision_channels.ts";

const f64 = (xs: number[]) => Float64Array.from(xs);

function sums(dot: number[], got: number[], ref: number[]): ChannelCosineSums {
  return { dot: f64(dot), got: f64(got), ref: f64(ref) };
}

/** Two channels, one mark word each shown (the other seven words zero). */
function codes(marks: [number, number], min: number[], max: number[], dot: number[]): ChannelCodes {
  const words = new Uint32Array(16);
  words[0] = marks[0];
  words[8] = marks[1];
  return {
    marks: words,
    min: f64(min),
    max: f64(max),
    elements: 4,
    roundTrip: sums(dot, [1, 2], [3, 4]),
  };
}

Deno.test("mergeChannelCodesInto() ORs the marks, widens the ranges and adds the sums in place", () => {
  const a = codes([0b0011, 0x80000000], [-1, 0], [1, 2], [0.5, 0.25]);
  const b = codes([0b0110, 1], [-2, 1], [0.5, 3], [1, 1]);
  const got = mergeChannelCodesInto(a, b);
  assert.equal(got, a);
  assert.deepEqual(got, {
    ...codes([0b0111, 0x80000001], [-2, 0], [1, 3], [1.5, 1.25]),
    elements: 8,
    roundTrip: sums([1.5, 1.25], [2, 4], [6, 8]),
  });
  // the second operand is left as it was
  assert.deepEqual(b, codes([0b0110, 1], [-2, 1], [0.5, 3], [1, 1]));
});

Deno.test("mergeChannelCodes() leaves both operands unchanged", () => {
  const a = codes([1, 2], [0, 0], [1, 1], [1, 1]);
  const b = codes([4, 8], [-1, -1], [2, 2], [2, 2]);
  const merged = mergeChannelCodes(a, b);
  assert.deepEqual(a, codes([1, 2], [0, 0], [1, 1], [1, 1]));
  assert.deepEqual([merged.marks[0], merged.marks[8]], [5, 10]);
  assert.deepEqual(merged.roundTrip.dot, f64([3, 3]));
});

Deno.test("addCosineSumsInto() adds per channel and treats missing channels as zero", () => {
  const into = sums([1, 2], [3, 4], [5, 6]);
  addCosineSumsInto(into, sums([1], [1], [1]));
  assert.deepEqual(into, sums([2, 2], [4, 4], [6, 6]));
});
