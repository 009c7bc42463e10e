/**
 * The constraint rows of the AXera NPU operator lists (spec `ops-axera.md` §4), written once
 * in the rule vocabulary of `../rules/rule.ts` and shared by the per-chip tables
 * (`ops_ax650.ts`, `ops_ax620e.ts`, `ops_ax615.ts`, `ops_m57.ts`). §5.4 states these rows
 * are identical on every chip that lists the op, except DepthToSpace (DCR-only on
 * AX620E/AX615) and AX615's "SMALL SIZES ONLY".
 *
 * When an attribute is absent its ONNX default applies (`default` in a rule), so e.g. an
 * AveragePool without `count_include_pad` has the value 0.
 *
 * Within a row the declarative attribute rules come before the predicates: predicates
 * read the node through its operator's parser, which refuses malformed values (LSTM
 * `layout` 2, LpNormalization `p` 3) that the declarative rules name more precisely.
 *
 * @module
 */
import type { CheckRule, OpRow, Rule } from "../rules/rule.ts";
import { FREE } from "../rules/rule.ts";
import { layerNormalization } from "../../core/ops/nn/norm.ts";
import { lpNormalization } from "../../core/ops/nn/norm_misc.ts";
import {
  avgPoolCountIncludePad,
  castTo,
  convTransposeOutputPadding,
  gatherIndices1D,
  gemmBeta,
  lastAxisOnly,
  lstmActivations,
  powScalarExponent,
  preluSlope,
  resizeNearestMode,
  roiAlignSamplingRatio,
  spatialTransformerModes,
} from "./checks.ts";

const NOTSET_ONLY: Rule = {
  kind: "oneOf",
  attr: "auto_pad",
  values: ["NOTSET"],
  default: "NOTSET",
  status: "only",
};

/** ArgMax/ArgMin: axis, keepdims free; select_last_index 0 only. */
export const ARG_MIN_MAX: OpRow = {
  rules: [{ kind: "oneOf", attr: "select_last_index", values: [0], default: 0, status: "only" }],
};

/** AveragePool: auto_pad NOTSET only; count_include_pad 1 only (⚠ only checked where padding exists). */
export const AVERAGE_POOL: OpRow = { rules: [NOTSET_ONLY, avgPoolCountIncludePad] };

/** BatchNormalization: epsilon free; momentum NOT supported (a training-only value); training_mode NOT supported. */
export const BATCH_NORMALIZATION: OpRow = {
  rules: [
    {
      kind: "ignored",
      attr: "momentum",
      note: "momentum only updates running statistics during training; exporters always write it " +
        "(⚠ our reading of 'NOT supported': the NPU does not train, inference ignores it)",
    },
    { kind: "oneOf", attr: "training_mode", values: [0], default: 0, status: "notSupported" },
  ],
};

/** Cast: to uint8 / int8 / uint16 / int16 / uint32 / int32 / float32. */
export const CAST: OpRow = { rules: [castTo] };

/** Conv: auto_pad NOTSET only; dilations, group, kernel_shape, pads, strides free. */
export const CONV: OpRow = {
  rules: [NOTSET_ONLY],
  note: "depthwise/group conv with dilation != 1 is slow",
};

/**
 * ConvTranspose: auto_pad NOTSET only; dilations 1 only (for now); output_shape not yet;
 * output_padding_h <= pads_bottom and output_padding_w <= pads_right.
 */
export const CONV_TRANSPOSE: OpRow = {
  rules: [
    NOTSET_ONLY,
    { kind: "each", attr: "dilations", values: [1], status: "notYet" },
    { kind: "absent", attr: "output_shape", status: "notYet" },
    convTransposeOutputPadding,
  ],
  note: "depthwise ConvTranspose is slow",
};

/** CumSum: exclusive 0 only (for now); reverse 0 only (for now). */
export const CUMSUM: OpRow = {
  rules: [
    { kind: "oneOf", attr: "exclusive", values: [0], default: 0, status: "notYet" },
    { kind: "oneOf", attr: "reverse", values: [0], default: 0, status: "notYet" },
  ],
};

/** DepthToSpace on AX650/M76H/M57/AX637: blocksize, mode free. */
export const DEPTH_TO_SPACE_ANY_MODE: OpRow = FREE;

/** DepthToSpace on AX620E/AX615: mode DCR only (for now). */
export const DEPTH_TO_SPACE_DCR: OpRow = {
  rules: [{ kind: "oneOf", attr: "mode", values: ["DCR"], default: "DCR", status: "notYet" }],
};

/** Gather: axis free; indices 1-D only (for now). */
export const GATHER: OpRow = { rules: [gatherIndices1D] };

/** Gemm: alpha, beta not yet (must be 1); transA, transB free. */
export const GEMM: OpRow = {
  rules: [{ kind: "oneOf", attr: "alpha", values: [1], default: 1, status: "notYet" }, gemmBeta],
};

/** InstanceNormalization: epsilon free. */
export const INSTANCE_NORMALIZATION: OpRow = FREE;

/** LayerNormalization: axis -1 (last dim) only, for now. */
export const LAYER_NORMALIZATION: OpRow = {
  rules: [lastAxisOnly("layer-norm-axis", layerNormalization)],
};

/** LpNormalization: axis -1 only, for now; p 1 or 2 only. */
export const LP_NORMALIZATION: OpRow = {
  rules: [
    { kind: "oneOf", attr: "p", values: [1, 2], default: 2, status: "only" },
    lastAxisOnly("lp-norm-axis", lpNormalization),
  ],
};

/**
 * LSTM: activation_alpha, activation_beta, activations, clip, input_forget, P not yet;
 * layout 0 only; sequence_lens NOT supported; direction forward / reverse / bidirectional.
 */
export const LSTM: OpRow = {
  rules: [
    { kind: "absent", attr: "activation_alpha", status: "notYet" },
    { kind: "absent", attr: "activation_beta", status: "notYet" },
    { kind: "absent", attr: "clip", status: "notYet" },
    { kind: "oneOf", attr: "input_forget", values: [0], default: 0, status: "notYet" },
    { kind: "noInput", index: 7, name: "P", status: "notYet" },
    { kind: "oneOf", attr: "layout", values: [0], default: 0, status: "only" },
    { kind: "noInput", index: 4, name: "sequence_lens", status: "notSupported" },
    {
      kind: "oneOf",
      attr: "direction",
      values: ["forward", "reverse", "bidirectional"],
      default: "forward",
      status: "only",
    },
    lstmActivations,
  ],
};

/** MaxPool: auto_pad NOTSET only; dilations 1 only; storage_order 0 only. */
export const MAX_POOL: OpRow = {
  rules: [
    NOTSET_ONLY,
    { kind: "each", attr: "dilations", values: [1], status: "only" },
    { kind: "oneOf", attr: "storage_order", values: [0], default: 0, status: "only" },
  ],
};

/** Pad: pads, constant_value free; mode constant only; axes (input 3) not yet. */
export const PAD: OpRow = {
  rules: [
    { kind: "oneOf", attr: "mode", values: ["constant"], default: "constant", status: "only" },
    { kind: "noInput", index: 3, name: "axes", status: "notYet" },
  ],
};

/** Pow: exponent must be a scalar initializer (no element-wise exponent). */
export const POW: OpRow = { rules: [powScalarExponent] };

/** PRelu: 4-D input has channels at dim 1; slope shape (C,) or (1, C, 1, 1) only, for now. */
export const PRELU: OpRow = { rules: [preluSlope] };

/** ReduceL2/Max/Mean/Min/Sum: axes, keepdims free; noop_with_empty_axes not yet. */
export const REDUCE: OpRow = {
  rules: [{
    kind: "oneOf",
    attr: "noop_with_empty_axes",
    values: [0],
    default: 0,
    status: "notYet",
  }],
};

/** Resize: mode nearest or linear; scales free; nearest_mode round_prefer_ceil only. */
export const RESIZE: OpRow = {
  rules: [
    {
      kind: "oneOf",
      attr: "mode",
      values: ["nearest", "linear"],
      default: "nearest",
      status: "only",
    },
    resizeNearestMode,
  ],
};

/** RoiAlign: sampling_ratio must be non-zero. */
export const ROI_ALIGN: OpRow = { rules: [roiAlignSamplingRatio] };

/** SpatialTransformer (vendor op): bilinear interpolation, constant border of value 0. */
export const SPATIAL_TRANSFORMER: OpRow = { rules: [spatialTransformerModes], anyDomain: true };

/** A vendor custom op without restriction, matched in any domain (`InverseSigmoid`, `Bevpool`, …). */
export const CUSTOM_FREE: OpRow = { rules: [], anyDomain: true };

/** TopK, listed by the vendor as `Topk`: no restriction. */
export const TOPK: OpRow = { rules: [], listedAs: "Topk" };

/**
 * AX615's "SMALL SIZES ONLY", which the manual does not quantify. ⚠ Assumed limit: 65,536
 * elements (64 KiB at the default U8 activation) for input 0 and output 0, so a whole
 * tensor fits one core's on-chip buffer without tiling along the normalised axis.
 */
export const AX615_SMALL_SIZE_ELEMENTS = 65_536;

/** `row` plus AX615's assumed size limit. */
export function smallSizesOnly(row: OpRow): OpRow {
  return {
    ...row,
    rules: [
      ...row.rules,
      {
        kind: "maxElements",
        maxElements: AX615_SMALL_SIZE_ELEMENTS,
        assumed: true,
        why: "ops-axera.md §2: 'SMALL SIZES ONLY' is not quantified; 64 Ki elements = 64 KiB at U8",
      },
    ],
  };
}

/** Every predicate used above, by id (for docs and tests). */
export const AXERA_CHECKS: readonly CheckRule[] = [
  avgPoolCountIncludePad,
  castTo,
  convTransposeOutputPadding,
  gatherIndices1D,
  gemmBeta,
  lstmActivations,
  powScalarExponent,
  preluSlope,
  resizeNearestMode,
  roiAlignSamplingRatio,
  spatialTransformerModes,
];
