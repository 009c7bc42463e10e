import { strict as assert } from "node:assert";
import { WasmHeap } from "./heap.ts";

Deno.test("WasmHeap.alloc() returns aligned, disjoint blocks and reuses freed space", () => {
  const heap = new WasmHeap();
  const a = heap.alloc(100);
  const b = heap.alloc(3000);
  assert.equal(a % 64, 0);
  assert.equal(b % 64, 0);
  assert.ok(b >= a + 100 + 64, "blocks overlap or lack slack");
  heap.free(a);
  const c = heap.alloc(80);
  assert.equal(c, a, "a freed block that fits is reused first");
  heap.free(b);
  heap.free(c);
  assert.equal(heap.allocatedBytes, 0);
  // everything merged back: one block of the whole memory fits again at the lowest address
  const d = heap.alloc(heap.memory.buffer.byteLength - 2048);
  assert.equal(d, a);
});

Deno.test("WasmHeap.alloc() grows the memory and keeps earlier contents", () => {
  const heap = new WasmHeap();
  const p = heap.put(Float32Array.of(1, 2, 3));
  const before = heap.memory.buffer.byteLength;
  const big = heap.alloc(before * 2);
  assert.ok(heap.memory.buffer.byteLength > before);
  assert.deepEqual([...heap.f32(p, 3)], [1, 2, 3]);
  heap.free(big);
  heap.free(p);
});

Deno.test("WasmHeap.free() refuses an address it did not hand out", () => {
  const heap = new WasmHeap();
  assert.throws(() => heap.free(12345), RangeError);
});

Deno.test("WasmHeap.resident() fills a block once per owner and tag", () => {
  const heap = new WasmHeap();
  const owner = new Float32Array(4);
  let fills = 0;
  const fill = (ptr: number) => {
    fills++;
    heap.f32(ptr, 1)[0] = 7;
  };
  const p = heap.resident(owner, "x", 16, fill);
  assert.equal(heap.resident(owner, "x", 16, fill), p);
  assert.notEqual(heap.resident(owner, "y", 16, fill), p);
  assert.equal(fills, 2);
  assert.equal(heap.f32(p, 1)[0], 7);
});
