/**
 * Horizon calibration data (spec `horizon.md` §5.4, §7) to model samples of the
 * intermediate type.
 *
 * - `preprocess_on: False`: each file of `cal_data_dir` (any extension, sorted by name) is a
 *   `numpy.tofile` dump — no header — of one sample in `input_type_train`, `input_shape` and
 *   `input_layout_train`, uint8 for image types and float32 for featuremap (`cal_data_type`
 *   overrides). A file of any other size is refused, naming it and the expected bytes.
 * - `preprocess_on: True`: the folder holds images (JPEG, PNG, BMP), decoded as RGB and
 *   resized bilinearly to the input's height and width.
 *
 * Image samples then take the training → intermediate direction of the pre-processing: the
 * inverse colour map when the runtime colour differs (e.g. RGB → YUV444 for nv12), rounded
 * and clamped to 0…255 as the hardware would receive them, then `− 128`. Featuremap samples
 * are used as they are (mean/scale live in the model's pre-processing node).
 *
 * @module
 */
import { join } from "node:path";
import { Tensor } from "../../ir/tensor.ts";
import { ConfigError, InputDataError } from "../../errors/mod.ts";
import type { CalibrationParameters } from "../../config/horizon/types.ts";
import { decodeImage } from "../../dataset/image.ts";
import { resizeBilinear } from "../../dataset/resize.ts";
import { type ColorAffine, type HorizonInputPlan, invertAffine } from "./input_plan.ts";

/** One input's calibration files, listed and size-checked but not yet decoded. */
export interface CalibrationFiles {
  readonly plan: HorizonInputPlan;
  readonly dir: string;
  readonly files: readonly string[];
  readonly dtype: "uint8" | "float32";
}

/** `cal_data_dir` entry `i`, for messages. */
function field(plans: readonly HorizonInputPlan[], p: HorizonInputPlan): string {
  return plans.length > 1
    ? `calibration_parameters.cal_data_dir (input ${p.name})`
    : "calibration_parameters.cal_data_dir";
}

/**
 * List and check the calibration files of every input, before anything is written.
 *
 * @throws {ConfigError} for a missing or empty folder, folders with different file counts
 * @throws {InputDataError} for a file whose size is not one sample of the expected dtype
 */
export async function listCalibrationFiles(
  plans: readonly HorizonInputPlan[],
  cp: CalibrationParameters,
): Promise<CalibrationFiles[]> {
  const out: CalibrationFiles[] = [];
  for (const p of plans) {
    const dir = p.config.calDataDir;
    const f = field(plans, p);
    if (dir === undefined) {
      throw new ConfigError(`${f}: no folder for input "${p.name}"`, { field: f });
    }
    const files: string[] = [];
    try {
      for await (const e of Deno.readDir(dir)) {
        if (e.isFile && !e.name.startsWith(".")) files.push(e.name);
      }
    } catch {
      throw new ConfigError(`${f}: "${dir}" is not a readable folder`, { field: f });
    }
    files.sort();
    if (files.length === 0) {
      throw new ConfigError(`${f}: "${dir}" holds no calibration file`, { field: f });
    }
    const dtype = cp.cal_data_type ?? (p.image ? "uint8" : "float32");
    if (!cp.preprocess_on) {
      const elements = p.shape.reduce((a, b) => a * b, 1);
      const bytes = elements * (dtype === "uint8" ? 1 : 4);
      for (const name of files) {
        const size = (await Deno.stat(join(dir, name))).size;
        if (size !== bytes) {
          throw new InputDataError(
            `${f}: "${join(dir, name)}" has ${size} bytes, expected ${bytes} (one ${
              p.shape.join("x")
            } ${dtype} sample in ${p.layoutTrain}, written with numpy.tofile)`,
          );
        }
      }
    }
    out.push({ plan: p, dir, files, dtype });
  }
  const counts = new Set(out.map((c) => c.files.length));
  if (counts.size > 1) {
    throw new ConfigError(
      `calibration_parameters.cal_data_dir: the folders hold ${
        out.map((c) => `${c.files.length} (${c.plan.name})`).join(", ")
      } files; every input needs the same number of samples`,
      { field: "calibration_parameters.cal_data_dir" },
    );
  }
  return out;
}

/** The training-layout sample of an image file, uint8 values. */
async function imageSample(path: string, p: HorizonInputPlan): Promise<Float32Array> {
  const img = decodeImage(await Deno.readFile(path), path);
  const [h, w] = p.layoutTrain === "NHWC" ? [p.shape[1], p.shape[2]] : [p.shape[2], p.shape[3]];
  const rgb = resizeBilinear(img.data, { width: img.width, height: img.height, channels: 3 }, w, h);
  const c = p.channels;
  const out = new Float32Array(h * w * c);
  const train = p.config.typeTrain;
  for (let i = 0; i < h * w; i++) {
    const [r, g, b] = [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]];
    const px = c === 1
      ? [0.299 * r + 0.587 * g + 0.114 * b]
      : train === "bgr"
      ? [b, g, r]
      : [r, g, b];
    for (let k = 0; k < c; k++) {
      const v = Math.min(255, Math.max(0, Math.round(px[k])));
      const at = p.layoutTrain === "NHWC" ? i * c + k : k * h * w + i;
      out[at] = v;
    }
  }
  return out;
}

/** Apply `a` to every pixel of a 3-channel sample, rounding and clamping to 0…255. */
function mapColor(data: Float32Array, p: HorizonInputPlan, a: ColorAffine): void {
  const n = data.length / 3;
  const at = (i: number, k: number) => (p.layoutTrain === "NHWC" ? i * 3 + k : k * n + i);
  for (let i = 0; i < n; i++) {
    const px = [data[at(i, 0)], data[at(i, 1)], data[at(i, 2)]];
    for (let k = 0; k < 3; k++) {
      const v = a.m[k][0] * px[0] + a.m[k][1] * px[1] + a.m[k][2] * px[2] + a.b[k];
      data[at(i, k)] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
}

/**
 * Read sample `k` of every input as the model's intermediate-type tensors.
 *
 * @throws {InputDataError} when an image cannot be decoded
 */
export async function readCalibrationSample(
  sets: readonly CalibrationFiles[],
  k: number,
  preprocessOn: boolean,
): Promise<Map<string, Tensor>> {
  const sample = new Map<string, Tensor>();
  for (const s of sets) {
    const p = s.plan;
    const path = join(s.dir, s.files[k]);
    let data: Float32Array;
    if (preprocessOn && p.image) {
      data = await imageSample(path, p);
    } else {
      const bytes = await Deno.readFile(path);
      data = s.dtype === "uint8"
        ? Float32Array.from(bytes)
        : new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    }
    if (p.image) {
      if (p.color) mapColor(data, p, invertAffine(p.color));
      for (let i = 0; i < data.length; i++) data[i] -= 128;
    }
    sample.set(p.name, new Tensor("f32", p.shape, data));
  }
  return sample;
}
