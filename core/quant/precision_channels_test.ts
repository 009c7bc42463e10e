import { strict as assert } from "node:assert";
import {
  addCosineSumsInto,
  type ChannelCodes,
  mergeChannelCodes,
  mergeChannelCodesInto,
} from "./precision_channels.ts";

/** Two channels, one mark word each shown (the other seven words zero). */
function codes(marks: [number, number], min: number[], max: number[], dot: number[]): ChannelCodes {
  const words = [marks[0], 0, 0, 0, 0, 0, 0, 0, marks[1], 0, 0, 0, 0, 0, 0, 0];
  return { marks: words, min, max, elements: 4, roundTrip: { dot, got: [1, 2], ref: [3, 4] } };
}

Deno.test("mergeChannelCodesInto() ORs the marks, widens the ranges and adds the sums in place", () => {
  const a = codes([0b0011, 0x80000000 >>> 0], [-1, 0], [1, 2], [0.5, 0.25]);
  const b = codes([0b0110, 1], [-2, 1], [0.5, 3], [1, 1]);
  const got = mergeChannelCodesInto(a, b);
  assert.equal(got, a);
  assert.deepEqual(got, {
    marks: [0b0111, 0, 0, 0, 0, 0, 0, 0, 0x80000001, 0, 0, 0, 0, 0, 0, 0],
    min: [-2, 0],
    max: [1, 3],
    elements: 8,
    roundTrip: { dot: [1.5, 1.25], got: [2, 4], ref: [6, 8] },
  });
  // the second operand is left as it was
  assert.deepEqual(b, codes([0b0110, 1], [-2, 1], [0.5, 3], [1, 1]));
});

Deno.test("mergeChannelCodes() leaves both operands unchanged", () => {
  const a = codes([1, 2], [0, 0], [1, 1], [1, 1]);
  const b = codes([4, 8], [-1, -1], [2, 2], [2, 2]);
  const merged = mergeChannelCodes(a, b);
  assert.deepEqual(a, codes([1, 2], [0, 0], [1, 1], [1, 1]));
  assert.deepEqual(merged.marks.slice(0, 1), [5]);
  assert.deepEqual(merged.roundTrip.dot, [3, 3]);
});

Deno.test("addCosineSumsInto() adds per channel and treats missing channels as zero", () => {
  const into = { dot: [1, 2], got: [3, 4], ref: [5, 6] };
  addCosineSumsInto(into, { dot: [1], got: [1], ref: [1] });
  assert.deepEqual(into, { dot: [2, 2], got: [4, 4], ref: [6, 6] });
});
