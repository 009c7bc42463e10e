import { strict as assert } from "node:assert";
import {
  addCosineSumsInto,
  type ChannelCodes,
  channelCodes,
  type ChannelCosineSums,
  mergeChannelCodes,
  mergeChannelCodesInto,
} from "./precision_channels.ts";
import { Tensor } from "../ir/tensor.ts";
import type { QParams } from "./codes.ts";
import type { QType } from "./numeric.ts";
import { onEveryIsa, randomF32, withIsa } from "../wasm/_testing.ts";
import { withResident } from "../report/metrics.ts";
import { supportedIsas, wasmKernels } from "../wasm/kernels.ts";

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

function params(qtype: QType, scale: number, zeroPoint: number, channels?: number): QParams {
  return {
    kind: "quant",
    qtype,
    scale,
    zeroPoint,
    min: -1,
    max: 1,
    state: "ACTIVATED",
    dominator: "t",
    ...(channels
      ? {
        channels: {
          axis: 1,
          scales: Float32Array.from({ length: channels }, (_, c) => scale * (1 + c / 4)),
        },
      }
      : {}),
  };
}

Deno.test("channelCodes() gives the same marks and ranges on every kernel path and round-trip sums within 1e-12", () => {
  // inner runs of 35 (vector steps and a tail), 16 (vectors only) and 1 (tail only);
  // one NaN value, and values beyond the code range (saturated codes)
  const cases: [number[], QParams][] = [
    [[2, 3, 5, 7], params("U8", 2 / 255, 128)],
    [[1, 6, 4, 4], params("S16", 1 / 32768, 0)],
    [[1, 6, 4, 4], params("S8", 1 / 64, 0, 6)],
    [[3, 10], params("U16", 2 / 65535, 32768)],
  ];
  for (const [shape, p] of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = randomF32(n, n).map((x, i) => (i % 11 === 3 ? x * 3 : x));
    data[n >> 1] = NaN;
    const paths = onEveryIsa(() => channelCodes(new Tensor("f32", shape, data), p)!);
    const want = paths.get("scalar")!;
    for (const [isa, got] of paths) {
      const at = `${isa} ${p.qtype} [${shape}]`;
      assert.deepEqual(got.marks, want.marks, at);
      assert.deepEqual([got.min, got.max, got.elements], [want.min, want.max, want.elements], at);
      for (const k of ["dot", "got", "ref"] as const) {
        got.roundTrip[k].forEach((x, c) => {
          const w = want.roundTrip[k][c];
          assert.ok(Math.abs(x - w) <= 1e-12 * Math.abs(w) || (x !== x && w !== w), `${at} ${k}`);
        });
      }
    }
  }
});

Deno.test("channelCodes() gives the same bits from a reference placed in the kernels' memory", () => {
  const cases: [number[], QParams][] = [
    [[2, 3, 5, 7], params("U8", 2 / 255, 128)],
    [[1, 6, 4, 4], params("S8", 1 / 64, 0, 6)],
  ];
  for (const [shape, p] of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    const ref = new Tensor("f32", shape, randomF32(n, 3 * n));
    for (
      const [isa, [copied, placed]] of onEveryIsa(() => [
        channelCodes(ref, p),
        withResident(ref.data, (r) => channelCodes(ref, p, undefined, r)),
      ])
    ) {
      assert.deepEqual(placed, copied, `${isa} ${p.qtype}`);
    }
  }
});

Deno.test("channelCodeStats dequantizes in float32 to the bits of float64 when the scale is a float32", () => {
  const [outer, channels, inner] = [2, 3, 37];
  const n = outer * channels * inner;
  const v = randomF32(n, 17).map((x) => x * 2);
  const codes = v.map((x) => Math.max(0, Math.min(65535, Math.round(x * 16000) + 32768)));
  const run = (single: number) => {
    const { heap, fn } = wasmKernels()!;
    const vAt = heap.put(v), cAt = heap.put(codes);
    const marks = heap.alloc(32 * channels), range = heap.alloc(16 * channels);
    const sums = heap.alloc(24 * channels), flags = heap.alloc(256);
    heap.f32(flags, 64).fill(0);
    const scale = Math.fround(1 / 16000);
    fn.channelCodeStats(
      vAt,
      cAt,
      outer,
      channels,
      inner,
      0,
      8,
      32768,
      scale,
      0,
      marks,
      range,
      sums,
      flags,
      single,
    );
    const out = [...heap.f64(range, 2 * channels), ...heap.f64(sums, 3 * channels)];
    for (const p of [vAt, cAt, marks, range, sums, flags]) heap.free(p);
    return out;
  };
  const paths = supportedIsas().filter((isa) => isa !== "scalar");
  assert.ok(paths.length > 0);
  for (const isa of paths) {
    const [single, double] = withIsa(isa, () => [run(1), run(0)]);
    assert.deepEqual(single, double, isa);
  }
});
