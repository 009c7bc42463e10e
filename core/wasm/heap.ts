/**
 * Memory of one kernel instance: a first-fit allocator over a `WebAssembly.Memory`.
 * Kernels run on data copied in and out; scratch is freed when the call ends, packed
 * constant weights stay resident until the array they were packed from is collected.
 *
 * Views into the memory must be taken after the last allocation of a call: growing the
 * memory replaces its buffer.
 *
 * @module
 */

const PAGE = 65536;
/** Alignment of every block: one cache line, so vector loads never split one. */
const ALIGN = 64;
/** Bytes below this address stay unused (address 0 means "none" to the kernels). */
const BASE = 1024;
/**
 * Slack after every block, so vector loads of a block's last elements stay in bounds
 * (the kernels read up to 32 bytes past a block: assembly/README.md).
 */
const SLACK = 64;

interface Span {
  start: number;
  size: number;
}

/**
 * Pages (64 KiB) every kernel memory starts with. The kernel modules declare it as their
 * memory's minimum (tools/build_wasm.ts): V8 without trap handlers (Deno) checks every
 * access against the memory size, and a known minimum removes the half of that check
 * for the constant offsets below it.
 */
export const INITIAL_PAGES = 16;

/** The allocator of one instance's memory. */
export class WasmHeap {
  /** The memory the kernels import. */
  readonly memory: WebAssembly.Memory;
  readonly #free: Span[] = [];
  readonly #used = new Map<number, number>();
  readonly #resident = new WeakMap<object, Map<string, number>>();
  readonly #collect = new FinalizationRegistry<number>((ptr) => this.free(ptr));

  /** A heap over a fresh memory. */
  constructor() {
    this.memory = new WebAssembly.Memory({ initial: INITIAL_PAGES });
    this.#free.push({ start: BASE, size: this.memory.buffer.byteLength - BASE });
  }

  /** Reserve `bytes` (plus slack), aligned; grows the memory when nothing fits. */
  alloc(bytes: number): number {
    const need = Math.ceil((bytes + SLACK) / ALIGN) * ALIGN;
    let i = this.#free.findIndex((s) => s.size >= need);
    if (i < 0) {
      this.#grow(need);
      i = this.#free.findIndex((s) => s.size >= need);
    }
    const span = this.#free[i];
    const ptr = span.start;
    span.start += need;
    span.size -= need;
    if (span.size === 0) this.#free.splice(i, 1);
    this.#used.set(ptr, need);
    return ptr;
  }

  /** Return a block from {@linkcode alloc}. */
  free(ptr: number): void {
    const size = this.#used.get(ptr);
    if (size === undefined) throw new RangeError(`Cannot free ${ptr}: not an allocated block`);
    this.#used.delete(ptr);
    this.#insert(ptr, size);
  }

  /** Bytes currently allocated (for tests and leak checks). */
  get allocatedBytes(): number {
    let s = 0;
    for (const v of this.#used.values()) s += v;
    return s;
  }

  /**
   * A block kept for as long as `owner` lives, filled once by `fill`; later calls with
   * the same owner and `tag` return the same block.
   */
  resident(owner: object, tag: string, bytes: number, fill: (ptr: number) => void): number {
    let byTag = this.#resident.get(owner);
    const hit = byTag?.get(tag);
    if (hit !== undefined) return hit;
    const ptr = this.alloc(bytes);
    fill(ptr);
    if (!byTag) {
      byTag = new Map();
      this.#resident.set(owner, byTag);
    }
    byTag.set(tag, ptr);
    this.#collect.register(owner, ptr);
    return ptr;
  }

  /** Copy `src` into a new block. */
  put(src: Float32Array | Int32Array | Uint32Array | Float64Array): number {
    const ptr = this.alloc(src.byteLength);
    new Uint8Array(this.memory.buffer, ptr, src.byteLength).set(
      new Uint8Array(src.buffer, src.byteOffset, src.byteLength),
    );
    return ptr;
  }

  /** A Float32Array view of `n` floats at `ptr` (valid until the next allocation). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  /** An Int32Array view. */
  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, n);
  }

  /** A Float64Array view. */
  f64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, n);
  }

  #grow(need: number): void {
    const have = this.memory.buffer.byteLength;
    const last = this.#free[this.#free.length - 1];
    const tail = last && last.start + last.size === have ? last.size : 0;
    const pages = Math.max(Math.ceil((need - tail) / PAGE), Math.ceil(have / PAGE / 4));
    this.memory.grow(pages);
    this.#insert(have, pages * PAGE);
  }

  /** Put a span back into the sorted free list, merging neighbours. */
  #insert(start: number, size: number): void {
    const f = this.#free;
    let i = 0;
    while (i < f.length && f[i].start < start) i++;
    f.splice(i, 0, { start, size });
    const next = f[i + 1];
    if (next && start + size === next.start) {
      f[i].size += next.size;
      f.splice(i + 1, 1);
    }
    const prev = f[i - 1];
    if (prev && prev.start + prev.size === start) {
      prev.size += f[i].size;
      f.splice(i, 1);
    }
  }
}
