/**
 * Named predicates of the AXera operator lists (spec `ops-axera.md` §4) for constraints that
 * are not one attribute value. Each returns undefined when the node is fine, else what was
 * found and what the chip expects (the evaluator prefixes the node and chip).
 *
 * @module
 */
import type { CheckRule } from "../rules/rule.ts";
import { type DType, DTYPES } from "../../core/ir/dtype.ts";
import type { TypedOp } from "../../core/ops/op.ts";
import { averagePool } from "../../core/ops/nn/pool.ts";
import { cast } from "../../core/ops/elementwise/cast.ts";
import { convTranspose } from "../../core/ops/nn/conv_transpose.ts";
import { gemmOp } from "../../core/ops/nn/matmul.ts";
import { lstm } from "../../core/ops/rnn/lstm.ts";
import { ACTIVATION_NAMES } from "../../core/ops/rnn/activations.ts";
import { resize } from "../../core/ops/image/resize.ts";
import { roiAlign } from "../../core/ops/image/roi_align.ts";
import { isKnown, rankOf, scalarValue, showDims, withAttrs, withReader } from "../rules/checks.ts";

/**
 * AveragePool `count_include_pad: 1 only`. The ONNX default is 0. ⚠ The flag only changes
 * results where a window covers padding, so it is checked only when pads are non-zero,
 * auto_pad pads, or ceil_mode can extend the last window.
 */
export const avgPoolCountIncludePad: CheckRule = {
  kind: "check",
  id: "avgpool-count-include-pad",
  status: "only",
  test: withAttrs(averagePool, (a, node) => {
    if (a.countIncludePad) return undefined;
    const pads = a.pads ?? [];
    const padded = pads.some((p) => p !== 0) || a.autoPad !== "NOTSET" || a.ceilMode;
    if (!padded) return undefined;
    const shown = node.attrs.has("count_include_pad") ? "0" : "0 (ONNX default)";
    return {
      found: `count_include_pad is ${shown} with padding (pads [${pads.join(", ")}])`,
      expected: "supports count_include_pad 1 only",
    };
  }),
};

/** The element types the `Cast.to` list names, in its order. */
const CAST_TARGETS: readonly DType[] = ["u8", "s8", "u16", "s16", "u32", "s32", "f32"];

/** Cast `to: uint8 / int8 / uint16 / int16 / uint32 / int32 / float32`. */
export const castTo: CheckRule = {
  kind: "check",
  id: "cast-to",
  status: "only",
  test: withAttrs(cast, (a) => {
    if (CAST_TARGETS.includes(a.to)) return undefined;
    return {
      found: `to is ${DTYPES[a.to].label} (${DTYPES[a.to].onnx})`,
      expected: `supports to ${CAST_TARGETS.map((d) => DTYPES[d].label).join(", ")} only`,
    };
  }),
};

/** ConvTranspose: output_padding along each spatial axis <= the end pad of that axis. */
export const convTransposeOutputPadding: CheckRule = {
  kind: "check",
  id: "convtranspose-output-padding",
  status: "only",
  test: withAttrs(convTranspose, (a) => {
    const op = a.outputPadding;
    if (!op || op.every((v) => v === 0)) return undefined;
    const pads = a.pads ?? new Array<number>(op.length * 2).fill(0);
    const s = op.length;
    for (let i = 0; i < s; i++) {
      const end = pads[s + i] ?? 0;
      if (op[i] > end) {
        return {
          found: `output_padding[${i}] is ${op[i]} but the end pad pads[${s + i}] is ${end}`,
          expected:
            "supports output_padding <= end pads (output_padding_h <= pads_bottom, _w <= pads_right) only",
        };
      }
    }
    return undefined;
  }),
};

/** Gather: indices 1-D only (for now). */
export const gatherIndices1D: CheckRule = {
  kind: "check",
  id: "gather-indices-1d",
  status: "notYet",
  test(_node, ctx) {
    const rank = ctx.constantInputs[1]?.rank ?? rankOf(ctx.inputTypes[1]);
    if (rank === 1) return undefined;
    if (rank === undefined) {
      return {
        found: "rank of indices is unknown",
        expected: "supports 1-D indices only for now",
        unknown: true,
      };
    }
    return { found: `indices are ${rank}-D`, expected: "supports 1-D indices only for now" };
  },
};

/** Gemm `beta: not yet` — beta must be 1 when input C is given (without C it has no effect). */
export const gemmBeta: CheckRule = {
  kind: "check",
  id: "gemm-beta",
  status: "notYet",
  test: withAttrs(gemmOp, (a, node) => {
    if (!node.inputs[2] || a.beta === 1) return undefined;
    return {
      found: `beta is ${a.beta}`,
      expected: "supports beta 1 only (others not yet supported)",
    };
  }),
};

/**
 * LayerNormalization/LpNormalization `axis: -1 (last dim) only`; ONNX default is -1.
 * `op` is the operator whose parser reads the axis.
 */
export function lastAxisOnly(id: string, op: TypedOp<{ readonly axis: number }>): CheckRule {
  return {
    kind: "check",
    id,
    status: "notYet",
    test: withAttrs(op, ({ axis }, _node, ctx) => {
      if (axis === -1) return undefined;
      const rank = rankOf(ctx.inputTypes[0]);
      if (rank !== undefined && axis === rank - 1) return undefined;
      return {
        found: `axis is ${axis}${
          rank === undefined ? " and the input rank is unknown" : ` on a ${rank}-D input`
        }`,
        expected: "supports axis -1 (last dim) only for now",
        unknown: rank === undefined && axis >= 0,
      };
    }),
  };
}

/** LSTM `activations: not yet` — absent, or exactly the ONNX default (Sigmoid, Tanh, Tanh per direction). */
export const lstmActivations: CheckRule = {
  kind: "check",
  id: "lstm-activations",
  status: "notYet",
  test: withAttrs(lstm, (a) => {
    const isDefault = a.acts.every((dir) =>
      dir.length === 3 && dir[0].kind === "sigmoid" && dir[1].kind === "tanh" &&
      dir[2].kind === "tanh"
    );
    if (isDefault) return undefined;
    const shown = a.acts.flat().map((f) => ACTIVATION_NAMES[f.kind]);
    return {
      found: `activations is [${shown.join(", ")}]`,
      expected: "supports only the default activations (Sigmoid, Tanh, Tanh) for now",
    };
  }),
};

/** Pow: exponent must be a scalar initializer; no element-wise (tensor) exponent. */
export const powScalarExponent: CheckRule = {
  kind: "check",
  id: "pow-scalar-exponent",
  status: "only",
  test(node, ctx) {
    const e = ctx.constantInputs[1];
    if (!e) {
      return {
        found: `exponent "${node.inputs[1] ?? ""}" is not a constant`,
        expected: "supports a scalar initializer exponent only",
      };
    }
    if (scalarValue(e) !== undefined) return undefined;
    return {
      found: `exponent has shape ${showDims(e.shape)}`,
      expected: "supports a scalar initializer exponent only (no element-wise exponent)",
    };
  },
};

/**
 * PRelu: channels at dim 1 for 4-D input; slope shape (C,) or (1, C, 1, 1) only, for now.
 * ⚠ For inputs of other ranks we accept slope (C,) with C = dim 1, as for 4-D.
 */
export const preluSlope: CheckRule = {
  kind: "check",
  id: "prelu-slope-shape",
  status: "notYet",
  test(_node, ctx) {
    const x = ctx.inputTypes[0]?.shape;
    const slope = ctx.constantInputs[1]?.shape ?? ctx.inputTypes[1]?.shape;
    const expected = "supports slope shape (C,) or (1, C, 1, 1) with C = input dim 1 only for now";
    if (!x || !slope || x.length < 2) {
      return { found: "input or slope shape is unknown", expected, unknown: true };
    }
    const c = x[1];
    if (!isKnown(c)) return { found: `input channel dim is ${String(c)}`, expected, unknown: true };
    const okFlat = slope.length === 1 && slope[0] === c;
    const ok4d = x.length === 4 && slope.length === 4 && slope[0] === 1 && slope[1] === c &&
      slope[2] === 1 &&
      slope[3] === 1;
    if (okFlat || ok4d) return undefined;
    return { found: `slope shape is ${showDims(slope)} for input ${showDims(x)}`, expected };
  },
};

/** Resize: nearest_mode round_prefer_ceil only (ONNX default round_prefer_floor; opset >= 11). */
export const resizeNearestMode: CheckRule = {
  kind: "check",
  id: "resize-nearest-mode",
  status: "only",
  test: withAttrs(resize, (a, node, ctx) => {
    if (ctx.opset < 11 || a.mode !== "nearest" || a.nearest === "round_prefer_ceil") {
      return undefined;
    }
    const dflt = node.attrs.has("nearest_mode") ? "" : " (ONNX default)";
    return {
      found: `nearest_mode is ${a.nearest}${dflt}`,
      expected: "supports nearest_mode round_prefer_ceil only",
    };
  }),
};

/** RoiAlign: sampling_ratio must be non-zero (ONNX default 0 = adaptive). */
export const roiAlignSamplingRatio: CheckRule = {
  kind: "check",
  id: "roialign-sampling-ratio",
  status: "only",
  test: withAttrs(roiAlign, (a, node) => {
    if (a.samplingRatio !== 0) return undefined;
    const dflt = node.attrs.has("sampling_ratio") ? "" : " (ONNX default)";
    return {
      found: `sampling_ratio is 0${dflt}`,
      expected: "supports a non-zero sampling_ratio only",
    };
  }),
};

/**
 * SpatialTransformer (vendor op, no ONNX definition): bilinear interpolation, border mode
 * constant with value 0. ⚠ The attribute names are not documented; we check the usual
 * spellings (`interpolation_mode`/`interpolation`, `border_mode`/`padding_mode`,
 * `border_value`/`constant_value`) when present and accept absent ones. The op has no
 * registry definition, so the IR's typed attribute reader reads them.
 */
export const spatialTransformerModes: CheckRule = {
  kind: "check",
  id: "spatial-transformer-modes",
  status: "only",
  test: withReader((r) => {
    for (const name of ["interpolation_mode", "interpolation"]) {
      const v = r.string(name, "bilinear");
      if (v !== "bilinear") {
        return { found: `${name} is ${v}`, expected: "supports bilinear interpolation only" };
      }
    }
    for (const name of ["border_mode", "padding_mode"]) {
      const v = r.string(name, "constant");
      if (v !== "constant") {
        return { found: `${name} is ${v}`, expected: "supports border mode constant only" };
      }
    }
    for (const name of ["border_value", "constant_value"]) {
      const v = r.float(name, 0);
      if (v !== 0) {
        return { found: `${name} is ${v}`, expected: "supports a constant border of value 0 only" };
      }
    }
    return undefined;
  }),
};
