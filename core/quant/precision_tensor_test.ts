import { strict as assert } from "node:assert";
import { f32 } from "../ir/tensor.ts";
import type { QType } from "./numeric.ts";
import { similarityOfCodes } from "../report/metrics.ts";
import { act, randomValues } from "./_testing.ts";
import { type QParams, quantizeTensor } from "./codes.ts";
import { channelCodes, codesPerChannel } from "./precision_channels.ts";
import { compareTensor } from "./precision_tensor.ts";

function params(scale: number, zeroPoint: number, qtype: QType = "U8"): QParams {
  const p = act("t", scale, zeroPoint, qtype)[1];
  if (p.kind !== "quant") throw new Error("act() gives quantized parameters");
  return p;
}

Deno.test("compareTensor() gives hand-computed isolated error and channel codes of a [1, 2, 1, 2] tensor", () => {
  // scale 0.5: the reference [0.2, 1 | 0.6, 2.4] quantizes to codes [0, 2 | 1, 5], i.e.
  // [0, 1 | 0.5, 2.5]; the isolated output is the same codes
  const p = params(0.5, 0);
  const ref = f32([1, 2, 1, 2], [0.2, 1, 0.6, 2.4]);
  const codes = f32([1, 2, 1, 2], [0, 2, 1, 5]);
  const c = compareTensor(ref, { value: codes, params: p }, { params: p, codes });
  // dot 0·0.2 + 1·1 + 0.5·0.6 + 2.5·2.4 = 7.3; norms² 7.5 and 7.16; errors² 0.04, 0.01, 0.01
  assert.ok(Math.abs(c.isolated!.cosine - 7.3 / Math.sqrt(7.5 * 7.16)) < 1e-7);
  assert.ok(Math.abs(c.isolated!.mse - 0.06 / 4) < 1e-8);
  assert.deepEqual(codesPerChannel(c.codes!), [2, 2]);
  assert.deepEqual(c.codes!.min.map(Math.fround), [0.2, 0.6].map(Math.fround));
  assert.deepEqual(c.codes!.max.map(Math.fround), [1, 2.4].map(Math.fround));
  assert.equal(c.codes!.elements, 2);
});

/** The separate functions' results for the same comparison. */
function separately(ref: Float32Array, shape: number[], iso: Float32Array, p: QParams) {
  const t = f32(shape, ref);
  const s = similarityOfCodes(iso, p.zeroPoint, p.scale, ref);
  return {
    isolated: { cosine: s.cosine, mse: s.mse },
    codes: channelCodes(t, p, quantizeTensor(t, p)),
  };
}

const CASES: { name: string; shape: number[]; p: QParams }[] = [
  { name: "U8 [1, 8, 6, 5]", shape: [1, 8, 6, 5], p: params(3 / 255, 37) },
  { name: "S8 [1, 6, 7]", shape: [1, 6, 7], p: params(2 / 255, -3, "S8") },
  { name: "U8 [2, 4, 3, 3] (two batch entries)", shape: [2, 4, 3, 3], p: params(3 / 255, 12) },
  { name: "U16 [1, 4, 9]", shape: [1, 4, 9], p: params(3 / 65535, 1000, "U16") },
];

for (const { name, shape, p } of CASES) {
  Deno.test(`compareTensor() gives the bits of channelCodes() and similarityOfCodes() on ${name}`, () => {
    const n = shape.reduce((a, b) => a * b, 1);
    const ref = randomValues(n, 7, -1, 2);
    const t = f32(shape, ref);
    const iso = quantizeTensor(f32(shape, ref.map((x, i) => x + 0.02 * Math.sin(i))), p);
    const got = compareTensor(t, { value: iso, params: p }, {
      params: p,
      codes: quantizeTensor(t, p),
    });
    assert.deepStrictEqual(got, separately(ref, shape, iso.data as Float32Array, p));
  });
}

Deno.test("compareTensor() compares an isolated output on another grid through its own parameters", () => {
  const shape = [1, 3, 4];
  const ref = randomValues(12, 3, 0, 1);
  const t = f32(shape, ref);
  const p = params(1 / 255, 0);
  const other = params(2 / 255, 5);
  const iso = quantizeTensor(t, other);
  const got = compareTensor(t, { value: iso, params: other }, {
    params: p,
    codes: quantizeTensor(t, p),
  });
  const s = similarityOfCodes(iso.data as Float32Array, 5, 2 / 255, ref);
  assert.deepStrictEqual(got.isolated, { cosine: s.cosine, mse: s.mse });
  assert.deepStrictEqual(got.codes, channelCodes(t, p));
});
