/**
 * What each input of a Horizon conversion looks like at every stage (spec `horizon.md` §6):
 *
 * - the **runtime** data the deployed `.bin`/`.hbm` receives (`input_type_rt`: uint8 image
 *   in `input_layout_rt`, NV12 bytes, or float32 featuremap);
 * - the **intermediate** type the ONNX artifacts start from (§6.3: `RGB_128`, `BGR_128`,
 *   `GRAY_128`, `yuv444_128` — the 8-bit data minus 128 as float32 in the training layout —
 *   or `featuremap`);
 * - the **training** data the float model was trained on (`input_type_train`), reached by
 *   the pre-processing node: `+128`, a colour conversion when the intermediate colour is
 *   not the training colour, then `norm_type` (`(x − mean) · scale`).
 *
 * The colour matrices come from `core/preprocess/csc.ts` (BT.601 full range for `regular`,
 * limited range for `bt601_video`); the training → intermediate direction, which
 * calibration data takes, is the inverse of the same affine map.
 *
 * @module
 */
import type { Dim } from "../../ir/types.ts";
import type { HorizonInput } from "../../config/horizon/types.ts";
import { cscAffine } from "../../preprocess/csc.ts";
import { ConfigError } from "../../errors/mod.ts";

/** The intermediate types of §6.3. */
export type IntermediateType = "RGB_128" | "BGR_128" | "GRAY_128" | "yuv444_128" | "featuremap";

/** A per-pixel affine colour map `out = m · in + b` over 3 channels. */
export interface ColorAffine {
  readonly m: readonly (readonly number[])[];
  readonly b: readonly number[];
}

/** One input, planned. */
export interface HorizonInputPlan {
  /** Model input name. */
  readonly name: string;
  /** Index into `input_parameters` lists (for messages: `input_type_rt`…). */
  readonly index: number;
  readonly config: HorizonInput;
  /** Model input shape in the training layout. */
  readonly shape: readonly number[];
  readonly layoutTrain: "NCHW" | "NHWC";
  /** Channel axis of `shape`. */
  readonly channelAxis: number;
  readonly channels: number;
  readonly intermediate: IntermediateType;
  /** Intermediate colour (0…255 range) → training colour; absent when they are the same. */
  readonly color?: ColorAffine;
  /** Per-channel mean and scale of `norm_type` (0 and 1 where it applies none). */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** True when the model input holds `value − 128` image codes (every type but featuremap). */
  readonly image: boolean;
}

const INTERMEDIATE: Record<HorizonInput["typeRt"], IntermediateType> = {
  nv12: "yuv444_128",
  yuv444: "yuv444_128",
  rgb: "RGB_128",
  bgr: "BGR_128",
  gray: "GRAY_128",
  featuremap: "featuremap",
};

const SWAP_RB: ColorAffine = { m: [[0, 0, 1], [0, 1, 0], [1, 0, 0]], b: [0, 0, 0] };

/** The colour step from the intermediate colour to the training colour. */
function colorStep(inp: HorizonInput, intermediate: IntermediateType): ColorAffine | undefined {
  const train = inp.typeTrain;
  if (intermediate === "yuv444_128" && (train === "rgb" || train === "bgr")) {
    const mode = inp.spaceAndRange === "bt601_video" ? "LimitedRange" : "FullRange";
    const a = cscAffine(mode, train === "rgb" ? "RGB" : "BGR", [], "input_parameters");
    return { m: a.weights, b: a.bias };
  }
  if (
    (intermediate === "RGB_128" && train === "bgr") ||
    (intermediate === "BGR_128" && train === "rgb")
  ) {
    return SWAP_RB;
  }
  return undefined;
}

/** Broadcast one value to `n` channels, or check the count. */
function perChannel(
  values: readonly number[] | undefined,
  n: number,
  fill: number,
  field: string,
): number[] {
  if (!values || values.length === 0) return new Array<number>(n).fill(fill);
  if (values.length === 1) return new Array<number>(n).fill(values[0]);
  if (values.length !== n) {
    throw new ConfigError(
      `input_parameters.${field}: ${values.length} values for an input with ${n} channels; give one value or one per channel`,
      { field: `input_parameters.${field}` },
    );
  }
  return [...values];
}

/**
 * Plan the inputs of `inputs` (config order) against the model's input shapes.
 *
 * @param inputs the zipped per-input YAML parameters
 * @param modelInputs the model's runtime inputs (name, dims) in graph order
 * @throws {ConfigError} naming the field for a shape that does not fit (odd NV12 sides,
 *   an image input without 3 or 1 channels, mean/scale counts)
 */
export function planHorizonInputs(
  inputs: readonly HorizonInput[],
  modelInputs: readonly { name: string; dims: readonly Dim[] }[],
): HorizonInputPlan[] {
  return inputs.map((inp, index) => {
    const model = inp.name === ""
      ? modelInputs[index]
      : modelInputs.find((m) => m.name === inp.name);
    if (!model) {
      throw new ConfigError(
        `input_parameters.input_name: "${inp.name}" is not an input of the model; expected one of ${
          modelInputs.map((m) => m.name).join(", ")
        }`,
        { field: "input_parameters.input_name" },
      );
    }
    const shape = (inp.shape ?? model.dims).map((d) => (typeof d === "number" && d > 0 ? d : 1));
    const layoutTrain = inp.layoutTrain ?? "NCHW";
    const rank4 = shape.length === 4;
    const channelAxis = rank4 ? (layoutTrain === "NHWC" ? 3 : 1) : shape.length - 1;
    const channels = shape[channelAxis] ?? 1;
    const intermediate = INTERMEDIATE[inp.typeRt];
    const image = intermediate !== "featuremap";
    const want = inp.typeTrain === "gray" ? 1 : 3;
    if (image && (!rank4 || channels !== want)) {
      throw new ConfigError(
        `input_parameters.input_type_train: '${inp.typeTrain}' needs a 4-D input with ${want} channel(s) in ${layoutTrain}, but input "${model.name}" has shape ${
          shape.join("x")
        }`,
        { field: "input_parameters.input_type_train" },
      );
    }
    if (inp.typeRt === "nv12") {
      const [h, w] = layoutTrain === "NHWC" ? [shape[1], shape[2]] : [shape[2], shape[3]];
      if (h % 2 !== 0 || w % 2 !== 0) {
        throw new ConfigError(
          `input_parameters.input_type_rt: 'nv12' needs even height and width, but input "${model.name}" is ${h}x${w}`,
          { field: "input_parameters.input_type_rt" },
        );
      }
    }
    const useMean = inp.normType === "data_mean" || inp.normType === "data_mean_and_scale";
    const useScale = inp.normType === "data_scale" || inp.normType === "data_mean_and_scale";
    return {
      name: model.name,
      index,
      config: inp,
      shape,
      layoutTrain,
      channelAxis,
      channels,
      intermediate,
      color: colorStep(inp, intermediate),
      mean: perChannel(useMean ? inp.mean : undefined, channels, 0, "mean_value"),
      scale: perChannel(useScale ? inp.scale : undefined, channels, 1, "scale_value"),
      image,
    };
  });
}

/** Inverse of a 3×3 affine map (training colour → intermediate colour). */
export function invertAffine(a: ColorAffine): ColorAffine {
  const [[p, q, r], [s, t, u], [v, w, x]] = a.m;
  const det = p * (t * x - u * w) - q * (s * x - u * v) + r * (s * w - t * v);
  const inv = [
    [(t * x - u * w) / det, (r * w - q * x) / det, (q * u - r * t) / det],
    [(u * v - s * x) / det, (p * x - r * v) / det, (r * s - p * u) / det],
    [(s * w - t * v) / det, (q * v - p * w) / det, (p * t - q * s) / det],
  ];
  const b = inv.map((row) => -row.reduce((acc, c, j) => acc + c * a.b[j], 0));
  return { m: inv, b };
}
