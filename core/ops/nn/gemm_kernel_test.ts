import { strict as assert } from "node:assert";
import { gemm } from "./gemm_kernel.ts";
import { firstBitDifference, onEveryIsa, randomF32 } from "../../wasm/_testing.ts";

/** Deterministic pseudo-random values in [-1, 1). */
function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function naive(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  transB: boolean,
  alpha: number,
  c0: Float32Array | undefined,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p];
        const bv = transB ? b[j * k + p] : b[p * n + j];
        s += av * bv;
      }
      out[i * n + j] = alpha * s + (c0 ? c0[i * n + j] : 0);
    }
  }
  return out;
}

function maxErr(x: Float32Array, y: Float64Array): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e = Math.max(e, Math.abs(x[i] - y[i]));
  return e;
}

Deno.test("gemm() matches a naive triple loop on odd sizes with all transposes and both kernels", () => {
  const sizes = [
    [1, 1, 1],
    [1, 7, 3],
    [5, 1, 9],
    [3, 5, 7],
    [4, 8, 16],
    [13, 17, 300],
    [
      70,
      9,
      33,
    ],
    [66, 530, 5],
    [9, 520, 260],
  ];
  let seed = 1;
  for (const scalar of [false, true]) {
    for (const [m, n, k] of sizes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = rand(m * k, seed++);
          const b = rand(k * n, seed++);
          const c = new Float32Array(m * n).fill(Number.NaN);
          gemm({
            m,
            n,
            k,
            a,
            lda: transA ? m : k,
            transA,
            b,
            ldb: transB ? k : n,
            transB,
            c,
            ldc: n,
            alpha: 0.5,
            scalar,
          });
          const want = naive(m, n, k, a, transA, b, transB, 0.5, undefined);
          assert.ok(
            maxErr(c, want) < 1e-4 * Math.sqrt(k),
            `m=${m} n=${n} k=${k} tA=${transA} tB=${transB} scalar=${scalar}`,
          );
        }
      }
    }
  }
});

Deno.test("gemm() accumulates into C and honours offsets and leading dimensions", () => {
  const m = 6, n = 11, k = 5;
  // A lives at offset 3 inside rows of width 9; C inside rows of width 14 at offset 2.
  const aStore = rand(3 + m * 9, 7);
  const b = rand(k * n, 8);
  const a = new Float32Array(m * k);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[i * k + p] = aStore[3 + i * 9 + p];
  const cStore = rand(2 + m * 14, 9);
  const c0 = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c0[i * n + j] = cStore[2 + i * 14 + j];
  const before = cStore.slice();
  gemm({
    m,
    n,
    k,
    a: aStore,
    aOffset: 3,
    lda: 9,
    b,
    ldb: n,
    c: cStore,
    cOffset: 2,
    ldc: 14,
    accumulate: true,
  });
  const want = naive(m, n, k, a, false, b, false, 1, c0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      assert.ok(Math.abs(cStore[2 + i * 14 + j] - want[i * n + j]) < 1e-5);
    }
    // Padding columns between rows stay untouched.
    for (let j = n; j < 14 && 2 + i * 14 + j < cStore.length; j++) {
      assert.equal(cStore[2 + i * 14 + j], before[2 + i * 14 + j]);
    }
  }
});

Deno.test("gemm() computes a hand-checked 2x2 product", () => {
  const c = new Float32Array(4);
  gemm({
    m: 2,
    n: 2,
    k: 3,
    a: Float32Array.of(1, 2, 3, 4, 5, 6),
    lda: 3,
    b: Float32Array.of(7, 8, 9, 10, 11, 12),
    ldb: 2,
    c,
    ldc: 2,
  });
  assert.deepEqual([...c], [58, 64, 139, 154]);
});

Deno.test("gemm() gives the same bits on every exact path and stays within rounding on relaxed-simd", () => {
  const sizes = [[2, 3, 4], [5, 9, 7], [4, 8, 256], [7, 13, 300], [13, 70, 530], [66, 259, 9]];
  let seed = 100;
  for (const [m, n, k] of sizes) {
    for (
      const [transA, transB, accumulate, alpha] of [
        [false, false, false, 1],
        [true, false, true, 0.3],
        [false, true, true, 1],
        [true, true, false, -2.5],
      ] as const
    ) {
      const a = randomF32(m * k, seed++);
      const b = randomF32(k * n, seed++);
      const c0 = randomF32(m * n, seed++);
      const results = onEveryIsa(() => {
        const c = c0.slice();
        gemm({
          m,
          n,
          k,
          a,
          lda: transA ? m : k,
          transA,
          b,
          ldb: transB ? k : n,
          transB,
          c,
          ldc: n,
          alpha,
          accumulate,
        });
        return c;
      });
      const what = `m=${m} n=${n} k=${k} tA=${transA} tB=${transB} acc=${accumulate}`;
      const scalar = results.get("scalar")!;
      const simd = results.get("simd");
      if (simd) assert.equal(firstBitDifference(simd, scalar), -1, what);
      const relaxed = results.get("relaxed-simd");
      if (relaxed) {
        const want = naive(m, n, k, a, transA, b, transB, alpha, accumulate ? c0 : undefined);
        assert.ok(maxErr(relaxed, want) < 1e-4 * Math.sqrt(k) * Math.abs(alpha), what);
      }
    }
  }
});

Deno.test("gemm() gives one row times transposed B the same float64-dot bits on every path", () => {
  // k = 1283: steps of four plus a tail; B rows padded (ldb > k) and offset
  const [n, k, ldb, bOff] = [37, 1283, 1290, 5];
  const a = randomF32(k + 3, 201);
  const b = randomF32(bOff + n * ldb, 202);
  const c0 = randomF32(n + 2, 203);
  for (const [accumulate, alpha, constantB] of [[false, 1, true], [true, -0.7, false]] as const) {
    const results = onEveryIsa(() =>
      [0, 1].map(() => {
        const c = c0.slice();
        gemm({
          m: 1,
          n,
          k,
          a,
          aOffset: 3,
          lda: k,
          b,
          bOffset: bOff,
          ldb,
          transB: true,
          c,
          cOffset: 2,
          ldc: n,
          alpha,
          accumulate,
          constantB,
        });
        return c;
      })
    );
    const [scalar] = results.get("scalar")!;
    for (const [isa, runs] of results) {
      for (const c of runs) {
        assert.equal(firstBitDifference(c, scalar), -1, `${isa} acc=${accumulate}`);
      }
    }
    // an independent float64 dot bounds the reference itself
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[3 + p] * b[bOff + j * ldb + p];
      const want = (accumulate ? c0[2 + j] : 0) + alpha * s;
      assert.ok(Math.abs(scalar[2 + j] - want) < 1e-5, `column ${j}`);
    }
    assert.equal(scalar[0], c0[0]);
    assert.equal(scalar[1], c0[1]);
  }
});
