/**
 * TypeScript shapes of decoded ONNX protobuf messages (field names camelCased by
 * protobufjs). Every field is optional: decoders fill defaults, encoders skip absent ones.
 *
 * @module
 */

/** A 64-bit integer as protobufjs yields it (a `Long`) or accepts it on encode. */
export type Int64 = number | { low: number; high: number; unsigned: boolean };

/** StringStringEntryProto. */
export interface StringStringEntryMsg {
  key?: string;
  value?: string;
}

/** OperatorSetIdProto. */
export interface OperatorSetIdMsg {
  domain?: string;
  version?: Int64;
}

/** TensorProto (dense tensor, possibly with external data). */
export interface TensorMsg {
  dims?: Int64[];
  dataType?: number;
  segment?: { begin?: Int64; end?: Int64 } | null;
  floatData?: number[];
  int32Data?: number[];
  stringData?: Uint8Array[];
  int64Data?: Int64[];
  name?: string;
  docString?: string;
  rawData?: Uint8Array;
  externalData?: StringStringEntryMsg[];
  dataLocation?: number;
  doubleData?: number[];
  uint64Data?: Int64[];
  metadataProps?: StringStringEntryMsg[];
}

/** TensorShapeProto.Dimension. */
export interface DimensionMsg {
  dimValue?: Int64;
  dimParam?: string;
  denotation?: string;
}

/** TypeProto. Only the tensor variant is read field by field; others stay opaque. */
export interface TypeMsg {
  tensorType?: { elemType?: number; shape?: { dim?: DimensionMsg[] } | null } | null;
  sequenceType?: { elemType?: TypeMsg | null } | null;
  mapType?: object | null;
  optionalType?: { elemType?: TypeMsg | null } | null;
  sparseTensorType?: object | null;
  opaqueType?: object | null;
  denotation?: string;
}

/** ValueInfoProto. */
export interface ValueInfoMsg {
  name?: string;
  type?: TypeMsg | null;
  docString?: string;
  metadataProps?: StringStringEntryMsg[];
}

/** AttributeProto. */
export interface AttributeMsg {
  name?: string;
  refAttrName?: string;
  docString?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorMsg | null;
  g?: GraphMsg | null;
  sparseTensor?: object | null;
  tp?: TypeMsg | null;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorMsg[];
  graphs?: GraphMsg[];
  sparseTensors?: object[];
  typeProtos?: TypeMsg[];
}

/** NodeProto. */
export interface NodeMsg {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  overload?: string;
  attribute?: AttributeMsg[];
  docString?: string;
  metadataProps?: StringStringEntryMsg[];
}

/** GraphProto. */
export interface GraphMsg {
  node?: NodeMsg[];
  name?: string;
  initializer?: TensorMsg[];
  sparseInitializer?: object[];
  docString?: string;
  input?: ValueInfoMsg[];
  output?: ValueInfoMsg[];
  valueInfo?: ValueInfoMsg[];
  quantizationAnnotation?: object[];
  metadataProps?: StringStringEntryMsg[];
}

/** ModelProto. */
export interface ModelMsg {
  irVersion?: Int64;
  opsetImport?: OperatorSetIdMsg[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: Int64;
  docString?: string;
  graph?: GraphMsg | null;
  metadataProps?: StringStringEntryMsg[];
  trainingInfo?: object[];
  functions?: object[];
}

/** SequenceProto (test data of sequence-typed values). */
export interface SequenceMsg {
  name?: string;
  elemType?: number;
  tensorValues?: TensorMsg[];
  sparseTensorValues?: object[];
  sequenceValues?: SequenceMsg[];
  mapValues?: object[];
  optionalValues?: OptionalMsg[];
}

/** OptionalProto (test data of optional-typed values). */
export interface OptionalMsg {
  name?: string;
  elemType?: number;
  tensorValue?: TensorMsg | null;
  sparseTensorValue?: object | null;
  sequenceValue?: SequenceMsg | null;
  mapValue?: object | null;
  optionalValue?: OptionalMsg | null;
}
