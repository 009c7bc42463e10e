/**
 * The ONNX protobuf schema (package `onnx`, field numbers as in the official onnx.proto),
 * compiled once with protobufjs reflection, plus TypeScript shapes of the decoded messages.
 *
 * Only this folder sees wire-format types; the rest of axb works on the IR in `core/ir/`.
 * Decoded messages carry 64-bit integers as protobufjs `Long` objects (see
 * {@linkcode Int64}) and `bytes` fields as subarray views of the input buffer.
 *
 * @module
 */
import protobuf from "protobufjs";
export type {
  AttributeMsg,
  DimensionMsg,
  GraphMsg,
  Int64,
  ModelMsg,
  NodeMsg,
  OperatorSetIdMsg,
  OptionalMsg,
  SequenceMsg,
  StringStringEntryMsg,
  TensorMsg,
  TypeMsg,
  ValueInfoMsg,
} from "./messages.ts";
import type { Int64 } from "./messages.ts";

/** Schema text (proto2). Field numbers follow onnx/onnx.proto (IR version 10). */
const SCHEMA = `
syntax = "proto2";
package onnx;

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
    SPARSE_TENSOR = 11; TYPE_PROTO = 13;
    FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10;
    SPARSE_TENSORS = 12; TYPE_PROTOS = 14;
  }
  optional string name = 1;
  optional string ref_attr_name = 21;
  optional string doc_string = 13;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  optional SparseTensorProto sparse_tensor = 22;
  optional TypeProto tp = 14;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
  repeated SparseTensorProto sparse_tensors = 23;
  repeated TypeProto type_protos = 15;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
  repeated StringStringEntryProto metadata_props = 4;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  optional string overload = 8;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
  repeated StringStringEntryProto metadata_props = 9;
  repeated NodeDeviceConfigurationProto device_configurations = 10;
}

message IntIntListEntryProto {
  optional int64 key = 1;
  repeated int64 value = 2;
}

message NodeDeviceConfigurationProto {
  optional string configuration_id = 1;
  repeated ShardingSpecProto sharding_spec = 2;
  optional int32 pipeline_stage = 3;
}

message ShardingSpecProto {
  optional string tensor_name = 1;
  repeated int64 device = 2;
  repeated IntIntListEntryProto index_to_device_group_map = 3;
  repeated ShardedDimProto sharded_dim = 4;
}

message ShardedDimProto {
  optional int64 axis = 1;
  repeated SimpleShardedDimProto simple_sharding = 2;
}

message SimpleShardedDimProto {
  oneof dim {
    int64 dim_value = 1;
    string dim_param = 2;
  }
  optional int64 num_shards = 3;
}

message TrainingInfoProto {
  optional GraphProto initialization = 1;
  optional GraphProto algorithm = 2;
  repeated StringStringEntryProto initialization_binding = 3;
  repeated StringStringEntryProto update_binding = 4;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
  repeated TrainingInfoProto training_info = 20;
  repeated FunctionProto functions = 25;
  repeated DeviceConfigurationProto configuration = 26;
}

message DeviceConfigurationProto {
  optional string name = 1;
  optional int32 num_devices = 2;
  repeated string device = 3;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message TensorAnnotation {
  optional string tensor_name = 1;
  repeated StringStringEntryProto quant_parameter_tensor_names = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated SparseTensorProto sparse_initializer = 15;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
  repeated TensorAnnotation quantization_annotation = 14;
  repeated StringStringEntryProto metadata_props = 16;
}

message TensorProto {
  message Segment {
    optional int64 begin = 1;
    optional int64 end = 2;
  }
  enum DataLocation {
    DEFAULT = 0;
    EXTERNAL = 1;
  }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional Segment segment = 3;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional string doc_string = 12;
  optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13;
  optional DataLocation data_location = 14;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
  repeated StringStringEntryProto metadata_props = 16;
}

message SparseTensorProto {
  optional TensorProto values = 1;
  optional TensorProto indices = 2;
  repeated int64 dims = 3;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  message Sequence {
    optional TypeProto elem_type = 1;
  }
  message Map {
    optional int32 key_type = 1;
    optional TypeProto value_type = 2;
  }
  message Optional {
    optional TypeProto elem_type = 1;
  }
  message SparseTensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  message Opaque {
    optional string domain = 1;
    optional string name = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
    Sequence sequence_type = 4;
    Map map_type = 5;
    Optional optional_type = 9;
    SparseTensor sparse_tensor_type = 8;
    Opaque opaque_type = 7;
  }
  optional string denotation = 6;
}

message SequenceProto {
  optional string name = 1;
  optional int32 elem_type = 2;
  repeated TensorProto tensor_values = 3;
  repeated SparseTensorProto sparse_tensor_values = 4;
  repeated SequenceProto sequence_values = 5;
  repeated MapProto map_values = 6;
  repeated OptionalProto optional_values = 7;
}

message MapProto {
  optional string name = 1;
  optional int32 key_type = 2;
  repeated int64 keys = 3;
  repeated bytes string_keys = 4;
  optional SequenceProto values = 5;
}

message OptionalProto {
  optional string name = 1;
  optional int32 elem_type = 2;
  optional TensorProto tensor_value = 3;
  optional SparseTensorProto sparse_tensor_value = 4;
  optional SequenceProto sequence_value = 5;
  optional MapProto map_value = 6;
  optional OptionalProto optional_value = 7;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message FunctionProto {
  optional string name = 1;
  repeated string input = 4;
  repeated string output = 5;
  repeated string attribute = 6;
  repeated AttributeProto attribute_proto = 11;
  repeated NodeProto node = 7;
  optional string doc_string = 8;
  repeated OperatorSetIdProto opset_import = 9;
  optional string domain = 10;
  optional string overload = 13;
  repeated ValueInfoProto value_info = 12;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

/** The compiled schema (field names camelCased by protobufjs: `raw_data` → `rawData`). */
export const onnxRoot: protobuf.Root = protobuf.parse(SCHEMA, { keepCase: false }).root;

/** Reflection type of onnx.ModelProto. */
export const ModelProtoType: protobuf.Type = onnxRoot.lookupType("onnx.ModelProto");
/** Reflection type of onnx.TensorProto (the node-test `.pb` files). */
export const TensorProtoType: protobuf.Type = onnxRoot.lookupType("onnx.TensorProto");
/** Reflection type of onnx.TypeProto (kept encoded for non-tensor types). */
export const TypeProtoType: protobuf.Type = onnxRoot.lookupType("onnx.TypeProto");
/** Reflection type of onnx.SequenceProto (sequence values in test data files). */
export const SequenceProtoType: protobuf.Type = onnxRoot.lookupType("onnx.SequenceProto");
/** Reflection type of onnx.OptionalProto (optional values in test data files). */
export const OptionalProtoType: protobuf.Type = onnxRoot.lookupType("onnx.OptionalProto");
/** Reflection type of onnx.SparseTensorProto (kept encoded). */
export const SparseTensorProtoType: protobuf.Type = onnxRoot.lookupType("onnx.SparseTensorProto");
/** Reflection type of onnx.TensorAnnotation (kept encoded). */
export const TensorAnnotationType: protobuf.Type = onnxRoot.lookupType("onnx.TensorAnnotation");
/** Reflection type of onnx.FunctionProto (kept encoded). */
export const FunctionProtoType: protobuf.Type = onnxRoot.lookupType("onnx.FunctionProto");
/** Reflection type of onnx.TrainingInfoProto (kept encoded). */
export const TrainingInfoProtoType: protobuf.Type = onnxRoot.lookupType("onnx.TrainingInfoProto");

/** AttributeProto.AttributeType codes. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
  SPARSE_TENSOR: 11,
  SPARSE_TENSORS: 12,
  TYPE_PROTO: 13,
  TYPE_PROTOS: 14,
} as const;

/** TensorProto.DataLocation: the value for data stored in another file. */
export const DATA_LOCATION_EXTERNAL = 1;

/** Decode `bytes` with reflection type `type`, typed as message shape `T`. */
export function decodeAs<T extends object>(type: protobuf.Type, bytes: Uint8Array): T {
  const msg: object = type.decode(bytes);
  return msg as T;
}

/** Encode a plain message object with reflection type `type`. */
export function encodeMsg(type: protobuf.Type, msg: object): Uint8Array {
  const out = type.encode(msg).finish();
  // A plain view, so callers never get Node Buffer semantics (e.g. slice() without copy).
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** A 64-bit protobuf integer as an exact bigint (signed unless `unsigned`). */
export function int64ToBigInt(v: Int64 | undefined, unsigned = false): bigint {
  if (v === undefined) return 0n;
  if (typeof v === "number") return unsigned ? BigInt.asUintN(64, BigInt(v)) : BigInt(v);
  const bits = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return unsigned ? bits : BigInt.asIntN(64, bits);
}

/** A 64-bit protobuf integer as a number (nearest double beyond 2^53). */
export function int64ToNumber(v: Int64 | undefined, unsigned = false): number {
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  const high = unsigned || v.unsigned ? v.high >>> 0 : v.high | 0;
  return high * 4294967296 + (v.low >>> 0);
}

/** A number as a signed 64-bit protobuf integer, saturating to the int64 range. */
export function numberToInt64(v: number): Int64 {
  if (Number.isNaN(v)) return 0;
  if (v >= 2 ** 63) return bigIntToInt64(2n ** 63n - 1n);
  if (v <= -(2 ** 63)) return bigIntToInt64(-(2n ** 63n));
  return bigIntToInt64(BigInt(Math.trunc(v)));
}

/** A bigint as a 64-bit protobuf integer (two's complement bits). */
export function bigIntToInt64(v: bigint, unsigned = false): Int64 {
  const bits = BigInt.asUintN(64, v);
  return {
    low: Number(bits & 0xffffffffn) | 0,
    high: Number(bits >> 32n) | 0,
    unsigned,
  };
}
