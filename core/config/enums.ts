/**
 * Enum tables of the pulsar2 `BuildConfig` (spec `pulsar2-build.md` §4.1): each value name,
 * spelt as the vendor writes it, mapped to its proto number, and the name unions derived
 * from them. Re-exported by `build_config.ts`.
 *
 * Targets are not here: `target_hardware` names, aliases, numbers and NPU modes are facts of
 * the targets in the `TargetRegistry` (see `targets.ts`).
 *
 * @module
 */

/**
 * `common.NPUMode` proto numbers, so a config may write `npu_mode: 1` for `NPU2`. Which mode
 * names a target accepts is its own `npuModes`.
 */
export const NPU_MODE: Readonly<Record<string, number>> = { NPU1: 0, NPU2: 1, NPU3: 2 };

/** `pulsar2.build.ModelType`. */
export const MODEL_TYPE = {
  ONNX: 0,
  QuantAxModel: 1,
  QuantONNX: 3,
  OptimizedQuantAxModel: 4,
} as const;
/** Kind of model given to `--input`. */
export type ModelType = keyof typeof MODEL_TYPE;

/** `common.ColorSpace`. */
export const COLOR_SPACE = {
  AutoColorSpace: 0,
  GRAY: 1,
  BGR: 2,
  RGB: 3,
  RGBA: 4,
  YUV420SP: 6,
  YVU420SP: 7,
  YUYV422: 8,
  UYVY422: 9,
  RAW: 10,
} as const;
/** Colour space of an image tensor. */
export type ColorSpace = keyof typeof COLOR_SPACE;

/** `common.Layout`. */
export const LAYOUT = { DefaultLayout: 0, NHWC: 1, NCHW: 2 } as const;
/** Tensor layout. */
export type Layout = keyof typeof LAYOUT;

/** `common.DataType`. */
export const DATA_TYPE = {
  DefaultDataType: 0,
  U8: 1,
  S8: 2,
  U16: 3,
  S16: 4,
  U32: 5,
  S32: 6,
  U64: 7,
  S64: 8,
  FP16: 9,
  FP32: 10,
  BF16: 11,
} as const;
/** Element type name as pulsar2 writes it. */
export type DataType = keyof typeof DATA_TYPE;

/** `pulsar2.build.QuantMethod`. */
export const QUANT_METHOD = { MinMax: 0, Percentile: 1, MSE: 2, KL: 3 } as const;
/** Calibration observer. */
export type QuantMethod = keyof typeof QUANT_METHOD;

/** `pulsar2.build.PrecisionAnalysisMethod`. */
export const PRECISION_ANALYSIS_METHOD = { PerLayer: 0, EndToEnd: 1 } as const;
/** Precision analysis method. */
export type PrecisionAnalysisMethod = keyof typeof PRECISION_ANALYSIS_METHOD;

/** `pulsar2.build.PrecisionAnalysisMode`. */
export const PRECISION_ANALYSIS_MODE = { Reference: 0, NPUBackend: 1 } as const;
/** Precision analysis executor. */
export type PrecisionAnalysisMode = keyof typeof PRECISION_ANALYSIS_MODE;

/** `pulsar2.build.CheckMode`. */
export const CHECK_MODE = { CheckOutput: 0, CheckPerLayer: 1 } as const;
/** What `compiler.check` compares. */
export type CheckMode = keyof typeof CHECK_MODE;

/** `pulsar2.build.DataFormat`. */
export const DATA_FORMAT = { Image: 0, Numpy: 1, Binary: 2, NumpyObject: 3 } as const;
/** Calibration file format. */
export type DataFormat = keyof typeof DATA_FORMAT;

/** `pulsar2.build.CSCMode`. */
export const CSC_MODE = { NoCSC: 0, Matrix: 1, FullRange: 2, LimitedRange: 3 } as const;
/** Colour-space conversion mode. */
export type CscMode = keyof typeof CSC_MODE;

/** `pulsar2.build.ScheduleStrategy`. */
export const SCHEDULE_STRATEGY = { Tile: 0, Slice: 1 } as const;
/** Scheduler of a compiler group pattern. */
export type ScheduleStrategy = keyof typeof SCHEDULE_STRATEGY;

/** `pulsar2.build.MatchMode`. */
export const MATCH_MODE = { Op: 0, Tensor: 1 } as const;
/** How a compiler group pattern matches. */
export type MatchMode = keyof typeof MATCH_MODE;
