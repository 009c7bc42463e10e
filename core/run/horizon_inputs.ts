/**
 * Inputs of a Horizon container (`.bin`/`.hbm`) in the runtime type of its `axb.horizon`
 * entry (`input_type_rt`, spec `horizon.md` §6.2): what a board application hands the model.
 *
 * Per input, one of:
 * - **pass**: the container's input already is the runtime data (uint8 image bytes of the
 *   right count, float32 featuremap): fed as is;
 * - **convert**: the container starts from the intermediate type of §6.3 (`yuv444_128`,
 *   `RGB_128`, `BGR_128`, `GRAY_128`: the 8-bit data minus 128, float32 or int8, 4-D in the
 *   training layout). The host does what the hardware does: NV12 → YUV444 (each chroma
 *   sample covers a 2×2 block), minus 128, runtime layout → training layout;
 * - **raw**: `hb_model_modifier` removed the input's head node, or the entry does not
 *   describe the input: the container's own type is fed (the input-format guarantees no
 *   longer hold, §11).
 *
 * Runtime shapes: `nv12` `[N, H·3/2, W, 1]` (the Y plane, then interleaved UV rows);
 * `rgb`/`bgr`/`yuv444` `[N, H, W, 3]` (`NCHW` runtime layout: `[N, 3, H, W]`); `gray`
 * `[N, H, W, 1]` (`[N, 1, H, W]`); `featuremap` the container's shape.
 *
 * @module
 */
import type { ValueInfo } from "../ir/graph.ts";
import { Tensor } from "../ir/tensor.ts";
import { DTYPES } from "../ir/dtype.ts";
import type { TensorType } from "../ir/types.ts";
import type { HorizonInputMeta, HorizonMeta } from "../container/horizon_meta.ts";
import { InputDataError, ModelFormatError } from "../errors/mod.ts";

/** Channels of each image runtime type. */
const IMAGE_CHANNELS: Readonly<Record<string, number>> = {
  nv12: 3,
  yuv444: 3,
  rgb: 3,
  bgr: 3,
  gray: 1,
};

/** Name of the §6.3 intermediate type of each image runtime type. */
const INTERMEDIATE: Readonly<Record<string, string>> = {
  nv12: "yuv444_128",
  yuv444: "yuv444_128",
  rgb: "RGB_128",
  bgr: "BGR_128",
  gray: "GRAY_128",
};

/** How one input goes from runtime data to the container's input. */
export type InputPath = "pass" | "convert" | "raw";

/** One input as `axb run` reads it. */
export interface HorizonRunInput {
  /** Input name (the container's). */
  readonly name: string;
  /** What the input file must hold. */
  readonly runtime: ValueInfo;
  /** How the data reaches the container. */
  readonly path: InputPath;
  /** One line saying what is read and what is fed. */
  readonly note: string;
  /**
   * The container's input from runtime data.
   *
   * @throws {InputDataError} when the data has another dtype or element count
   */
  adapt(data: Tensor): Tensor;
}

function describe(t: TensorType): string {
  return `${DTYPES[t.dtype].label} (${(t.shape ?? []).join(", ")})`;
}

function tensorType(v: ValueInfo): TensorType | undefined {
  return v.type && !("kind" in v.type) ? v.type : undefined;
}

function elements(shape: readonly (number | string | null)[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== "number") return undefined;
    n *= d;
  }
  return n;
}

/** Check dtype and element count; returns the data with `shape`. */
function expect(data: Tensor, want: TensorType, name: string): Tensor {
  const shape = (want.shape ?? []).map((d) => (typeof d === "number" ? d : 1));
  const n = elements(shape) ?? 0;
  if (data.dtype !== want.dtype || data.size !== n) {
    throw new InputDataError(
      `Input "${name}" needs ${describe(want)} (${n} values), got ${
        DTYPES[data.dtype].label
      } with ${data.size} values`,
    );
  }
  return data.reshape(shape);
}

/** An input fed as the container declares it. */
function direct(v: ValueInfo, type: TensorType, path: InputPath, why: string): HorizonRunInput {
  return {
    name: v.name,
    runtime: { name: v.name, type },
    path,
    note: `input [${v.name}]: ${why} ${describe(type)}`,
    adapt: (data) => expect(data, type, v.name),
  };
}

/** Layout of a 4-D intermediate with `c` channels: NCHW when dim 1 is `c`, else NHWC. */
function layoutOf(shape: readonly (number | string | null)[], c: number): "NCHW" | "NHWC" | "" {
  if (shape.length !== 4 || !shape.every((d) => typeof d === "number")) return "";
  if (shape[1] === c) return "NCHW";
  if (shape[3] === c) return "NHWC";
  return "";
}

/**
 * Runtime pixels of one image as NHWC uint8 (`n` images of `h`×`w`×`c`): NV12 upsampled to
 * YUV444, NCHW runtime data transposed.
 */
function toNhwc(
  src: Uint8Array,
  typeRt: string,
  layoutRt: string,
  dims: { n: number; h: number; w: number; c: number },
): Uint8Array {
  const { n, h, w, c } = dims;
  const out = new Uint8Array(n * h * w * c);
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    const o = b * plane * c;
    if (typeRt === "nv12") {
      const y = b * plane * 3 / 2;
      const uv = y + plane;
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          const chroma = uv + (i >> 1) * w + (j & ~1);
          const p = o + (i * w + j) * 3;
          out[p] = src[y + i * w + j];
          out[p + 1] = src[chroma];
          out[p + 2] = src[chroma + 1];
        }
      }
    } else if (layoutRt === "NCHW") {
      for (let k = 0; k < c; k++) {
        for (let q = 0; q < plane; q++) out[o + q * c + k] = src[o + k * plane + q];
      }
    } else {
      out.set(src.subarray(o, o + plane * c), o);
    }
  }
  return out;
}

/** An image input converted from runtime bytes to the §6.3 intermediate. */
function converted(
  v: ValueInfo,
  type: TensorType,
  meta: HorizonInputMeta,
  layout: "NCHW" | "NHWC",
): HorizonRunInput {
  const c = IMAGE_CHANNELS[meta.type_rt];
  const s = (type.shape ?? []) as number[];
  const [n, h, w] = layout === "NCHW" ? [s[0], s[2], s[3]] : [s[0], s[1], s[2]];
  const nchwRt = meta.layout_rt.toUpperCase() === "NCHW";
  const shape = meta.type_rt === "nv12"
    ? [n, (h * 3) / 2, w, 1]
    : nchwRt
    ? [n, c, h, w]
    : [n, h, w, c];
  const runtime: TensorType = { dtype: "u8", shape };
  return {
    name: v.name,
    runtime: { name: v.name, type: runtime },
    path: "convert",
    note: `input [${v.name}]: ${meta.type_rt} ${describe(runtime)} → ${
      INTERMEDIATE[meta.type_rt]
    } ${describe(type)} (${layout})`,
    adapt(data) {
      const bytes = expect(data, runtime, v.name).data as Uint8Array;
      const nhwc = toNhwc(bytes, meta.type_rt, nchwRt ? "NCHW" : "NHWC", { n, h, w, c });
      const out = new Tensor(type.dtype, s);
      const dst = out.data as Float32Array | Int8Array;
      const plane = h * w;
      for (let b = 0; b < n; b++) {
        for (let q = 0; q < plane; q++) {
          for (let k = 0; k < c; k++) {
            const from = (b * plane + q) * c + k;
            const to = layout === "NCHW" ? (b * c + k) * plane + q : from;
            dst[to] = nhwc[from] - 128;
          }
        }
      }
      return out;
    },
  };
}

/** How one described input is read. */
function planInput(v: ValueInfo, type: TensorType, meta: HorizonInputMeta): HorizonRunInput {
  const rt = meta.type_rt;
  const shape = type.shape ?? [];
  if (rt === "featuremap") {
    if (type.dtype !== "f32") {
      throw new ModelFormatError(
        `Input "${v.name}": input_type_rt featuremap is float32, but the model input is ${
          describe(type)
        }`,
      );
    }
    return direct(v, type, "pass", "featuremap");
  }
  const c = IMAGE_CHANNELS[rt];
  if (c === undefined) {
    throw new ModelFormatError(
      `Input "${v.name}": unknown input_type_rt "${rt}"; expected ${
        [...Object.keys(IMAGE_CHANNELS), "featuremap"].join(", ")
      }`,
    );
  }
  const layout = layoutOf(shape, c);
  if (type.dtype === "u8") return direct(v, type, "pass", `${rt}`);
  if ((type.dtype === "f32" || type.dtype === "s8") && layout !== "") {
    const [h, w] = layout === "NCHW" ? [shape[2], shape[3]] : [shape[1], shape[2]];
    if (rt === "nv12" && ((h as number) % 2 !== 0 || (w as number) % 2 !== 0)) {
      throw new ModelFormatError(
        `Input "${v.name}": nv12 needs even height and width, the model input is ${h}x${w}`,
      );
    }
    return converted(v, type, meta, layout);
  }
  throw new ModelFormatError(
    `Input "${v.name}": input_type_rt ${rt} needs a uint8 input or a float32/int8 4-D image ` +
      `with ${c} channel(s), but the model input is ${describe(type)}`,
  );
}

/**
 * How each container input is read from runtime data.
 *
 * @param inputs the container's inputs as fed (static shapes)
 * @param meta the container's `axb.horizon` entry
 * @returns one entry per input, in order
 * @throws {ModelFormatError} when an input's runtime type cannot reach its container type
 */
export function horizonRunInputs(
  inputs: readonly ValueInfo[],
  meta: HorizonMeta,
): HorizonRunInput[] {
  const removedAt = new Set(
    meta.removed_nodes
      .filter((r) => r.parameters.boundary === "input")
      .map((r) => String(r.parameters.tensor)),
  );
  return inputs.map((v) => {
    const type = tensorType(v);
    if (!type) {
      throw new ModelFormatError(`Input "${v.name}" of the container has no tensor type`);
    }
    if (removedAt.has(v.name)) {
      return direct(v, type, "raw", "head node removed by hb_model_modifier; feed");
    }
    const m = meta.inputs.find((i) => i.name === v.name);
    return m ? planInput(v, type, m) : direct(v, type, "raw", "not in the conversion record; feed");
  });
}
