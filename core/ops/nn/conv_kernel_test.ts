import { strict as assert } from "node:assert";
import { convF32, type ConvShape } from "./conv_kernel.ts";
import { firstBitDifference, onEveryIsa, randomF32, withIsa } from "../../wasm/_testing.ts";
import { wasmKernels } from "../../wasm/kernels.ts";

interface Case {
  name: string;
  n: number;
  c: number;
  m: number;
  group: number;
  spatial: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
}

function shapeOf(t: Case): ConvShape {
  const r = t.spatial.length;
  const outShape = t.spatial.map((d, i) =>
    Math.floor(
      (d + t.pads[i] + t.pads[i + r] - t.dilations[i] * (t.kernel[i] - 1) - 1) / t.strides[i],
    ) + 1
  );
  return {
    batch: t.n,
    inChannels: t.c,
    outChannels: t.m,
    group: t.group,
    inSpatial: t.spatial,
    window: {
      kernel: t.kernel,
      strides: t.strides,
      dilations: t.dilations,
      pads: t.pads,
      outShape,
    },
  };
}

/** Direct definition in float64 (no blocking), to bound the relaxed path's error. */
function direct(x: Float32Array, w: Float32Array, b: Float32Array, s: ConvShape): Float64Array {
  const [h, wd] = s.inSpatial.length === 2 ? s.inSpatial : [1, s.inSpatial[0]];
  const win = s.window;
  const two = s.inSpatial.length === 2;
  const [kh, kw] = two ? win.kernel : [1, win.kernel[0]];
  const [sh, sw] = two ? win.strides : [1, win.strides[0]];
  const [dh, dw] = two ? win.dilations : [1, win.dilations[0]];
  const [pt, pl] = two ? win.pads : [0, win.pads[0]];
  const [oh, ow] = two ? win.outShape : [1, win.outShape[0]];
  const cg = s.inChannels / s.group, mg = s.outChannels / s.group;
  const out = new Float64Array(s.batch * s.outChannels * oh * ow);
  let o = 0;
  for (let n = 0; n < s.batch; n++) {
    for (let m = 0; m < s.outChannels; m++) {
      const gi = Math.floor(m / mg);
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++, o++) {
          let acc = b[m];
          for (let c = 0; c < cg; c++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const iy = y * sh - pt + i * dh, ix = xo * sw - pl + j * dw;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                acc += w[((m * cg + c) * kh + i) * kw + j] *
                  x[((n * s.inChannels + gi * cg + c) * h + iy) * wd + ix];
              }
            }
          }
          out[o] = acc;
        }
      }
    }
  }
  return out;
}

const CASES: Case[] = [
  {
    name: "3x3 pad 1",
    n: 1,
    c: 5,
    m: 11,
    group: 1,
    spatial: [9, 13],
    kernel: [3, 3],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
  },
  {
    name: "3x3 on rows of 7 (every strip spans two output rows)",
    n: 2,
    c: 3,
    m: 5,
    group: 1,
    spatial: [6, 7],
    kernel: [3, 3],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
  },
  {
    // strips at the row ends read runs thousands of floats left of the image: such a
    // run lies before the kernels' memory when the image sits low in it
    name: "padding far wider than the image",
    n: 1,
    c: 2,
    m: 3,
    group: 1,
    spatial: [3, 2],
    kernel: [3, 3],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 2001, 1, 2000],
  },
  {
    name: "stride 2, uneven pads",
    n: 2,
    c: 3,
    m: 6,
    group: 1,
    spatial: [12, 17],
    kernel: [3, 3],
    strides: [2, 2],
    dilations: [1, 1],
    pads: [0, 1, 1, 0],
  },
  {
    name: "dilation 2, stride 3",
    n: 1,
    c: 4,
    m: 9,
    group: 1,
    spatial: [15, 20],
    kernel: [3, 2],
    strides: [3, 1],
    dilations: [2, 2],
    pads: [2, 1, 0, 2],
  },
  {
    name: "groups 2",
    n: 1,
    c: 6,
    m: 10,
    group: 2,
    spatial: [7, 30],
    kernel: [3, 3],
    strides: [1, 2],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
  },
  {
    name: "pointwise",
    n: 2,
    c: 70,
    m: 13,
    group: 1,
    spatial: [5, 11],
    kernel: [1, 1],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
  },
  {
    // 300 columns (a multiple of 4, not of 8) and K = 300: image rows read in place by
    // the tile, over two column blocks and two K blocks, with a packed last strip
    name: "pointwise read in place",
    n: 2,
    c: 300,
    m: 13,
    group: 1,
    spatial: [12, 25],
    kernel: [1, 1],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
  },
  {
    name: "K over one block",
    n: 1,
    c: 40,
    m: 7,
    group: 1,
    spatial: [6, 9],
    kernel: [3, 3],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
  },
  {
    name: "1-D",
    n: 2,
    c: 3,
    m: 5,
    group: 1,
    spatial: [29],
    kernel: [4],
    strides: [2],
    dilations: [1],
    pads: [2, 1],
  },
  {
    name: "depthwise 3x3",
    n: 1,
    c: 7,
    m: 7,
    group: 7,
    spatial: [11, 23],
    kernel: [3, 3],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
  },
  {
    name: "depthwise stride 2",
    n: 2,
    c: 4,
    m: 4,
    group: 4,
    spatial: [14, 31],
    kernel: [3, 3],
    strides: [2, 2],
    dilations: [1, 1],
    pads: [0, 1, 1, 0],
  },
  {
    name: "depthwise 5x5 multiplier 2",
    n: 1,
    c: 3,
    m: 6,
    group: 3,
    spatial: [10, 19],
    kernel: [5, 5],
    strides: [1, 3],
    dilations: [1, 2],
    pads: [2, 2, 2, 2],
  },
  {
    name: "depthwise 3x3 wide rows, stride 2, dilation 2",
    n: 1,
    c: 3,
    m: 3,
    group: 3,
    spatial: [13, 45],
    kernel: [3, 3],
    strides: [2, 2],
    dilations: [2, 2],
    pads: [2, 2, 1, 2],
  },
  {
    name: "depthwise 3x3 wide rows, stride 1, no padding",
    n: 1,
    c: 2,
    m: 2,
    group: 2,
    spatial: [6, 37],
    kernel: [3, 3],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
  },
  {
    name: "depthwise 3x3 on 7x7 (partial vector rows)",
    n: 1,
    c: 5,
    m: 5,
    group: 5,
    spatial: [7, 7],
    kernel: [3, 3],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
  },
  {
    name: "depthwise 3x3 stride 2 on 30x30, pads 1",
    n: 1,
    c: 3,
    m: 3,
    group: 3,
    spatial: [30, 30],
    kernel: [3, 3],
    strides: [2, 2],
    dilations: [1, 1],
    pads: [1, 1, 1, 1],
  },
  {
    name: "depthwise 3x3 with wide right padding (border columns one by one)",
    n: 1,
    c: 2,
    m: 2,
    group: 2,
    spatial: [5, 13],
    kernel: [3, 3],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 1, 1, 9],
  },
  {
    name: "patches: kernel = stride, unpadded, strips leaving their output row",
    n: 2,
    c: 3,
    m: 5,
    group: 1,
    spatial: [12, 20],
    kernel: [4, 4],
    strides: [4, 4],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
  },
  {
    name: "strided, dilated windows, some strips inside the image and some not",
    n: 1,
    c: 4,
    m: 6,
    group: 2,
    spatial: [15, 23],
    kernel: [3, 3],
    strides: [2, 3],
    dilations: [2, 1],
    pads: [1, 0, 0, 2],
  },
  {
    name: "depthwise kernel wider than the row",
    n: 1,
    c: 2,
    m: 2,
    group: 2,
    spatial: [4, 3],
    kernel: [3, 5],
    strides: [1, 1],
    dilations: [1, 1],
    pads: [1, 2, 1, 2],
  },
];

Deno.test("convF32() gives the same bits on every exact path on odd shapes", () => {
  let seed = 1;
  for (const t of CASES) {
    const s = shapeOf(t);
    const kP = t.kernel.reduce((a, v) => a * v, 1);
    const x = randomF32(t.n * t.c * t.spatial.reduce((a, v) => a * v, 1), seed++);
    const w = randomF32(t.m * (t.c / t.group) * kP, seed++);
    const b = randomF32(t.m, seed++);
    for (const bias of [b, undefined]) {
      const runs = onEveryIsa(() => convF32(x, w, bias, s));
      const scalar = runs.get("scalar")!;
      const simd = runs.get("simd");
      if (simd) assert.equal(firstBitDifference(simd, scalar), -1, `${t.name}, bias ${!!bias}`);
      const relaxed = runs.get("relaxed-simd");
      if (relaxed) {
        const want = direct(x, w, bias ?? new Float32Array(t.m), s);
        for (let i = 0; i < want.length; i++) {
          assert.ok(Math.abs(relaxed[i] - want[i]) < 1e-5 * kP * t.c, `${t.name} at ${i}`);
        }
      }
    }
  }
});

Deno.test("convF32() reuses packed constant weights and matches the unpacked run", () => {
  const t = CASES[1];
  const s = shapeOf(t);
  const x = randomF32(t.n * t.c * 12 * 17, 7);
  const w = randomF32(t.m * t.c * 9, 8);
  const once = convF32(x, w, undefined, s);
  for (let r = 0; r < 3; r++) {
    const packed = convF32(x, w, undefined, s, { constantWeights: true });
    assert.equal(firstBitDifference(packed, once), -1);
  }
});

Deno.test("convF32() keeps constant depthwise weights resident without leaking scratch", () => {
  const t = CASES.find((c) => c.group === c.c && c.c > 1 && c.m === c.c)!;
  const s = shapeOf(t);
  const kP = t.kernel.reduce((a, v) => a * v, 1);
  const x = randomF32(t.n * t.c * t.spatial.reduce((a, v) => a * v, 1), 11);
  const w = randomF32(t.m * kP, 12);
  const b = randomF32(t.m, 13);
  const once = convF32(x, w, b, s);
  const heap = wasmKernels()?.heap;
  let held = -1;
  for (let r = 0; r < 3; r++) {
    const kept = convF32(x, w, b, s, { constantWeights: true });
    assert.equal(firstBitDifference(kept, once), -1);
    if (heap && r === 0) held = heap.allocatedBytes;
    if (heap) assert.equal(heap.allocatedBytes, held, `heap grew on call ${r + 1}`);
  }
});

Deno.test("convF32() on relaxed-simd keeps depthwise results within float32 rounding of the exact sum", () => {
  let seed = 100;
  for (const t of CASES.filter((c) => c.group === c.c && c.c > 1)) {
    const s = shapeOf(t);
    const kP = t.kernel.reduce((a, v) => a * v, 1);
    const x = randomF32(t.n * t.c * t.spatial.reduce((a, v) => a * v, 1), seed++);
    const w = randomF32(t.m * kP, seed++);
    const b = randomF32(t.m, seed++);
    const got = withIsa("relaxed-simd", () => convF32(x, w, b, s));
    const want = direct(x, w, b, s);
    // |error| <= (taps + 1) · 2^-24 · sum of |terms|: one rounding per fused tap
    const mag = direct(x.map(Math.abs), w.map(Math.abs), b.map(Math.abs), s);
    for (let i = 0; i < want.length; i++) {
      const bound = (kP + 1) * 2 ** -24 * mag[i];
      assert.ok(Math.abs(got[i] - want[i]) <= bound, `${t.name} at ${i}: ${got[i]} vs ${want[i]}`);
    }
  }
});
