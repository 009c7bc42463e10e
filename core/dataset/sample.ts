/**
 * One calibration file to one input tensor, per `calibration_format`, with the dtype and
 * shape checks pulsar2 requires (data must be directly consumable by the float model).
 *
 * @module
 */
import type { DataFormat } from "../config/build_config.ts";
import { DTYPES } from "../ir/dtype.ts";
import { formatShape, type Tensor } from "../ir/tensor.ts";
import type { Dim } from "../ir/types.ts";
import { decodeNpy } from "../io/npy.ts";
import { decodeRaw } from "../io/raw.ts";
import { InputDataError } from "../errors/mod.ts";
import { decodeImage, IMAGE_EXTENSIONS } from "./image.ts";
import { type ImagePlan, imageToTensor } from "./image_tensor.ts";
import { decodeNumpyObject } from "./numpy_object.ts";
import type { DType } from "../ir/dtype.ts";
import type { ArchiveLimits } from "./limits.ts";

/** A model input's name and static type facts. */
export interface InputFacts {
  name: string;
  dtype: DType;
  shape: readonly Dim[];
}

/** File extensions (lower case) each format reads; other files in the dataset are skipped. */
export const FORMAT_EXTENSIONS: Readonly<Record<DataFormat, readonly string[]>> = {
  Image: IMAGE_EXTENSIONS,
  Numpy: [".npy"],
  Binary: [".bin"],
  NumpyObject: [".npy", ".npz"],
};

/** True when `found` has the rank of `expected` and equals it on every numeric dim. */
export function shapeMatches(found: readonly number[], expected: readonly Dim[]): boolean {
  return found.length === expected.length &&
    expected.every((d, i) => typeof d !== "number" || d === found[i]);
}

/** Refuse a tensor whose dtype or shape differ from the input's. */
export function checkTensor(t: Tensor, input: InputFacts, what: string): Tensor {
  if (t.dtype !== input.dtype || !shapeMatches(t.shape, input.shape)) {
    throw new InputDataError(
      `${what} for input "${input.name}" is ${DTYPES[t.dtype].label} ${
        formatShape(t.shape)
      }, expected ${DTYPES[input.dtype].label} ${
        formatShape(input.shape)
      }; calibration data must match the model input exactly`,
    );
  }
  return t;
}

/** The shape of a raw file: symbolic dims are inferred from its size when there is one. */
export function rawShape(byteLength: number, input: InputFacts, what: string): number[] {
  const width = DTYPES[input.dtype].bytes;
  const known = input.shape.reduce<number>((n, d) => (typeof d === "number" ? n * d : n), 1);
  const open = input.shape.filter((d) => typeof d !== "number").length;
  const expected = `${DTYPES[input.dtype].label} ${formatShape(input.shape)}`;
  if (open > 1) {
    throw new InputDataError(
      `${what}: input "${input.name}" has shape ${
        formatShape(input.shape)
      } with several symbolic dims, so a raw .bin file's shape is ambiguous; set input_shapes or use Numpy data`,
    );
  }
  const elements = byteLength / width;
  const free = elements / known;
  if (!Number.isInteger(elements) || !Number.isInteger(free) || (open === 0 && free !== 1)) {
    throw new InputDataError(
      `${what} holds ${byteLength} bytes, which is not ${expected}${
        open === 0 ? ` (${known * width} bytes)` : ` (a multiple of ${known * width} bytes)`
      }`,
    );
  }
  return input.shape.map((d) => (typeof d === "number" ? d : free));
}

/** Per-call cache of decoded NumpyObject files (one file may serve several inputs). */
export type ObjectCache = Map<string, Map<string, Tensor>>;

/** Everything needed to decode one input's files. */
export interface SampleReader {
  format: DataFormat;
  input: InputFacts;
  /** Required for `Image`. */
  image?: ImagePlan;
  objects: ObjectCache;
  /** Caps on an `.npz` file's members once decompressed (NumpyObject). */
  limits?: ArchiveLimits;
}

/**
 * Decode one calibration file for one input.
 *
 * @param key identifies the file for the NumpyObject cache (archive path + member)
 * @param what names the file in errors
 */
export function readSample(
  reader: SampleReader,
  bytes: Uint8Array,
  key: string,
  what: string,
): Tensor {
  const { input } = reader;
  switch (reader.format) {
    case "Image": {
      if (!reader.image) throw new InputDataError(`${what}: no image plan for "${input.name}"`);
      return imageToTensor(decodeImage(bytes, what), reader.image);
    }
    case "Numpy":
      return checkTensor(decodeNpy(bytes, what), input, what);
    case "Binary":
      return decodeRaw(bytes, input.dtype, rawShape(bytes.length, input, what), what);
    case "NumpyObject": {
      let dict = reader.objects.get(key);
      if (!dict) {
        dict = decodeNumpyObject(bytes, what, reader.limits);
        reader.objects.set(key, dict);
      }
      const t = dict.get(input.name);
      if (!t) {
        throw new InputDataError(
          `${what} has no entry for input "${input.name}"; it holds ${
            [...dict.keys()].map((k) => `"${k}"`).join(", ") || "nothing"
          }`,
        );
      }
      return checkTensor(t, input, `${what} entry "${input.name}"`);
    }
  }
}
