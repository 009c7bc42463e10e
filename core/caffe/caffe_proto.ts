/**
 * Caffe's protobuf schema (package `caffe`), compiled once with protobufjs reflection.
 *
 * Source: `src/caffe/proto/caffe.proto` of the public BVLC/caffe repository (field names,
 * numbers, types and defaults restated here), plus the SSD fork's layers (weiliu89/caffe:
 * `PermuteParameter` 202, `PriorBoxParameter` 203, `DetectionOutputParameter` 204,
 * `NormalizeParameter` 206) and two fork layers whose field numbers differ between forks
 * (`upsample_param`, `interp_param`, numbered 3001/3002 here). Only the text format reads
 * those parameter messages, and text names fields by name, so their numbers never meet a
 * file; the binary caffemodel is decoded with the schema's separate `Weights*` messages,
 * which read only names, types and blobs and skip every other field, so a caffemodel
 * written by any fork decodes.
 *
 * Parameter messages of layers axb does not convert (data layers, losses, accuracy …)
 * are typed `Unmodeled`: the text reader accepts and skips their contents, and the
 * converter then reports the layer type as unsupported.
 *
 * @module
 */
import protobuf from "protobufjs";
import { CAFFE_SCHEMA } from "./caffe_schema.ts";

const root = protobuf.parse(CAFFE_SCHEMA, { keepCase: true }).root;
root.resolveAll();

/** The reflection type of message `name` of package `caffe`. */
export function caffeType(name: string): protobuf.Type {
  return root.lookupType(`caffe.${name}`);
}

/** A 64-bit integer as protobufjs decodes it: a number or a Long-like pair. */
export type Int64 = number | { low: number; high: number; unsigned?: boolean };

/** A 64-bit protobuf integer as a number (nearest double beyond 2^53). */
export function int64ToNumber(v: Int64 | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  const high = v.unsigned ? v.high >>> 0 : v.high | 0;
  return high * 4294967296 + (v.low >>> 0);
}

/** Decoded `caffe.BlobShape`. */
export interface BlobShapeMsg {
  dim?: Int64[];
}

/** Decoded `caffe.BlobProto`. */
export interface BlobProtoMsg {
  shape?: BlobShapeMsg;
  data?: number[];
  double_data?: number[];
  num?: Int64;
  channels?: Int64;
  height?: Int64;
  width?: Int64;
}

/** Decoded `caffe.WeightsLayer` (also V0 layers, whose fields are the same by name). */
export interface WeightsLayerMsg {
  name?: string;
  type?: string;
  blobs?: BlobProtoMsg[];
}

/** Decoded `caffe.WeightsV1Layer`. */
export interface WeightsV1LayerMsg {
  name?: string;
  type?: number;
  blobs?: BlobProtoMsg[];
  layer?: WeightsLayerMsg;
}

/** Decoded `caffe.WeightsNet`. */
export interface WeightsNetMsg {
  name?: string;
  layer?: WeightsLayerMsg[];
  layers?: WeightsV1LayerMsg[];
}
