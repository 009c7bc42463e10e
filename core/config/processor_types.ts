/**
 * The processor messages of the effective `BuildConfig` (spec `pulsar2-build.md` §4.6–§4.8):
 * input pre-processing, output post-processing, constant and operator patches.
 *
 * @module
 */
import type { ColorSpace, CscMode, DataType, Layout } from "./enums.ts";
import type { JsonValue } from "./json_value.ts";

/** `Shape` message. */
export interface ShapeConfig {
  /** Dimension sizes. */
  shape: number[];
}

/** `InputProcessor` (§4.6). */
export interface InputProcessor {
  /** Model input name, or `DEFAULT` for every input. */
  tensor_name: string;
  /** Colour order the original model expects. */
  tensor_format: ColorSpace;
  /** Layout the original model expects (`NCHW` or `NHWC`). */
  tensor_layout: Layout;
  /** Colour format the compiled model is fed at runtime. */
  src_format: ColorSpace;
  /** Layout fed at runtime; forced to `NHWC` for YUV/YVU formats. */
  src_layout: Layout;
  /** Data type fed at runtime. */
  src_dtype: DataType;
  /** Extra input shapes to compile (one group each); every input lists the same number. */
  src_extra_shapes: ShapeConfig[];
  /** Colour-space conversion: `NoCSC`, `Matrix`, `FullRange` or `LimitedRange`. */
  csc_mode: CscMode;
  /** 3×4 conversion matrix, row-major (12 numbers), used with `Matrix` only. */
  csc_mat: number[];
  /** Effective: the matching input config's `calibration_mean` when the file omits it. */
  mean: number[];
  /** Effective: the matching input config's `calibration_std` when the file omits it. */
  std: number[];
  /** Start/end pad amounts per axis; empty = no padding. */
  padding: number[];
  /** Padding mode; only `constant` is supported. */
  padding_mode: string;
  /** Value written into padded elements. */
  padding_constant_value: number;
  /** Start/end slice amounts per axis; empty = no slicing. */
  slicing: number[];
}

/** `OutputProcessor` (§4.7). */
export interface OutputProcessor {
  /** Model output name, or `DEFAULT` for every output. */
  tensor_name: string;
  /** Output layout (in the proto, undocumented by the vendor). */
  tensor_layout: Layout;
  /** Permutation applied to the output, e.g. `[0, 2, 3, 1]` for NCHW → NHWC. */
  dst_perm: number[];
  /** Data type of the output: `FP32` or `U8`. */
  output_dtype: DataType;
}

/** `ConstProcessor` (§4.8). */
export interface ConstProcessor {
  /** Name of the constant tensor to replace. */
  name: string;
  /** New values of the tensor. */
  data: number[];
  /** File with the new values (`.bin`, `.npy` or `.txt`), read when `data` is empty. */
  data_path: string;
}

/** `OpProcessor` (§4.8), used by `op_processors` and `quant_op_processors`. */
export interface OpProcessor {
  /** Name of the operator to patch. */
  op_name: string;
  /** Attribute name → new value. */
  attrs: { [key: string]: JsonValue };
}
