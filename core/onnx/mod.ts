/**
 * ONNX I/O: load models and tensor files into the core IR, save the IR back to ONNX.
 *
 * @module
 */
export {
  decodeModel,
  type DecodeModelOptions,
  loadModel,
  loadTensorFile,
  loadValueFile,
} from "./load.ts";
export { decodeValueProto } from "./value_proto.ts";
export { decodeTensorProto, tensorFromProto, tensorToProto } from "./tensor_proto.ts";
export { encodeModel, saveModel, type SaveModelOptions } from "./save.ts";
export { graphDifference, modelDifference, tensorDifference } from "./ir_equal.ts";
