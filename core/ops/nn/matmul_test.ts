import { strict as assert } from "node:assert";
import { f32, Tensor } from "../../ir/tensor.ts";
import { gemmOp, matMul } from "./matmul.ts";
import { matMulInteger, qLinearMatMul } from "./qlinear.ts";
import { inferOp, nodeOf, runOp } from "./_testing.ts";
import { planMatmul } from "./_matmul_shape.ts";
import { gemm } from "./gemm_kernel.ts";
import { attrReader } from "../../ir/attribute.ts";
import { firstBitDifference, onEveryIsa, randomF32 } from "../../wasm/_testing.ts";

Deno.test("matMul() broadcasts batch dims and promotes 1-D operands", () => {
  const a = f32([2, 1, 2, 3], [1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0]);
  const b = f32([3, 3, 1], [1, 1, 1, 2, 0, 0, 0, 0, 3]);
  // b is [3 batches, 3x1]: columns (1,1,1), (2,0,0), (0,0,3).
  const [y] = runOp(matMul, [a, b]);
  assert.deepEqual(y.shape, [2, 3, 2, 1]);
  assert.deepEqual([...y.data as Float32Array], [6, 15, 2, 8, 9, 18, 1, 1, 2, 0, 0, 0]);
  const [v] = runOp(matMul, [f32([3], [1, 2, 3]), f32([3, 2], [1, 2, 3, 4, 5, 6])]);
  assert.deepEqual(v.shape, [2]);
  assert.deepEqual([...v.data as Float32Array], [22, 28]);
  const [s] = runOp(matMul, [f32([3], [1, 2, 3]), f32([3], [4, 5, 6])]);
  assert.deepEqual(s.shape, []);
  assert.equal((s.data as Float32Array)[0], 32);
});

Deno.test("matMul() computes int32 products exactly", () => {
  const a = new Tensor("s32", [1, 2], Int32Array.of(100000, 3));
  const b = new Tensor("s32", [2, 1], Int32Array.of(20000, -7));
  const [y] = runOp(matMul, [a, b]);
  assert.equal(y.dtype, "s32");
  assert.equal((y.data as Int32Array)[0], 2000000000 - 21);
});

Deno.test("gemmOp() applies transposes, alpha, beta and a broadcast C", () => {
  const a = f32([3, 2], [1, 4, 2, 5, 3, 6]); // Aᵀ = [[1,2,3],[4,5,6]]
  const b = f32([2, 3], [1, 0, 1, 0, 1, 1]); // Bᵀ = [[1,0],[0,1],[1,1]]
  const c = f32([2], [10, 20]);
  const [y] = runOp(gemmOp, [a, b, c], { transA: 1, transB: 1, alpha: 2.0, beta: 0.5 });
  // AᵀBᵀ = [[4,5],[10,11]] → ×2 + [5,10].
  assert.deepEqual([...y.data as Float32Array], [13, 20, 25, 32]);
  const [z] = runOp(gemmOp, [f32([1, 2], [1, 2]), f32([2, 1], [3, 4])]);
  assert.deepEqual([...z.data as Float32Array], [11]);
});

Deno.test("gemmOp() adds a full, row or column C with beta 1", () => {
  const a = f32([2, 2], [1, 2, 3, 4]);
  const b = f32([2, 2], [1, 0, 0, 1]); // identity: A·B = A
  const run = (c: Tensor) => [...runOp(gemmOp, [a, b, c])[0].data as Float32Array];
  assert.deepEqual(run(f32([2, 2], [10, 20, 30, 40])), [11, 22, 33, 44]);
  assert.deepEqual(run(f32([2], [10, 20])), [11, 22, 13, 24]);
  assert.deepEqual(run(f32([2, 1], [10, 20])), [11, 12, 23, 24]);
  assert.deepEqual(run(f32([], [0.5])), [1.5, 2.5, 3.5, 4.5]);
});

Deno.test("matMul() infer broadcasts symbolic batch dims", () => {
  const [t] = inferOp(matMul, [
    { dtype: "f32", shape: ["B", 1, 5, 7] },
    { dtype: "f32", shape: [3, 7, 2] },
  ]);
  assert.deepEqual(t?.shape, ["B", 3, 5, 2]);
});

Deno.test("matMulInteger() subtracts zero points before multiplying", () => {
  const a = new Tensor("u8", [2, 2], Uint8Array.of(12, 10, 11, 14));
  const b = new Tensor("s8", [2, 1], Int8Array.of(3, -2));
  const [y] = runOp(matMulInteger, [a, b, new Tensor("u8", [], Uint8Array.of(10))]);
  // (2,0)·(3,-2) = 6, (1,4)·(3,-2) = -5.
  assert.deepEqual([...y.data as Int32Array], [6, -5]);
});

Deno.test("qLinearMatMul() requantizes with round half to even and saturation", () => {
  const u8 = (v: number[]) => new Tensor("u8", [v.length], Uint8Array.from(v));
  const a = new Tensor("u8", [1, 2], Uint8Array.of(5, 3));
  const b = new Tensor("u8", [2, 2], Uint8Array.of(1, 200, 0, 200));
  const s = (v: number) => f32([], [v]);
  // acc = [5, 1600]; scale 0.5·1/1 → 2.5 → 2 (even), 800 → saturates at 255.
  const [y] = runOp(qLinearMatMul, [a, s(0.5), u8([0]), b, s(1), u8([0]), s(1), u8([0])]);
  assert.deepEqual([...y.data as Uint8Array], [2, 255]);
});

/** matMul on `a`, `b` with B reported as a constant input (an initializer) or not. */
function matMulWith(a: Tensor, b: Tensor, constantB: boolean): Float32Array {
  const node = nodeOf(matMul, {}, 2, 1);
  const prepared = matMul.prepare(attrReader(node.attrs, node.name, node.opType), {
    opset: 13,
    node,
  });
  const [y] = prepared.run([a, b], {
    opset: 13,
    node,
    runSubgraph: () => [],
    isConstantInput: (i) => constantB && i === 1,
  });
  return y.data as Float32Array;
}

/** The same product as per-batch gemm() calls (the route MatMul took before). */
function perBatchGemm(a: Tensor, b: Tensor): Float32Array {
  const plan = planMatmul(a.shape, b.shape, { opset: 13, node: nodeOf(matMul, {}, 2, 1) });
  const { m, n, k, aOffsets, bOffsets } = plan;
  const out = new Float32Array(aOffsets.length * m * n);
  aOffsets.forEach((ao, i) => {
    gemm({
      m,
      n,
      k,
      a: a.data as Float32Array,
      aOffset: ao,
      lda: k,
      b: b.data as Float32Array,
      bOffset: bOffsets[i],
      ldb: n,
      c: out,
      cOffset: i * m * n,
      ldc: n,
    });
  });
  return out;
}

Deno.test("matMul() gives the bits of per-batch gemm() on every path for batched, broadcast and constant B", () => {
  const cases: [number[], number[]][] = [
    [[1, 197, 97], [97, 290]], // rows merged over a shared B, odd strips and K steps
    [[3, 13, 33], [3, 33, 29]], // one B per batch
    [[2, 3, 7, 300], [3, 300, 9]], // broadcast batch dims, K over one KC block
    [[5, 2, 4], [4, 3]],
  ];
  for (const [sa, sb] of cases) {
    const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
    const a = f32(sa, randomF32(size(sa), sa.length + size(sa)));
    const b = f32(sb, randomF32(size(sb), 3 + size(sb)));
    for (
      const [isa, ok] of onEveryIsa(() => {
        const want = perBatchGemm(a, b);
        return firstBitDifference(matMulWith(a, b, true), want) === -1 &&
          firstBitDifference(matMulWith(a, b, false), want) === -1 &&
          firstBitDifference(matMulWith(a, b, true), want) === -1;
      })
    ) {
      assert.ok(ok, `${isa}: [${sa}]·[${sb}]`);
    }
  }
});

Deno.test("gemmOp() with a constant B gives the bits of gemm() on every path, B transposed or not, with and without C", () => {
  const [m, n, k] = [197, 29, 300];
  const a = f32([m, k], randomF32(m * k, 5));
  const bias = f32([n], randomF32(n, 6));
  for (const transB of [false, true]) {
    const b = f32(transB ? [n, k] : [k, n], randomF32(k * n, 7));
    for (const withC of [false, true]) {
      const node = nodeOf(gemmOp, { transB: transB ? 1 : 0 }, withC ? 3 : 2, 1);
      const prepared = gemmOp.prepare(attrReader(node.attrs, node.name, node.opType), {
        opset: 13,
        node,
      });
      for (
        const [isa, ok] of onEveryIsa(() => {
          const want = new Float32Array(m * n);
          if (withC) { for (let i = 0; i < m * n; i++) want[i] = bias.data[i % n] as number; }
          gemm({
            m,
            n,
            k,
            a: a.data as Float32Array,
            lda: k,
            b: b.data as Float32Array,
            ldb: transB ? k : n,
            transB,
            c: want,
            ldc: n,
            accumulate: withC,
          });
          const [y] = prepared.run(withC ? [a, b, bias] : [a, b], {
            opset: 13,
            node,
            runSubgraph: () => [],
            isConstantInput: (i) => i > 0,
          });
          return firstBitDifference(y.data as Float32Array, want) === -1;
        })
      ) {
        assert.ok(ok, `${isa}: transB ${transB}, C ${withC}`);
      }
    }
  }
});
