import { strict as assert } from "node:assert";
import {
  convAccumulate,
  convAccumulateReference,
  convRequantize,
  matmulAccumulate,
  matmulAccumulateReference,
  matmulRequantize,
  type Multiplier,
  multiplier,
  qdqAdd,
  qdqAddition,
  qdqAdditionConstants,
  requantize,
  requantizeReference,
} from "./int_kernels.ts";
import type { ConvShape } from "../ops/nn/conv_kernel.ts";
import { onEveryIsa } from "../wasm/_testing.ts";

/** Deterministic integers in [lo, hi]. */
function ints(n: number, lo: number, hi: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (s % (hi - lo + 1));
  }
  return out;
}

function conv2dShape(
  n: number,
  c: number,
  m: number,
  group: number,
  hw: [number, number],
  k: [number, number],
  s: [number, number],
  pads: [number, number, number, number],
): ConvShape {
  const out = [0, 1].map((i) => Math.floor((hw[i] + pads[i] + pads[i + 2] - k[i]) / s[i]) + 1);
  return {
    batch: n,
    inChannels: c,
    outChannels: m,
    group,
    inSpatial: hw,
    window: { kernel: k, strides: s, dilations: [1, 1], pads, outShape: out },
  };
}

Deno.test("convAccumulate() sums a hand-checked 1x1 convolution with bias", () => {
  // x [1, 2, 1, 2] = [[1, 2], [3, 4]], w [1, 2, 1, 1] = [5, -6], bias 7
  const s = conv2dShape(1, 2, 1, 1, [1, 2], [1, 1], [1, 1], [0, 0, 0, 0]);
  for (
    const [isa, acc] of onEveryIsa(() =>
      convAccumulate(Float32Array.of(1, 2, 3, 4), s, Int32Array.of(5, -6), Int32Array.of(7))
    )
  ) {
    assert.deepEqual([...acc], [7 + 5 - 18, 7 + 10 - 24], isa);
  }
});

Deno.test("convAccumulate() gives the reference integers on every path on odd shapes", () => {
  const shapes = [
    conv2dShape(1, 3, 5, 1, [9, 13], [3, 3], [1, 1], [1, 1, 1, 1]),
    conv2dShape(2, 4, 6, 2, [7, 10], [3, 2], [2, 1], [0, 1, 1, 0]),
    conv2dShape(1, 6, 6, 6, [8, 11], [3, 3], [2, 2], [1, 1, 1, 1]),
    conv2dShape(2, 5, 5, 5, [9, 14], [3, 3], [1, 1], [1, 1, 1, 1]),
    conv2dShape(1, 3, 6, 3, [6, 17], [5, 3], [1, 3], [2, 0, 2, 1]),
    conv2dShape(1, 70, 9, 1, [5, 6], [1, 1], [1, 1], [0, 0, 0, 0]),
    conv2dShape(1, 64, 3, 1, [4, 4], [3, 3], [1, 1], [1, 1, 1, 1]),
  ];
  let seed = 1;
  for (const s of shapes) {
    const inP = s.inSpatial[0] * s.inSpatial[1];
    const kP = s.window.kernel[0] * s.window.kernel[1];
    const x = Float32Array.from(ints(s.batch * s.inChannels * inP, -255, 255, seed++));
    const w = ints(s.outChannels * (s.inChannels / s.group) * kP, -128, 127, seed++);
    const bias = ints(s.outChannels, -100000, 100000, seed++);
    const want = convAccumulateReference(x, s, w, bias);
    for (const [isa, acc] of onEveryIsa(() => convAccumulate(x, s, w, bias))) {
      assert.deepEqual(acc, want, `${isa} ${JSON.stringify(s.window)}`);
    }
  }
});

Deno.test("convAccumulate() gives the reference integers on depthwise shapes with wide rows, strides, dilations and multipliers", () => {
  const dilated = (s: ConvShape, d: [number, number]): ConvShape => {
    const k = s.window.kernel, p = s.window.pads;
    const outShape = [0, 1].map((i) =>
      Math.floor((s.inSpatial[i] + p[i] + p[i + 2] - d[i] * (k[i] - 1) - 1) / s.window.strides[i]) +
      1
    );
    return { ...s, window: { ...s.window, dilations: d, outShape } };
  };
  const shapes = [
    conv2dShape(1, 3, 3, 3, [7, 29], [3, 3], [1, 1], [1, 1, 1, 1]),
    conv2dShape(2, 3, 3, 3, [9, 31], [3, 3], [2, 2], [1, 1, 1, 1]),
    conv2dShape(1, 2, 2, 2, [8, 30], [3, 3], [2, 2], [0, 0, 1, 1]),
    conv2dShape(1, 2, 4, 2, [6, 27], [3, 5], [1, 1], [2, 0, 1, 3]),
    conv2dShape(1, 2, 2, 2, [5, 33], [2, 3], [1, 3], [0, 1, 0, 1]),
    conv2dShape(1, 2, 2, 2, [4, 3], [3, 3], [2, 2], [1, 1, 1, 1]),
    dilated(conv2dShape(1, 2, 2, 2, [9, 26], [3, 3], [1, 1], [2, 2, 2, 2]), [2, 2]),
    dilated(conv2dShape(1, 2, 2, 2, [9, 27], [3, 3], [2, 2], [2, 3, 1, 2]), [2, 3]),
  ];
  let seed = 70;
  for (const s of shapes) {
    const inP = s.inSpatial[0] * s.inSpatial[1];
    const kP = s.window.kernel[0] * s.window.kernel[1];
    const x = Float32Array.from(ints(s.batch * s.inChannels * inP, -255, 255, seed++));
    const w = ints(s.outChannels * kP, -128, 127, seed++);
    const want = convAccumulateReference(x, s, w, undefined);
    for (const [isa, acc] of onEveryIsa(() => convAccumulate(x, s, w, undefined))) {
      assert.deepEqual(acc, want, `${isa} ${JSON.stringify(s.window)}`);
    }
  }
});

Deno.test("convAccumulate() stays exact when values leave the int16 kernel's bounds", () => {
  const s = conv2dShape(1, 2, 2, 1, [4, 5], [3, 3], [1, 1], [1, 1, 1, 1]);
  const w = ints(2 * 2 * 9, -128, 127, 5);
  const cases = [
    Float32Array.from(ints(40, -65535, 65535, 6)), // U16 activations: wider than int16
    Float32Array.from(ints(40, -255, 255, 7), (v, i) => i === 3 ? 0.5 : v), // not integers
  ];
  for (const x of cases) {
    const want = convAccumulateReference(x, s, w, undefined);
    for (const [isa, acc] of onEveryIsa(() => convAccumulate(x, s, w, undefined))) {
      assert.deepEqual(acc, want, isa);
    }
  }
});

Deno.test("convAccumulate() stays exact when the value beyond int16 is in the last, partial vector", () => {
  // 45 values: five groups of eight, then a tail of five
  const s = conv2dShape(1, 3, 2, 1, [3, 5], [3, 3], [1, 1], [1, 1, 1, 1]);
  const w = ints(2 * 3 * 9, -128, 127, 8);
  for (const [at, v] of [[44, 40000], [41, 2.5], [0, -32768]]) {
    const x = Float32Array.from(ints(45, -255, 255, 9), (u, i) => i === at ? v : u);
    const want = convAccumulateReference(x, s, w, undefined);
    for (const [isa, acc] of onEveryIsa(() => convAccumulate(x, s, w, undefined))) {
      assert.deepEqual(acc, want, `${isa} ${v} at ${at}`);
    }
  }
});

Deno.test("convAccumulate() stays exact when a weight code leaves int16 or the largest ones make a sum overflow int32", () => {
  // 54 weights: six groups of eight, then a tail of six
  const s = conv2dShape(1, 3, 2, 1, [3, 5], [3, 3], [1, 1], [1, 1, 1, 1]);
  const small = Float32Array.from(ints(45, -255, 255, 10));
  const large = Float32Array.from(ints(45, 32000, 32767, 11));
  const cases: { x: Float32Array; w: Int32Array }[] = [
    ...[[5, 40000], [52, -40000], [20, -32768]].map(([at, v]) => ({
      x: small,
      w: ints(54, -128, 127, 12).map((u, i) => i === at ? v : u),
    })),
    // every product near 2^30: 27 of them overflow int32
    { x: large, w: ints(54, 32000, 32767, 13) },
  ];
  for (const { x, w } of cases) {
    const want = convAccumulateReference(x, s, w, undefined);
    for (const [isa, acc] of onEveryIsa(() => convAccumulate(x, s, w, undefined))) {
      assert.deepEqual(acc, want, `${isa} ${w[0]}`);
    }
  }
});

Deno.test("matmulAccumulate() gives the reference integers on every path, both layouts", () => {
  let seed = 20;
  for (const [rows, k, n] of [[1, 5, 3], [7, 33, 10], [13, 300, 17]]) {
    for (const transposed of [false, true]) {
      const a = Float32Array.from(ints(rows * k, -255, 255, seed++));
      const b = ints(k * n, -127, 127, seed++);
      const bias = ints(n, -5000, 5000, seed++);
      const want = matmulAccumulateReference(a, 1, rows, k, b, n, bias, transposed);
      for (
        const [isa, acc] of onEveryIsa(() =>
          matmulAccumulate(a, 1, rows, k, b, n, bias, transposed)
        )
      ) {
        assert.deepEqual(acc, want, `${isa} ${rows}x${k}x${n} transposed ${transposed}`);
      }
    }
  }
});

Deno.test("requantize() gives the reference codes on every path in both arithmetics", () => {
  // accumulators with exact halves after scaling, both signs, zero and wide values
  const acc = Float64Array.from(
    ints(4 * 3 * 50, -3_000_000, 3_000_000, 31),
    (v, i) => i % 7 === 0 ? 0 : i % 11 === 0 ? (i % 2 ? 1 : -1) * 2 ** 30 : v,
  );
  const targets = [{ zeroPoint: 128, lo: 0, hi: 255 }, { zeroPoint: 0, lo: -128, hi: 127 }];
  for (const arithmetic of ["npu", "qdq"] as const) {
    const perChannel = [
      multiplier(arithmetic, 0.02, 0.003, 0.05),
      multiplier(arithmetic, 200, 200, 1), // shift below 16
      multiplier(arithmetic, 0.5, 1, 1), // odd accumulators land on halves
      multiplier(arithmetic, 0.02, 0, 0.05), // zero weight scale
    ];
    for (const fps of [perChannel, [perChannel[0]]]) {
      for (const t of targets) {
        const want = requantizeReference(acc, 4, 50, fps, t);
        for (const [isa, got] of onEveryIsa(() => requantize(acc, 4, 50, fps, t))) {
          assert.deepEqual(got, want, `${isa} ${arithmetic} ${fps.length} ${t.zeroPoint}`);
        }
      }
    }
  }
});

Deno.test("requantize() runs hand-made multipliers as given", () => {
  const double: Multiplier = (acc) => 2 * acc;
  const got = requantize(Float64Array.of(-3, 0, 4, 100), 1, 4, [double], {
    zeroPoint: 10,
    lo: 0,
    hi: 100,
  });
  assert.deepEqual([...got], [4, 10, 18, 100]);
});

Deno.test("convRequantize() gives the reference codes on every path, zero point and fused bounds included", () => {
  const shapes = [
    conv2dShape(1, 3, 5, 1, [9, 13], [3, 3], [1, 1], [1, 1, 1, 1]),
    conv2dShape(2, 4, 6, 2, [7, 10], [3, 2], [2, 1], [0, 1, 1, 0]),
    conv2dShape(1, 6, 6, 6, [8, 11], [3, 3], [2, 2], [1, 1, 1, 1]),
    conv2dShape(1, 70, 9, 1, [5, 6], [1, 1], [1, 1], [0, 0, 0, 0]),
  ];
  let seed = 40;
  for (const s of shapes) {
    const inP = s.inSpatial[0] * s.inSpatial[1];
    const kP = s.window.kernel[0] * s.window.kernel[1];
    const codes = Float32Array.from(ints(s.batch * s.inChannels * inP, 0, 255, seed++));
    const w = ints(s.outChannels * (s.inChannels / s.group) * kP, -128, 127, seed++);
    const bias = ints(s.outChannels, -100000, 100000, seed++);
    const inner = s.window.outShape[0] * s.window.outShape[1];
    for (const arithmetic of ["npu", "qdq"] as const) {
      const fps = Array.from(
        { length: s.outChannels },
        (_, m) => multiplier(arithmetic, 0.02, 0.001 * (m + 1), 0.05),
      );
      for (const t of [{ zeroPoint: 100, lo: 0, hi: 255 }, { zeroPoint: 0, lo: 0, hi: 200 }]) {
        const centered = codes.map((v) => v - 37);
        const want = requantizeReference(
          convAccumulateReference(centered, s, w, bias),
          s.outChannels,
          inner,
          fps,
          t,
        );
        for (const [isa, got] of onEveryIsa(() => convRequantize(codes, 37, s, w, bias, fps, t))) {
          assert.deepEqual(got, want, `${isa} ${arithmetic} ${JSON.stringify(s.window)}`);
        }
      }
    }
  }
});

Deno.test("convRequantize() gives the reference codes when the int32 sum plus bias wraps or the product passes 2^24", () => {
  const s = conv2dShape(1, 3, 4, 1, [6, 7], [3, 3], [1, 1], [1, 1, 1, 1]);
  const codes = Float32Array.from(ints(3 * 42, 0, 255, 81));
  const w = ints(4 * 3 * 27, -128, 127, 82);
  // channels 0 and 1: sum plus bias beyond ±2^31; channels 2 and 3: products up to 2^26
  const bias = Int32Array.of(2 ** 31 - 5, -(2 ** 31) + 5, 1000, -1000);
  for (const m of [1e-7, 100]) {
    const fps = [multiplier("qdq", 1, 1, 1 / m)];
    for (const t of [{ zeroPoint: 128, lo: 0, hi: 255 }, { zeroPoint: 0, lo: -32768, hi: 32767 }]) {
      const centered = codes.map((v) => v - 128);
      const want = requantizeReference(
        convAccumulateReference(centered, s, w, bias),
        4,
        42,
        fps,
        t,
      );
      for (const [isa, got] of onEveryIsa(() => convRequantize(codes, 128, s, w, bias, fps, t))) {
        assert.deepEqual(got, want, `${isa} m ${m}`);
      }
    }
  }
});

Deno.test("convRequantize() falls back to the reference when codes leave int16", () => {
  const s = conv2dShape(1, 2, 2, 1, [4, 5], [3, 3], [1, 1], [1, 1, 1, 1]);
  const w = ints(2 * 2 * 9, -128, 127, 5);
  // U16 codes; code 0 centres to -32768, beyond the int16 kernel's ±32767
  const codes = Float32Array.from(ints(40, 0, 65535, 6), (v, i) => i === 3 ? 0 : v);
  const fps = [multiplier("npu", 0.001, 0.01, 0.5)];
  const t = { zeroPoint: 0, lo: 0, hi: 65535 };
  const centered = codes.map((v) => v - 32768);
  const want = requantizeReference(
    convAccumulateReference(centered, s, w, undefined),
    2,
    20,
    fps,
    t,
  );
  for (
    const [isa, got] of onEveryIsa(() => convRequantize(codes, 32768, s, w, undefined, fps, t))
  ) {
    assert.deepEqual(got, want, isa);
  }
});

Deno.test("matmulRequantize() gives the reference codes on every path, both layouts", () => {
  let seed = 60;
  for (const [rows, k, n] of [[1, 5, 3], [7, 33, 10], [13, 300, 17]]) {
    for (const transposed of [false, true]) {
      const codes = Float32Array.from(ints(rows * k, 0, 255, seed++));
      const b = ints(k * n, -127, 127, seed++);
      const bias = ints(n, -5000, 5000, seed++);
      for (const arithmetic of ["npu", "qdq"] as const) {
        const fps = Array.from(
          { length: n },
          (_, j) => multiplier(arithmetic, 0.03, 0.002 * (j + 1), 0.1),
        );
        const t = { zeroPoint: 120, lo: 0, hi: 255 };
        const acc = matmulAccumulateReference(
          codes.map((v) => v - 130),
          1,
          rows,
          k,
          b,
          n,
          bias,
          transposed,
        );
        const want = requantizeReference(acc, n, 1, fps, t);
        for (
          const [isa, got] of onEveryIsa(() =>
            matmulRequantize(codes, 130, rows, k, b, n, bias, transposed, fps, t)
          )
        ) {
          assert.deepEqual(
            got,
            want,
            `${isa} ${arithmetic} ${rows}x${k}x${n} transposed ${transposed}`,
          );
        }
      }
    }
  }
});

Deno.test("qdqAddition() fuses onnxruntime's constant product into an FMA when the plain sum would round below a tie", () => {
  // resnet18's layer3.0 residual Add, relaxed-simd calibration: onnxruntime-node 1.22
  // (QLinearAdd, AVX2+FMA) writes 81; with zc − (ra·za + rb·zb) rounded after each step
  // the pre-rounding value is 80.499996 and the code 80.
  const add = qdqAddition(
    0.029587168246507645,
    129,
    0.032952528446912766,
    129,
    0.021437641233205795,
    0,
  );
  assert.equal(add(96, 211), 81);
});

Deno.test("qdqAddition() rounds half to even when the sum lands on a tie", () => {
  // ra = rb = 0.5, k = 0: codes (1, 0) give 0.5 -> 0, (3, 0) give 1.5 -> 2
  const add = qdqAddition(0.5, 0, 0.5, 0, 1, 0);
  assert.equal(add(1, 0), 0);
  assert.equal(add(3, 0), 2);
  assert.equal(add(3, 2), 2);
});

Deno.test("qdqAdd() gives qdqAddition()'s clamped codes on every path, ties and odd lengths included", () => {
  // the FMA case above (96 + 211 → 81), a tie (1 + 2 at ratio ½ → 1.5 → 2), and random codes
  const cases = [
    { s: [0.029587168, 129, 0.032952528, 129, 0.021437641, 0], a: [96], b: [211] },
    { s: [0.5, 0, 0.5, 0, 1, 0], a: [1, 3, 0, 255], b: [2, 2, 1, 255] },
    {
      s: [0.0213, 121, 0.0377, 98, 0.0449, 131],
      a: [...ints(37, 0, 255, 91)],
      b: [...ints(37, 0, 255, 92)],
    },
  ];
  for (const { s, a, b } of cases) {
    const [sa, za, sb, zb, sc, zc] = s;
    const ref = qdqAddition(sa, za, sb, zb, sc, zc);
    const c = qdqAdditionConstants(sa, za, sb, zb, sc, zc);
    for (const t of [{ zeroPoint: zc, lo: 0, hi: 255 }, { zeroPoint: zc, lo: 40, hi: 200 }]) {
      const want = Float32Array.from(a, (v, i) => Math.min(t.hi, Math.max(t.lo, ref(v, b[i]))));
      for (
        const [isa, got] of onEveryIsa(() =>
          qdqAdd(Float32Array.from(a), Float32Array.from(b), c, t)
        )
      ) {
        assert.deepEqual(got, want, `${isa} ${s}`);
      }
    }
  }
});
