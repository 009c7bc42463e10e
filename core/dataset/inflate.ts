/**
 * Decompression through a cap: gzip (single or multi-member), zlib and raw deflate, fed to
 * fflate's streaming inflater in small slices so that no single step can produce much more
 * than the cap allows (deflate expands at most about 1032 times per step), and stopped with the
 * caller's error as soon as the output passes the cap.
 *
 * @module
 */
import { Gunzip, Inflate, Unzlib } from "fflate";
import { AxbError, InputDataError } from "../errors/mod.ts";

/**
 * Compressed bytes fed per step: at most ~64 MiB of output per step (smaller steps cost
 * fflate twice the time per byte).
 */
const FEED = 64 * 1024;

/** Options of {@linkcode inflateStream}. */
export interface InflateOptions {
  /**
   * `gzip` (with header and trailer, members may be concatenated), `zlib` (PNG image data)
   * or raw `deflate` (zip members).
   */
  readonly format: "gzip" | "zlib" | "deflate";
  /** Most output bytes. */
  readonly cap: number;
  /** The error to throw when the output passes `cap`. */
  readonly over: () => AxbError;
  /** Names the data in a corrupt-stream message (`"a.tar.gz"`, `member "x" of "a.zip"`). */
  readonly what: string;
}

/**
 * Decompress `data` through a cap, handing each piece of output to `onChunk` as it comes
 * (each piece is a fresh array the receiver may keep).
 *
 * @throws the `over()` error as soon as the output passes the cap
 * @throws {InputDataError} when the stream is corrupt or truncated
 * @throws what `onChunk` throws
 */
export function inflateStream(
  data: Uint8Array,
  opts: InflateOptions,
  onChunk: (chunk: Uint8Array) => void,
): void {
  let length = 0;
  const ondata = (chunk: Uint8Array) => {
    length += chunk.length;
    if (length > opts.cap) throw opts.over();
    if (chunk.length > 0) onChunk(chunk);
  };
  const stream = opts.format === "gzip"
    ? new Gunzip(ondata)
    : opts.format === "zlib"
    ? new Unzlib(ondata)
    : new Inflate(ondata);
  try {
    for (let at = 0; at < data.length || at === 0; at += FEED) {
      const end = Math.min(data.length, at + FEED);
      stream.push(data.subarray(at, end), end >= data.length);
      if (end >= data.length) break;
    }
  } catch (e) {
    if (e instanceof AxbError) throw e;
    // A bad gzip header after a complete member is trailing garbage (padding, say), which
    // gzip itself ignores; a bad header with no output yet is not gzip at all.
    if (!(opts.format === "gzip" && length > 0 && isGzipHeaderError(e))) {
      throw new InputDataError(
        `Cannot decompress ${opts.what}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}

/**
 * Decompress `data` through a cap into one array.
 *
 * @param size the expected output size, allocated once (the cap still rules)
 * @returns the decompressed bytes
 * @throws the `over()` error as soon as the output passes the cap
 * @throws {InputDataError} when the stream is corrupt or truncated
 */
export function inflateCapped(data: Uint8Array, opts: InflateOptions, size = 0): Uint8Array {
  let out = new Uint8Array(Math.min(opts.cap, Math.max(size, 64 * 1024)));
  let length = 0;
  inflateStream(data, opts, (chunk) => {
    if (length + chunk.length > out.length) {
      const grown = new Uint8Array(
        Math.min(opts.cap, Math.max(2 * out.length, length + chunk.length)),
      );
      grown.set(out.subarray(0, length));
      out = grown;
    }
    out.set(chunk, length);
    length += chunk.length;
  });
  return out.subarray(0, length);
}

/** fflate's "invalid gzip data" (error code 6), raised when a member header is bad. */
function isGzipHeaderError(e: unknown): boolean {
  return e instanceof Error && "code" in e && e.code === 6;
}
