/**
 * The binary `.caffemodel`: a serialized NetParameter whose layers carry their trained
 * blobs. axb reads layer names and blobs only (see `caffe_proto.ts`) and matches them to
 * prototxt layers by name, as Caffe's CopyTrainedLayersFrom does (a later layer of the
 * same name replaces an earlier one).
 *
 * A blob's shape is its `shape` field, or the legacy `num`/`channels`/`height`/`width`
 * quadruple; float `data` or `double_data` become float32.
 *
 * @module
 */
import { ModelFormatError } from "../errors/mod.ts";
import {
  type BlobProtoMsg,
  caffeType,
  int64ToNumber,
  type WeightsLayerMsg,
  type WeightsNetMsg,
} from "./caffe_proto.ts";

/** One trained blob. */
export interface CaffeBlob {
  /** Dimensions as stored. */
  readonly shape: readonly number[];
  /** True when the shape came from the legacy 4-D fields (Caffe compares those padded). */
  readonly legacy: boolean;
  /** Values, row-major. */
  readonly data: Float32Array;
}

/**
 * Decode a caffemodel into blobs by layer name.
 *
 * @param bytes the file contents
 * @param file path or label for messages
 * @throws {ModelFormatError} when the bytes are empty, truncated or not a NetParameter, or a
 *   blob's value count does not match its shape
 */
export function decodeCaffeWeights(bytes: Uint8Array, file: string): Map<string, CaffeBlob[]> {
  const where = `Cannot read caffemodel "${file}"`;
  if (bytes.length === 0) throw new ModelFormatError(`${where}: file is empty`);
  let msg: WeightsNetMsg;
  try {
    const decoded: object = caffeType("WeightsNet").decode(bytes);
    msg = decoded as WeightsNetMsg;
  } catch (e) {
    throw new ModelFormatError(
      `${where}: file is truncated or not a Caffe NetParameter (protobuf: ${
        e instanceof Error ? e.message : String(e)
      })`,
    );
  }
  const layers: WeightsLayerMsg[] = [
    ...(msg.layer ?? []),
    ...(msg.layers ?? []).map((l) => ({
      name: l.name ?? l.layer?.name,
      blobs: l.blobs?.length ? l.blobs : l.layer?.blobs,
    })),
  ];
  if (layers.length === 0) {
    throw new ModelFormatError(`${where}: file holds no layers (not a trained Caffe model?)`);
  }
  const out = new Map<string, CaffeBlob[]>();
  for (const l of layers) {
    const name = l.name ?? "";
    out.set(name, (l.blobs ?? []).map((b, i) => toBlob(b, `${where}: layer "${name}" blob ${i}`)));
  }
  return out;
}

function toBlob(b: BlobProtoMsg, where: string): CaffeBlob {
  const legacy = !b.shape;
  const shape = b.shape
    ? (b.shape.dim ?? []).map((d) => int64ToNumber(d))
    : [b.num, b.channels, b.height, b.width].map((d) => int64ToNumber(d));
  const values = b.data?.length ? b.data : b.double_data ?? [];
  const count = shape.reduce((a, d) => a * d, 1);
  if (values.length !== count) {
    throw new ModelFormatError(
      `${where} has ${values.length} values but its shape [${shape.join(", ")}] needs ${count}`,
    );
  }
  return { shape, legacy, data: Float32Array.from(values) };
}
