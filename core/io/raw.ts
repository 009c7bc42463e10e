/**
 * Raw tensor files as `pulsar2 run` uses them: the tensor's bytes, little-endian, C order,
 * no header, named after the tensor with every character outside `[a-zA-Z0-9_-]`
 * replaced by `_`.
 *
 * @module
 */
import { Tensor } from "../ir/tensor.ts";
import { allocate, checkTensorSize, type DType, DTYPES } from "../ir/dtype.ts";
import { InputDataError } from "../errors/mod.ts";

/** File stem for a tensor name: `/model.24/Conv_output_0` → `_model_24_Conv_output_0`. */
export function tensorFileStem(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, "_");
}

/** Decode raw little-endian bytes into a tensor of `dtype` and `shape`. */
export function decodeRaw(
  bytes: Uint8Array,
  dtype: DType,
  shape: readonly number[],
  what: string,
): Tensor {
  const width = DTYPES[dtype].bytes;
  if (width === 0) {
    throw new InputDataError(`${what}: string tensors cannot be read from raw files`);
  }
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new InputDataError(
      `${what}: shape [${shape.join(", ")}] is not a tensor shape (non-negative integers)`,
    );
  }
  const n = shape.reduce((a, b) => a * b, 1);
  checkTensorSize(dtype, n, `${what} [${shape.join(", ")}]`);
  if (bytes.length !== n * width) {
    throw new InputDataError(
      `${what} holds ${bytes.length} bytes; ${DTYPES[dtype].label} [${shape.join(", ")}] needs ${
        n * width
      }`,
    );
  }
  const data = allocate(dtype, n);
  if (Array.isArray(data)) throw new InputDataError(`${what}: string tensors are not supported`);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  return new Tensor(dtype, shape, data);
}

/** The raw bytes of a tensor (a view when possible). */
export function encodeRaw(t: Tensor): Uint8Array {
  if (t.is("string")) throw new InputDataError(`Cannot write string tensors as raw .bin files`);
  const data = t.data as Exclude<typeof t.data, string[]>;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
