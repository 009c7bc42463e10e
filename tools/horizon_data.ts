/**
 * Horizon calibration and evaluation data from `../shared/calib/images-32.tar`, written the
 * way a Horizon user prepares them (spec `horizon.md` §7): one `numpy.tofile` file per
 * image — uint8 RGB in NCHW for image inputs, float32 ImageNet-normalised NCHW for
 * featuremap inputs. The first 24 images calibrate, the last 8 are held out.
 *
 * Also the runtime forms of a held-out image: uint8 RGB NHWC, NV12 bytes (BT.601 full range,
 * chroma averaged over each 2×2 block) and the YUV444 image the NV12 decodes to.
 *
 * @module
 */
import { join } from "node:path";
import { readTar } from "../core/dataset/tar.ts";
import { decodeImage } from "../core/dataset/image.ts";
import { resizeBilinear } from "../core/dataset/resize.ts";

/** ImageNet normalisation of torchvision models (RGB). */
export const MEAN = [123.675, 116.28, 103.53];
export const STD = [58.395, 57.12, 57.375];

/** One 224×224 RGB image, interleaved uint8 (HWC). */
export interface HwcImage {
  readonly name: string;
  readonly hwc: Uint8Array;
}

/** The 32 images of the shared set, resized to `size`. */
export async function sharedImages(shared: string, size = 224): Promise<HwcImage[]> {
  const tar = readTar(await Deno.readFile(join(shared, "calib/images-32.tar")), "images-32.tar");
  return tar.filter((m) => m.kind === "file").sort((a, b) => a.name.localeCompare(b.name)).map(
    (m) => {
      const img = decodeImage(m.data, m.name);
      const f = resizeBilinear(img.data, { ...img, channels: 3 }, size, size);
      return {
        name: m.name,
        hwc: Uint8Array.from(f, (v) => Math.min(255, Math.max(0, Math.round(v)))),
      };
    },
  );
}

/** HWC → CHW of a 3-channel image. */
export function toChw(hwc: ArrayLike<number>, size: number): Float32Array {
  const n = size * size;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[c * n + i] = hwc[3 * i + c];
  return out;
}

/** ImageNet-normalised CHW float32 (the float model's input). */
export function normalised(hwc: Uint8Array, size: number): Float32Array {
  const chw = toChw(hwc, size);
  const n = size * size;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) chw[c * n + i] = (chw[c * n + i] - MEAN[c]) / STD[c];
  }
  return chw;
}

/** Write calibration files: `<dir>/<name>.rgb` (uint8 CHW) or `.f32` (normalised float32). */
export async function writeCalibration(
  images: readonly HwcImage[],
  dir: string,
  kind: "rgb" | "featuremap",
  size = 224,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const im of images) {
    const stem = im.name.replace(/\.[a-z]+$/i, "");
    if (kind === "rgb") {
      await Deno.writeFile(join(dir, `${stem}.rgb`), Uint8Array.from(toChw(im.hwc, size)));
    } else {
      const f = normalised(im.hwc, size);
      await Deno.writeFile(join(dir, `${stem}.f32`), new Uint8Array(f.buffer));
    }
  }
}

/** BT.601 full range RGB → YUV of one pixel (JFIF). */
function yuv(r: number, g: number, b: number): [number, number, number] {
  return [
    0.299 * r + 0.587 * g + 0.114 * b,
    -0.168736 * r - 0.331264 * g + 0.5 * b + 128,
    0.5 * r - 0.418688 * g - 0.081312 * b + 128,
  ];
}

const u8 = (v: number) => Math.min(255, Math.max(0, Math.round(v)));

/** NV12 bytes of an HWC image and the YUV444 (HWC) image it upsamples to. */
export function toNv12(hwc: Uint8Array, size: number): { nv12: Uint8Array; yuv444: Uint8Array } {
  const n = size * size;
  const nv12 = new Uint8Array(n + n / 2);
  const full = Array.from({ length: n }, (_, i) => yuv(hwc[3 * i], hwc[3 * i + 1], hwc[3 * i + 2]));
  for (let i = 0; i < n; i++) nv12[i] = u8(full[i][0]);
  for (let y = 0; y < size; y += 2) {
    for (let x = 0; x < size; x += 2) {
      const px = [y * size + x, y * size + x + 1, (y + 1) * size + x, (y + 1) * size + x + 1];
      const at = n + (y / 2) * size + x;
      nv12[at] = u8(px.reduce((a, p) => a + full[p][1], 0) / 4);
      nv12[at + 1] = u8(px.reduce((a, p) => a + full[p][2], 0) / 4);
    }
  }
  const yuv444 = new Uint8Array(3 * n);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const c = n + Math.floor(y / 2) * size + 2 * Math.floor(x / 2);
      yuv444.set([nv12[i], nv12[c], nv12[c + 1]], 3 * i);
    }
  }
  return { nv12, yuv444 };
}
