/**
 * Test and fixture helpers: write caffemodels with protobufjs from the same schema the
 * loader reads, and synthesise seeded blobs for nets whose trained weights are not at hand.
 *
 * @module
 */
import { seededRandom } from "../util/random.ts";
import { caffeType } from "./caffe_proto.ts";
import type { BlobSpec, WeightLookup } from "./layers/context.ts";
import type { CaffeBlob } from "./weights.ts";

/** A blob to write: `legacy` stores the shape as num/channels/height/width (4-D, padded). */
export interface BlobInit {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
  readonly legacy?: boolean;
}

/** A layer of a caffemodel to write. */
export interface WeightsLayerInit {
  readonly name: string;
  readonly type?: string;
  readonly blobs: readonly BlobInit[];
}

function blobMessage(b: BlobInit): Record<string, unknown> {
  const data = Array.from(b.data);
  if (!b.legacy) return { shape: { dim: [...b.shape] }, data };
  const s = [...Array(4 - b.shape.length).fill(1), ...b.shape];
  return { num: s[0], channels: s[1], height: s[2], width: s[3], data };
}

/**
 * Encode a caffemodel (a NetParameter with `layer` entries, or legacy V1 `layers` with
 * `v1`).
 */
export function encodeCaffemodel(
  layers: readonly WeightsLayerInit[],
  opts: { name?: string; v1?: boolean } = {},
): Uint8Array {
  const msg = opts.v1
    ? {
      name: opts.name,
      layers: layers.map((l) => ({ name: l.name, blobs: l.blobs.map(blobMessage) })),
    }
    : {
      name: opts.name,
      layer: layers.map((l) => ({ name: l.name, type: l.type, blobs: l.blobs.map(blobMessage) })),
    };
  const out = caffeType("NetParameter").encode(msg).finish();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * A weight lookup that invents seeded blobs of the shapes each layer asks for and records
 * them, for public deploy nets without their trained weights. BatchNorm-like roles get
 * realistic values (variance > 0, factor 1).
 */
export function seededWeights(seed: number): { lookup: WeightLookup; layers: WeightsLayerInit[] } {
  const rand = seededRandom(seed);
  const layers: WeightsLayerInit[] = [];
  const lookup: WeightLookup = (layer: string, specs: readonly BlobSpec[]) => {
    if (specs.length === 0) return undefined;
    const blobs: CaffeBlob[] = specs.map((s) => {
      const n = s.shape.reduce((a, d) => a * d, 1);
      const fanIn = s.shape.length > 1 ? n / s.shape[0] : 1;
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const u = rand() * 2 - 1;
        data[i] = s.role === "variance"
          ? 0.5 + rand()
          : s.role === "moving_average_factor"
          ? 1
          : s.role === "scale"
          ? 1 + 0.2 * u
          : s.role === "weight"
          ? u * Math.sqrt(3 / fanIn)
          : 0.1 * u;
      }
      return { shape: [...s.shape], legacy: false, data };
    });
    layers.push({ name: layer, blobs });
    return blobs;
  };
  return { lookup, layers };
}
