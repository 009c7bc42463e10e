// Entry of the kernel module: everything JavaScript calls. Memory is imported and
// owned by the caller; the kernels never allocate.
export { dotRows, gemmPacked, packA, packedABytes, panelBytes } from "./gemm";
export { conv2d, convWorkBytes } from "./conv";
export { depthwise2d } from "./depthwise";
export { maxPool2d } from "./pool";
export { globalAvgPool } from "./global_pool";
export { binary, clip, relu } from "./eltwise";
export { histogram, minMax } from "./observe";
export {
  accToF64,
  i32ToI16,
  im2colI16,
  packedQABytes,
  packQA,
  qgemm,
  qgemmWorkBytes,
  toI16,
} from "./qgemm";
export { depthwiseI16, depthwiseI16WorkBytes } from "./depthwise_i16";
export {
  dequantize,
  quantize,
  requantNpu,
  requantNpuI32,
  requantQdq,
  requantQdqI32,
  addQdq,
} from "./requant";
export { softmaxRows } from "./softmax";
export { erfF32, geluF32 } from "./erf";
export { layerNorm } from "./layer_norm";
export { packARows } from "./pack_rows";
export { gather32 } from "./gather";
export { codeSimilaritySums, similaritySums } from "./compare";
export { channelCodeStats } from "./channel_codes";
