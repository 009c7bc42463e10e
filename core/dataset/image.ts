/**
 * Image files to 8-bit RGB: JPEG (via `jpeg-js`), PNG and BMP (axb's own decoders). The
 * format is recognised from the leading bytes, not the file extension.
 *
 * Differences from OpenCV's `imread`, which pulsar2 is understood to use: EXIF orientation is
 * not applied, and the pixel values of a JPEG can differ by a few levels because decoders
 * round IDCT and upsampling differently.
 *
 * @module
 */
import { decode as decodeJpegJs } from "jpeg-js";
import { InputDataError } from "../errors/mod.ts";
import { maxTensorBytes } from "../ir/dtype.ts";
import { decodeBmp, isBmp } from "./bmp.ts";
import type { RgbImage } from "./image_types.ts";
import { decodePng, isPng } from "./png.ts";

export type { RgbImage } from "./image_types.ts";

/** Image container kinds axb decodes. */
export type ImageKind = "jpeg" | "png" | "bmp";

/** File extensions treated as images when listing an `Image` dataset. */
export const IMAGE_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".jpe", ".png", ".bmp"];

/** The container kind from the leading bytes, or undefined. */
export function sniffImage(bytes: Uint8Array): ImageKind | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "jpeg";
  }
  if (isPng(bytes)) return "png";
  if (isBmp(bytes)) return "bmp";
  return undefined;
}

/** Decode a JPEG to RGB (grayscale JPEGs are expanded to three equal channels). */
export function decodeJpeg(bytes: Uint8Array, what: string): RgbImage {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = decodeJpegJs(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      // The decoder's buffers stay within the tensor size limit (at least 64 MiB).
      maxMemoryUsageInMB: Math.max(64, Math.ceil(maxTensorBytes() / 2 ** 20)),
    });
  } catch (e) {
    throw new InputDataError(
      `${what}: cannot decode JPEG (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (img.data.length !== img.width * img.height * 3) {
    throw new InputDataError(
      `${what}: JPEG decoder returned ${img.data.length} bytes for ${img.width}x${img.height} RGB`,
    );
  }
  return { width: img.width, height: img.height, data: img.data };
}

/**
 * Decode a JPEG, PNG or BMP file to 8-bit RGB.
 *
 * @param what names the file in errors
 * @throws {InputDataError} when the bytes are none of those formats or are malformed
 */
export function decodeImage(bytes: Uint8Array, what: string): RgbImage {
  switch (sniffImage(bytes)) {
    case "jpeg":
      return decodeJpeg(bytes, what);
    case "png":
      return decodePng(bytes, what);
    case "bmp":
      return decodeBmp(bytes, what);
    default:
      throw new InputDataError(
        `${what} is not a JPEG, PNG or BMP image (unrecognised leading bytes); use calibration_format Numpy or Binary for other data`,
      );
  }
}
