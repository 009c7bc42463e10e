import { strict as assert } from "node:assert";
import { f32, s64, type Tensor } from "../../ir/tensor.ts";
import { runOp } from "./_testing.ts";
import { transpose } from "./transpose.ts";
import { slice } from "./slice.ts";
import { expand } from "./expand_tile.ts";
import { onEveryIsa, randomF32 } from "../../wasm/_testing.ts";

/** The output words of `f()` on every kernel path, which must all equal the scalar path's. */
function sameOnEveryPath(f: () => Tensor, what: string): void {
  const bits = (t: Tensor) => {
    const d = t.data as Float32Array | BigInt64Array;
    return [...new Uint32Array(d.buffer, d.byteOffset, d.byteLength / 4)];
  };
  const results = onEveryIsa(() => bits(f()));
  const scalar = results.get("scalar")!;
  for (const [isa, words] of results) assert.deepEqual(words, scalar, `${isa}: ${what}`);
}

Deno.test("transpose() gives the same bits on every kernel path for every 4-D permutation of odd dims", () => {
  const shape = [3, 17, 9, 11]; // 5049 elements: the wasm gather runs
  const x = f32(shape, randomF32(5049, 9));
  const perms: number[][] = [];
  const permute = (rest: number[], acc: number[]) => {
    if (!rest.length) perms.push(acc);
    rest.forEach((r, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...acc, r]));
  };
  permute([0, 1, 2, 3], []);
  for (const perm of perms) {
    sameOnEveryPath(() => runOp(transpose, [x], { attrs: { perm } })[0], `perm ${perm}`);
  }
  // one case checked by coordinates too: out[c][a][b] = x[a][b][c] for a [64, 65, 3] input
  const y = f32([64, 65, 3], randomF32(64 * 65 * 3, 4));
  const [t] = onEveryIsa(() => runOp(transpose, [y], { attrs: { perm: [2, 0, 1] } })[0])
    .values();
  const yd = y.data as Float32Array, td = t.data as Float32Array;
  for (let c = 0; c < 3; c++) {
    for (let a = 0; a < 64; a++) {
      for (let b = 0; b < 65; b++) {
        assert.equal(td[(c * 64 + a) * 65 + b], yd[(a * 65 + b) * 3 + c]);
      }
    }
  }
});

Deno.test("slice() with negative steps and expand() with broadcast dims give the same bits on every kernel path", () => {
  const x = f32([80, 60, 7], randomF32(33600, 2)); // slices of 7200 elements: wasm runs
  const ints = (v: number[]) => s64([v.length], v);
  sameOnEveryPath(
    () =>
      runOp(slice, [x, ints([79, 1, 0]), ints([-81, 59, 7]), ints([0, 1, 2]), ints([-1, 2, 3])])[0],
    "negative and positive steps",
  );
  sameOnEveryPath(
    () => runOp(expand, [f32([1, 30, 1], randomF32(30, 3)), ints([200, 30, 5])])[0],
    "expand",
  );
  const big = s64([70, 60], Array.from({ length: 4200 }, (_, i) => i * 1e6));
  sameOnEveryPath(() => runOp(transpose, [big])[0], "int64 transpose");
});
