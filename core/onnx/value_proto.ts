/**
 * SequenceProto and OptionalProto files (the test data of sequence- and optional-typed
 * values) → run-time {@linkcode Value}s. Which message a file holds is not written in the
 * file: the declared type of the value it feeds or checks decides, as in ONNX's own
 * backend test runner.
 *
 * @module
 */
import { ModelFormatError } from "../errors/mod.ts";
import type { DType } from "../ir/dtype.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { ValueType } from "../ir/types.ts";
import { OptionalValue, SequenceValue, type Value } from "../ir/value.ts";
import {
  decodeAs,
  type OptionalMsg,
  OptionalProtoType,
  type SequenceMsg,
  SequenceProtoType,
} from "./onnx_proto.ts";
import { decodeTensorProto, errorText, tensorFromProto } from "./tensor_proto.ts";

/** SequenceProto/OptionalProto `elem_type` codes. */
const ELEM = { TENSOR: 1, SEQUENCE: 3, OPTIONAL: 5 } as const;

/**
 * Decode one serialized value: a TensorProto, or a SequenceProto/OptionalProto when
 * `type` says the value is a sequence or an optional.
 *
 * @param bytes the file contents
 * @param type the declared type of the value (undefined or a tensor type: a TensorProto)
 * @param where the file name, for error text
 * @throws {ModelFormatError} when the bytes do not decode as the declared kind
 */
export function decodeValueProto(
  bytes: Uint8Array,
  type: ValueType | undefined,
  where = "<bytes>",
): Value {
  if (type === undefined || !("kind" in type) || type.kind === "opaque") {
    return decodeTensorProto(bytes, where);
  }
  const prefix = `Cannot read value file "${where}"`;
  try {
    if (type.kind === "sequence") {
      return sequenceFrom(decodeAs<SequenceMsg>(SequenceProtoType, bytes), type, prefix);
    }
    return optionalFrom(decodeAs<OptionalMsg>(OptionalProtoType, bytes), type, prefix);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(
      `${prefix}: file is truncated or not an ONNX ${
        type.kind === "sequence" ? "SequenceProto" : "OptionalProto"
      } (protobuf: ${errorText(e)})`,
    );
  }
}

function sequenceFrom(msg: SequenceMsg, type: ValueType, prefix: string): SequenceValue {
  const code = msg.elemType ?? 0;
  if (code !== 0 && code !== ELEM.TENSOR) {
    throw new ModelFormatError(
      `${prefix}: sequence elements of kind ${code} are not supported; axb's sequences hold tensors`,
    );
  }
  const items: Tensor[] = (msg.tensorValues ?? []).map((t) =>
    tensorFromProto(t, { where: prefix })
  );
  const declared = "kind" in type && type.kind === "sequence" && !("kind" in type.elem)
    ? type.elem.dtype
    : undefined;
  const dtype: DType | undefined = items[0]?.dtype ?? declared;
  if (!dtype) {
    throw new ModelFormatError(`${prefix}: empty sequence without a declared element type`);
  }
  return new SequenceValue(dtype, items, prefix);
}

function optionalFrom(msg: OptionalMsg, type: ValueType, prefix: string): OptionalValue {
  const elem = "kind" in type && type.kind === "optional" ? type.elem : type;
  switch (msg.elemType ?? 0) {
    case 0:
      return new OptionalValue(elem, undefined);
    case ELEM.TENSOR:
      return new OptionalValue(
        elem,
        msg.tensorValue ? tensorFromProto(msg.tensorValue, { where: prefix }) : undefined,
      );
    case ELEM.SEQUENCE:
      return new OptionalValue(
        elem,
        msg.sequenceValue ? sequenceFrom(msg.sequenceValue, elem, prefix) : undefined,
      );
    default:
      throw new ModelFormatError(
        `${prefix}: optional of element kind ${msg.elemType} is not supported; expected a tensor or a sequence`,
      );
  }
}
