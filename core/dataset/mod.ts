/**
 * Calibration datasets: archives (tar, tar.gz, zip, directories), image decoding and
 * pre-processing, `.npy` / raw / NumpyObject files, and {@linkcode loadCalibrationSet}, which
 * turns `quant.input_configs` into per-sample model feeds.
 *
 * @module
 */
export {
  checkMemberPath,
  datasetDirFor,
  type DatasetFile,
  type DatasetSource,
  type DatasetSourceKind,
  extractDataset,
  openDataset,
  type OpenDatasetOptions,
  type SkippedLink,
} from "./archive.ts";
export { type ArchiveLimits, calibrationLimits, DEFAULT_ARCHIVE_LIMITS } from "./limits.ts";
export { decodeImage, type ImageKind, type RgbImage, sniffImage } from "./image.ts";
export { type ChannelOrder, type ImagePlan, imageToTensor, planImage } from "./image_tensor.ts";
export { resizeBilinear } from "./resize.ts";
export { decodeNumpyObject } from "./numpy_object.ts";
export {
  type CalibrationSet,
  type CalibrationSourceInfo,
  extractCalibrationSet,
  fileStem,
  type LoadCalibrationOptions,
  loadCalibrationSet,
  type PendingExtraction,
} from "./load_calibration.ts";
export { type ProgressBar, progressBar, type ProgressOptions } from "../util/progress.ts";
