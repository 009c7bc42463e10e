/**
 * Load ONNX models and tensor files into the core IR.
 *
 * Decoding runs protobufjs on a Uint8Array, so `bytes` fields are views of the file
 * buffer and initializers become typed-array views of it (one copy only when a tensor's
 * raw data is misaligned). External data files are read once each.
 *
 * @module
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { ModelFormatError } from "../errors/mod.ts";
import {
  decodeAs,
  encodeMsg,
  FunctionProtoType,
  int64ToNumber,
  type ModelMsg,
  ModelProtoType,
  TrainingInfoProtoType,
} from "./onnx_proto.ts";
import { decodeTensorProto, errorText, type TensorContext } from "./tensor_proto.ts";
import { normalizeDomain } from "../ir/opset.ts";
import type { ValueType } from "../ir/types.ts";
import type { Value } from "../ir/value.ts";
import { decodeValueProto } from "./value_proto.ts";
import { entriesToMap, graphFromProto } from "./decode_graph.ts";
import {
  checkIrVersion,
  checkOpsetImport,
  validateModel,
  type ValidateOptions,
} from "./validate.ts";
import { fsFailure } from "../errors/fs.ts";

/** Options of {@linkcode decodeModel}. */
export interface DecodeModelOptions extends ValidateOptions {
  /** The model file, for error text. */
  path?: string;
  /** Directory that external data locations are relative to (default: dirname of path). */
  baseDir?: string;
}

/**
 * Read and decode an ONNX model file.
 *
 * @param path the `.onnx` file
 * @param opts what the validator accepts beyond the default ({@linkcode ValidateOptions})
 * @returns the model as IR, checked by {@linkcode validateModel}
 * @throws {ModelFormatError} when the file cannot be read, is truncated, is not an ONNX
 * ModelProto, or holds a tensor axb cannot represent
 * @throws {GraphError} when the graph is not valid (see {@linkcode validateModel})
 * @throws {LimitError} when an input is over the tensor size limit
 */
export async function loadModel(path: string, opts: ValidateOptions = {}): Promise<Model> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new ModelFormatError(`Cannot read model "${path}": ${fsFailure(e, path)}`, {
      cause: e,
    });
  }
  return decodeModel(bytes, { ...opts, path });
}

/**
 * Read one serialized TensorProto file (`input_0.pb` in the ONNX node tests).
 *
 * @param path the `.pb` file
 * @returns the tensor
 * @throws {ModelFormatError} when the file cannot be read or decoded
 */
export async function loadTensorFile(path: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new ModelFormatError(`Cannot read tensor file "${path}": ${fsFailure(e, path)}`, {
      cause: e,
    });
  }
  return decodeTensorProto(bytes, path);
}

/**
 * Read one serialized value file: a TensorProto, or a SequenceProto/OptionalProto when
 * `type` (the declared type of the value it feeds or checks) is a sequence or optional.
 *
 * @param path the `.pb` file
 * @param type the declared type of the value
 * @returns the value
 * @throws {ModelFormatError} when the file cannot be read or decoded as that kind
 */
export async function loadValueFile(path: string, type: ValueType | undefined): Promise<Value> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new ModelFormatError(`Cannot read value file "${path}": ${errorText(e)}`, {
      cause: e,
    });
  }
  return decodeValueProto(bytes, type, path);
}

/**
 * Decode a serialized ModelProto into the IR.
 *
 * @param bytes the model bytes (initializers may view this buffer afterwards)
 * @param opts file path for messages, base directory for external data, validator options
 * @returns the model, checked by {@linkcode validateModel}
 * @throws {ModelFormatError} one line naming the file and the problem
 * @throws {GraphError} when the graph is not valid (see {@linkcode validateModel})
 * @throws {LimitError} when an input is over the tensor size limit
 */
export function decodeModel(bytes: Uint8Array, opts: DecodeModelOptions = {}): Model {
  const file = opts.path ?? "<bytes>";
  const where = `Cannot read model "${file}"`;
  let msg: ModelMsg;
  try {
    msg = decodeAs<ModelMsg>(ModelProtoType, bytes);
  } catch (e) {
    throw new ModelFormatError(
      `${where}: file is truncated or not an ONNX ModelProto (protobuf: ${errorText(e)})`,
    );
  }
  const irVersion = int64ToNumber(msg.irVersion);
  const invalid = `Invalid model "${file}"`;
  if (!msg.graph) {
    throw new ModelFormatError(
      bytes.length === 0 ? `${where}: file is empty` : `${where}: file is truncated or not an ` +
        `ONNX ModelProto (no graph found, ir_version ${irVersion})`,
    );
  }
  if (irVersion >= 3 && !msg.opsetImport?.length) {
    throw new ModelFormatError(
      `${where}: file is truncated or not an ONNX ModelProto (ir_version ${irVersion} ` +
        `but no opset_import)`,
    );
  }
  checkIrVersion(irVersion, invalid);
  const baseDir = opts.baseDir ?? (opts.path !== undefined ? dirname(opts.path) : undefined);
  const ctx: TensorContext = { where, external: externalReader(where, baseDir) };
  const opsetImports = new Map<string, number>();
  for (const o of msg.opsetImport ?? []) {
    const domain = normalizeDomain(o.domain ?? "");
    const version = int64ToNumber(o.version);
    checkOpsetImport(domain, version, invalid);
    opsetImports.set(domain, Math.max(version, opsetImports.get(domain) ?? 0));
  }
  const model: Model = {
    irVersion,
    opsetImports,
    producerName: msg.producerName ?? "",
    producerVersion: msg.producerVersion ?? "",
    domain: msg.domain ?? "",
    modelVersion: int64ToNumber(msg.modelVersion),
    docString: msg.docString ?? "",
    metadataProps: entriesToMap(msg.metadataProps),
    graph: graphFromProto(msg.graph, ctx),
    opaque: {
      functions: (msg.functions ?? []).map((f) => encodeMsg(FunctionProtoType, f)),
      trainingInfo: (msg.trainingInfo ?? []).map((t) => encodeMsg(TrainingInfoProtoType, t)),
    },
  };
  validateModel(model, invalid, opts);
  return model;
}

/** A reader of external tensor data below `baseDir`, caching each file. */
function externalReader(where: string, baseDir: string | undefined): TensorContext["external"] {
  const files = new Map<string, Uint8Array>();
  return (entries, tensorName) => {
    const what = `tensor "${tensorName}"`;
    const location = entries.get("location");
    if (!location) {
      throw new ModelFormatError(`${where}: ${what} has external data without a location`);
    }
    if (baseDir === undefined) {
      throw new ModelFormatError(
        `${where}: ${what} has external data "${location}" but the model directory is unknown`,
      );
    }
    const root = resolve(baseDir);
    const full = resolve(root, location);
    const rel = relative(root, full);
    if (isAbsolute(location) || rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
      throw new ModelFormatError(
        `${where}: ${what} has external data location "${location}", which is outside the ` +
          `model directory "${root}"`,
      );
    }
    let data = files.get(full);
    if (!data) {
      try {
        // A device or a fifo (/dev/zero behind a link) would be read forever.
        if (!Deno.statSync(full).isFile) {
          throw new ModelFormatError(
            `${where}: ${what} has external data "${location}", which is not a regular file`,
          );
        }
        data = Deno.readFileSync(full);
      } catch (e) {
        if (e instanceof ModelFormatError) throw e;
        throw new ModelFormatError(
          `${where}: ${what} has external data "${location}" that ${fsFailure(e, full)}`,
        );
      }
      files.set(full, data);
    }
    const offset = parseCount(entries.get("offset"), 0, `${what} external offset`, where);
    const length = parseCount(
      entries.get("length"),
      data.length - offset,
      `${what} external length`,
      where,
    );
    if (offset + length > data.length || length < 0) {
      throw new ModelFormatError(
        `${where}: ${what} reads bytes ${offset}..${offset + length} of "${location}", ` +
          `which has ${data.length} bytes`,
      );
    }
    return data.subarray(offset, offset + length);
  };
}

function parseCount(s: string | undefined, fallback: number, what: string, where: string) {
  if (s === undefined || s === "") return fallback;
  if (!/^\d+$/.test(s)) {
    throw new ModelFormatError(`${where}: ${what} is "${s}", expected a non-negative integer`);
  }
  return Number(s);
}
