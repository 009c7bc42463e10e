/**
 * Float32 window pooling (max with optional argmax, average, Lp) over up to three
 * spatial axes. Lower ranks are lifted to 3-D with size-1 leading axes. Each axis
 * gets a table of the first in-range tap, the number of in-range taps and the number
 * of taps inside input+pads, so the inner loops carry no bounds checks.
 *
 * Max pooling over one or two spatial axes without indices runs in WebAssembly
 * (core/wasm/assembly/pool.ts) when the kernels are loaded, with the same tap order and
 * comparisons, so the same bits.
 *
 * @module
 */
import type { Window } from "./_spatial.ts";
import { wasmKernels } from "../../wasm/kernels.ts";

/** Per-axis tap table. */
interface AxisTable {
  readonly size: number;
  readonly out: number;
  readonly step: number;
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly withPad: Int32Array;
}

function axisTable(
  size: number,
  out: number,
  k: number,
  s: number,
  d: number,
  pb: number,
  pe: number,
): AxisTable {
  const first = new Int32Array(out), count = new Int32Array(out), withPad = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    const start = o * s - pb;
    let n = 0, f = -1, wp = 0;
    for (let t = 0; t < k; t++) {
      const p = start + t * d;
      if (p >= -pb && p < size + pe) wp++;
      if (p < 0 || p >= size) continue;
      if (f < 0) f = p;
      n++;
    }
    first[o] = f < 0 ? 0 : f;
    count[o] = n;
    withPad[o] = wp;
  }
  return { size, out, step: d, first, count, withPad };
}

/** Pooling geometry lifted to [planes, D, H, W]. */
export interface PoolGeometry {
  readonly planes: number;
  readonly axes: readonly [AxisTable, AxisTable, AxisTable];
  /** Input spatial dims and the window the tables were built from. */
  readonly spatial: readonly number[];
  readonly window: Window;
}

/** Build the geometry for `planes` = N·C images of `spatial` dims (rank 1..3). */
export function poolGeometry(
  planes: number,
  spatial: readonly number[],
  win: Window,
): PoolGeometry {
  const r = spatial.length;
  const lift = 3 - r;
  const t = (a: number): AxisTable => {
    if (a < lift) return axisTable(1, 1, 1, 1, 1, 0, 0);
    const i = a - lift;
    return axisTable(
      spatial[i],
      win.outShape[i],
      win.kernel[i],
      win.strides[i],
      win.dilations[i],
      win.pads[i],
      win.pads[i + r],
    );
  };
  return { planes, axes: [t(0), t(1), t(2)], spatial, window: win };
}

function outSize(g: PoolGeometry): number {
  return g.axes[0].out * g.axes[1].out * g.axes[2].out;
}

/**
 * Max pooling. With `indices`, also returns the flat index of each maximum
 * (row-major, or column-major over the spatial axes when `columnMajor`).
 */
export function maxPool(
  x: Float32Array,
  g: PoolGeometry,
  indices: boolean,
  columnMajor: boolean,
): { y: Float32Array; idx?: Float64Array } {
  if (!indices && g.spatial.length <= 2) {
    const y = maxPool2dWasm(x, g);
    if (y) return { y };
  }
  const [A, B, C] = g.axes;
  const inP = A.size * B.size * C.size;
  const outP = outSize(g);
  const y = new Float32Array(g.planes * outP);
  const idx = indices ? new Float64Array(g.planes * outP) : undefined;
  let o = 0;
  for (let pl = 0; pl < g.planes; pl++) {
    const base = pl * inP;
    for (let od = 0; od < A.out; od++) {
      const fd = A.first[od], cd = A.count[od];
      for (let oh = 0; oh < B.out; oh++) {
        const fh = B.first[oh], ch = B.count[oh];
        for (let ow = 0; ow < C.out; ow++, o++) {
          const fw = C.first[ow], cw = C.count[ow];
          let m = -Infinity, at = -1;
          for (let a = 0; a < cd; a++) {
            const id = fd + a * A.step;
            for (let b = 0; b < ch; b++) {
              const row = base + (id * B.size + fh + b * B.step) * C.size + fw;
              for (let c = 0; c < cw; c++) {
                const v = x[row + c * C.step];
                if (v > m || at < 0) {
                  m = v;
                  at = row + c * C.step;
                }
              }
            }
          }
          y[o] = m;
          if (idx) {
            if (at < 0) idx[o] = -1;
            else if (!columnMajor) idx[o] = at;
            else {
              const local = at - base;
              const w = local % C.size, h = Math.floor(local / C.size) % B.size;
              const d = Math.floor(local / (C.size * B.size));
              idx[o] = base + (w * B.size + h) * A.size + d;
            }
          }
        }
      }
    }
  }
  return { y, idx };
}

/** Max pooling of 1-D/2-D planes in WebAssembly, or undefined on the scalar path. */
function maxPool2dWasm(x: Float32Array, g: PoolGeometry): Float32Array | undefined {
  const k = wasmKernels();
  if (!k) return undefined;
  const w = g.window;
  const two = g.spatial.length === 2;
  const ax = (v: readonly number[], i: number, one: number) => two ? v[i] : i === 0 ? one : v[0];
  const geo = Int32Array.of(
    g.planes,
    two ? g.spatial[0] : 1,
    two ? g.spatial[1] : g.spatial[0],
    ax(w.outShape, 0, 1),
    ax(w.outShape, 1, 1),
    ax(w.kernel, 0, 1),
    ax(w.kernel, 1, 1),
    ax(w.strides, 0, 1),
    ax(w.strides, 1, 1),
    ax(w.dilations, 0, 1),
    ax(w.dilations, 1, 1),
    two ? w.pads[0] : 0,
    two ? w.pads[1] : w.pads[0],
  );
  const n = g.planes * outSize(g);
  const { heap, fn } = k;
  // geometry, input and output share one block (each part aligned, with room for the
  // vector reads past its end), so a call costs one allocation
  const xAt = 128;
  const yAt = xAt + Math.ceil((x.byteLength + 64) / 64) * 64;
  const block = heap.alloc(yAt + n * 4);
  try {
    heap.i32(block, geo.length).set(geo);
    heap.f32(block + xAt, x.length).set(x);
    fn.maxPool2d(block + xAt, block + yAt, block);
    return heap.f32(block + yAt, n).slice();
  } finally {
    heap.free(block);
  }
}

/** Average pooling; `includePad` divides by the taps inside input+pads. */
export function avgPool(x: Float32Array, g: PoolGeometry, includePad: boolean): Float32Array {
  const [A, B, C] = g.axes;
  const inP = A.size * B.size * C.size;
  const y = new Float32Array(g.planes * outSize(g));
  let o = 0;
  for (let pl = 0; pl < g.planes; pl++) {
    const base = pl * inP;
    for (let od = 0; od < A.out; od++) {
      const fd = A.first[od], cd = A.count[od];
      for (let oh = 0; oh < B.out; oh++) {
        const fh = B.first[oh], ch = B.count[oh];
        for (let ow = 0; ow < C.out; ow++, o++) {
          const fw = C.first[ow], cw = C.count[ow];
          let s = 0;
          for (let a = 0; a < cd; a++) {
            const id = fd + a * A.step;
            for (let b = 0; b < ch; b++) {
              const row = base + (id * B.size + fh + b * B.step) * C.size + fw;
              if (C.step === 1) { for (let c = 0; c < cw; c++) s += x[row + c]; }
              else for (let c = 0; c < cw; c++) s += x[row + c * C.step];
            }
          }
          const n = includePad ? A.withPad[od] * B.withPad[oh] * C.withPad[ow] : cd * ch * cw;
          y[o] = n > 0 ? s / n : Number.NaN;
        }
      }
    }
  }
  return y;
}

/** Lp pooling: (Σ|x|^p)^(1/p) over the in-range taps. */
export function lpPool(x: Float32Array, g: PoolGeometry, p: number): Float32Array {
  const [A, B, C] = g.axes;
  const inP = A.size * B.size * C.size;
  const y = new Float32Array(g.planes * outSize(g));
  let o = 0;
  for (let pl = 0; pl < g.planes; pl++) {
    const base = pl * inP;
    for (let od = 0; od < A.out; od++) {
      for (let oh = 0; oh < B.out; oh++) {
        for (let ow = 0; ow < C.out; ow++, o++) {
          let s = 0;
          for (let a = 0; a < A.count[od]; a++) {
            const id = A.first[od] + a * A.step;
            for (let b = 0; b < B.count[oh]; b++) {
              const row = base + (id * B.size + B.first[oh] + b * B.step) * C.size + C.first[ow];
              for (let c = 0; c < C.count[ow]; c++) {
                const v = Math.abs(x[row + c * C.step]);
                s += p === 2 ? v * v : p === 1 ? v : v ** p;
              }
            }
          }
          y[o] = p === 2 ? Math.sqrt(s) : p === 1 ? s : s ** (1 / p);
        }
      }
    }
  }
  return y;
}
