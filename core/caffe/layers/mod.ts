/**
 * The Caffe layer types axb converts, one converter each. This table is the single list
 * of supported layer types: the converter looks types up here and reports any other type
 * as unsupported.
 *
 * @module
 */
import type { LayerContext } from "./context.ts";
import { absVal, elu, power, prelu, relu, relu6, sigmoid, tanh } from "./activation.ts";
import { convolution, deconvolution } from "./conv.ts";
import { innerProduct } from "./dense.ts";
import { batchNorm, bias, lrn, normalize, scale } from "./norm.ts";
import { pooling } from "./pool.ts";
import { interp, upsample } from "./resize.ts";
import { detectionOutput, priorBox } from "./ssd.ts";
import {
  concat,
  crop,
  dropout,
  eltwise,
  flatten,
  permute,
  reshape,
  slice,
  softmax,
  split,
} from "./structure.ts";

/** Converts one layer; returns the IR value of each top. */
export type LayerConverter = (ctx: LayerContext) => string[];

/** Converter per Caffe layer type (V2 names). */
export const LAYER_CONVERTERS: ReadonlyMap<string, LayerConverter> = new Map([
  ["Convolution", convolution],
  ["Deconvolution", deconvolution],
  ["Pooling", pooling],
  ["InnerProduct", innerProduct],
  ["ReLU", relu],
  ["ReLU6", relu6],
  ["PReLU", prelu],
  ["Sigmoid", sigmoid],
  ["TanH", tanh],
  ["ELU", elu],
  ["AbsVal", absVal],
  ["Power", power],
  ["BatchNorm", batchNorm],
  ["Scale", scale],
  ["Bias", bias],
  ["LRN", lrn],
  ["Normalize", normalize],
  ["Eltwise", eltwise],
  ["Concat", concat],
  ["Slice", slice],
  ["Split", split],
  ["Dropout", dropout],
  ["Flatten", flatten],
  ["Reshape", reshape],
  ["Permute", permute],
  ["Softmax", softmax],
  ["Crop", crop],
  ["Upsample", upsample],
  ["Interp", interp],
  ["PriorBox", priorBox],
  ["DetectionOutput", detectionOutput],
]);

/** Every Caffe layer type the front-end converts (besides `Input`), sorted. */
export const CAFFE_LAYER_TYPES: readonly string[] = [...LAYER_CONVERTERS.keys()].sort();
