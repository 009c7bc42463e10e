/**
 * Test and fixture helpers: write caffemodels with protobufjs from the same schema the
 * loader reads, and synthesise seeded blobs for nets whose trained weights are not at hand.
 *
 * @module
 */
import protobuf from "protobufjs";
import { seededRandom } from "../util/random.ts";
import { caffeType } from "./caffe_proto.ts";
import type { BlobSpec, WeightLookup } from "./layers/context.ts";
import type { CaffeBlob } from "./weights.ts";
import { concatBytes } from "../util/bytes.ts";

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

/** Field `name` of message `type` as a length-delimited field holding `bytes`. */
function field(type: string, name: string, bytes: Uint8Array): Uint8Array {
  const id = caffeType(type).fields[name].id;
  return protobuf.Writer.create().uint32((id << 3) | 2).bytes(bytes).finish();
}

function encode(type: string, msg: Record<string, unknown>): Uint8Array {
  return caffeType(type).encode(msg).finish();
}

/**
 * A BlobProto: the shape through the schema, the values appended as the packed `data`
 * field written directly (protobuf merges concatenated messages, and a packed float field
 * is the little-endian values), which keeps 100 MB of weights fast to write.
 */
function blobBytes(b: BlobInit): Uint8Array {
  const s = [...Array(Math.max(0, 4 - b.shape.length)).fill(1), ...b.shape];
  const head = b.legacy
    ? encode("BlobProto", { num: s[0], channels: s[1], height: s[2], width: s[3] })
    : encode("BlobProto", { shape: { dim: [...b.shape] } });
  const data = new Uint8Array(4 * b.data.length);
  const view = new DataView(data.buffer);
  for (let i = 0; i < b.data.length; i++) view.setFloat32(4 * i, b.data[i], true);
  return concatBytes([head, field("BlobProto", "data", data)]);
}

/**
 * Encode a caffemodel (a NetParameter with `layer` entries, or legacy V1 `layers` with
 * `v1`).
 */
export function encodeCaffemodel(
  layers: readonly WeightsLayerInit[],
  opts: { name?: string; v1?: boolean } = {},
): Uint8Array {
  const layerType = opts.v1 ? "V1LayerParameter" : "LayerParameter";
  const parts = [encode("NetParameter", { name: opts.name })];
  for (const l of layers) {
    const head = encode(layerType, opts.v1 ? { name: l.name } : { name: l.name, type: l.type });
    const body = concatBytes([
      head,
      ...l.blobs.map((b) => field(layerType, "blobs", blobBytes(b))),
    ]);
    parts.push(field("NetParameter", opts.v1 ? "layers" : "layer", body));
  }
  return concatBytes(parts);
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
