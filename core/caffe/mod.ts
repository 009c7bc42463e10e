/**
 * The Caffe front-end: a deploy `.prototxt` and its trained `.caffemodel` become an
 * ordinary IR model of standard ONNX operators (opset 13), so the rest of the pipeline
 * does not know it came from Caffe. SSD's DetectionOutput, which has no ONNX equivalent,
 * becomes the CPU operator `ai.axb.caffe::DetectionOutput`.
 *
 * - `caffe_proto.ts`: the schema (from BVLC/caffe's caffe.proto, plus SSD fork layers).
 * - `text_message.ts`, `net.ts`: the prototxt, checked against the schema; inputs;
 *   TEST-phase layers; V1 layers upgraded.
 * - `weights.ts`: the caffemodel's blobs, by layer name.
 * - `convert.ts` + `layers/`: one converter per layer type (the table in
 *   `layers/mod.ts` is the list of supported types); each module documents how Caffe's
 *   semantics map onto ONNX (pooling's ceil rounding and average divisor in `pool.ts`,
 *   BatchNorm's scale factor in `norm.ts`, naming of in-place blobs in `convert.ts`).
 *
 * @example
 * ```ts ignore
 * import { loadCaffeModel } from "./mod.ts";
 * const model = await loadCaffeModel("deploy.prototxt", "net.caffemodel", {
 *   inputShapes: { data: [1, 3, 224, 224] },
 * });
 * ```
 *
 * @module
 */
export {
  type CaffeLoadOptions,
  type CaffeSource,
  decodeCaffeModel,
  loadCaffeModel,
} from "./load.ts";
export { CAFFE_LAYER_TYPES } from "./layers/mod.ts";
