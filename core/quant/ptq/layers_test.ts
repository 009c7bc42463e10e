import { strict as assert } from "node:assert";
import { f32 } from "../../ir/tensor.ts";
import { dequantizeTensor, quantizeTensor } from "../codes.ts";
import { act } from "../_testing.ts";
import { ChannelCosine, fakeQuantize } from "./layers.ts";

Deno.test("fakeQuantize() equals dequantizeTensor(quantizeTensor()) at ties, limits and zero", () => {
  const [, p] = act("x", 0.5, 3);
  if (p.kind !== "quant") throw new Error("unreachable");
  // x/0.5 = −3.5, −2.5, −1.5, −0.5, 0, 0.5, 1.5, 2.5, 400 (saturates), −200 (saturates)
  const x = f32([10], [-1.75, -1.25, -0.75, -0.25, 0, 0.25, 0.75, 1.25, 200, -100]);
  const expected = dequantizeTensor(quantizeTensor(x, p), p);
  assert.deepEqual([...fakeQuantize(x, p).data], [...expected.data]);
  // half to even: −3.5 → −4, −2.5 → −2, −1.5 → −2, 0.5 → 0, 1.5 → 2, 2.5 → 2; then
  // + zero point 3, clamped to [0, 255], − 3, × 0.5
  assert.deepEqual([...expected.data], [-1.5, -1, -1, 0, 0, 0, 1, 1, 126, -1.5]);
});

Deno.test("ChannelCosine.add() accumulates each channel of a [N, C, P] tensor apart", () => {
  const acc = new ChannelCosine(2);
  // batch 2, channels 2, 2 positions: channel 0 exact, channel 1 sign-flipped
  const ref = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const approx = Float32Array.from([1, 2, -3, -4, 5, 6, -7, -8]);
  acc.add(approx, ref, [2, 2, 2], 1);
  assert.equal(acc.channel(0), 1);
  assert.equal(acc.channel(1), -1);
  // together: (1+4+25+36 − 9−16−49−64) / (1+4+9+16+25+36+49+64)
  assert.ok(Math.abs(acc.total() - (66 - 138) / 204) < 1e-12);
});
