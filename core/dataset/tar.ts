/**
 * A small tar reader (ustar, GNU and PAX) that reports member names exactly as stored.
 *
 * axb reads tar headers itself rather than through `nanotar.parseTar` because that parser
 * silently rewrites `../evil` to `evil` and strips leading `/` (so an escaping member can't be
 * detected and refused), ignores the ustar `prefix` field, splits PAX values at spaces and
 * reads from the start of the underlying buffer when given a subarray.
 *
 * @module
 */
import { InputDataError } from "../errors/mod.ts";
import { type ArchiveLimits, countOverError, memberOverError } from "./limits.ts";

/** Kind of a tar member, reduced to what a dataset reader cares about. */
export type TarMemberKind = "file" | "directory" | "link" | "other";

/** One tar member; `name` is the raw stored path (not yet validated). */
export interface TarMember {
  name: string;
  kind: TarMemberKind;
  /** File contents (a view into the archive bytes); empty for non-files. */
  data: Uint8Array;
  /** Where a link member points (`linkname`), for messages. */
  linkTarget?: string;
}

/** Caps a tar reader applies, and the archive path its messages name. */
export interface TarLimits {
  readonly archive: string;
  readonly limits: ArchiveLimits;
}

const BLOCK = 512;
const decoder = new TextDecoder();

function field(bytes: Uint8Array, start: number, len: number): string {
  const view = bytes.subarray(start, start + len);
  const end = view.indexOf(0);
  return decoder.decode(end === -1 ? view : view.subarray(0, end));
}

/** Octal (or GNU base-256) numeric field. */
function numberField(bytes: Uint8Array, start: number, len: number): number {
  if (bytes[start] & 0x80) {
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + bytes[i];
    return v;
  }
  const text = field(bytes, start, len).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

/** True when the 512 bytes at `offset` are a tar header with a valid checksum. */
export function isTarHeader(bytes: Uint8Array, offset = 0): boolean {
  if (bytes.length < offset + BLOCK) return false;
  const stored = numberField(bytes, offset + 148, 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) {
    sum += i >= 148 && i < 156 ? 0x20 : bytes[offset + i];
  }
  return sum === stored;
}

function isZeroBlock(bytes: Uint8Array, offset: number): boolean {
  for (let i = offset; i < offset + BLOCK && i < bytes.length; i++) {
    if (bytes[i] !== 0) return false;
  }
  return true;
}

/** PAX records: `"<len> key=value\n"` repeated. */
function paxRecords(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(decoder.decode(data.subarray(pos, space)), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = decoder.decode(data.subarray(space + 1, pos + len - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

function kindOf(flag: string): TarMemberKind {
  if (flag === "0" || flag === "" || flag === "7") return "file";
  if (flag === "5") return "directory";
  if (flag === "1" || flag === "2") return "link";
  return "other";
}

/**
 * List the members of a tar archive.
 *
 * @param bytes the whole (uncompressed) archive
 * @param what names the archive in errors
 * @param caps per-member size and member count caps (none when omitted)
 * @throws {InputDataError} when the bytes are not a tar archive or a member is truncated
 * @throws {LimitError} when a member is over the member cap or there are too many members
 */
export function readTar(bytes: Uint8Array, what: string, caps?: TarLimits): TarMember[] {
  if (!isTarHeader(bytes, 0) && !isZeroBlock(bytes, 0)) {
    throw new InputDataError(`${what} is not a tar archive (bad header checksum)`);
  }
  const members: TarMember[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= bytes.length) {
    if (isZeroBlock(bytes, offset)) break;
    if (!isTarHeader(bytes, offset)) {
      throw new InputDataError(`${what}: corrupt tar header at byte ${offset}`);
    }
    const header = offset;
    const size = numberField(bytes, header + 124, 12);
    const flag = field(bytes, header + 156, 1);
    const start = header + BLOCK;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new InputDataError(`${what}: corrupt tar header at byte ${offset} (size field)`);
    }
    if (caps) checkHeader(caps, members.length, field(bytes, header, 100), size);
    if (start + size > bytes.length) {
      throw new InputDataError(
        `${what} is truncated: a member needs ${size} bytes at offset ${start}, the archive has ${bytes.length}`,
      );
    }
    const data = bytes.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === "x") {
      const path = paxRecords(data).get("path");
      if (path !== undefined) longName = path;
      continue;
    }
    if (flag === "L") {
      longName = field(data, 0, data.length);
      continue;
    }
    if (flag === "g" || flag === "K") continue;
    let name = field(bytes, header, 100);
    // POSIX ustar ("ustar\0") keeps a path prefix; GNU ("ustar  ") uses that area otherwise.
    const prefix = field(bytes, header + 257, 6) === "ustar" ? field(bytes, header + 345, 155) : "";
    if (prefix !== "") name = `${prefix}/${name}`;
    if (longName !== undefined) name = longName;
    longName = undefined;
    const kind = kindOf(flag);
    const member: TarMember = { name, kind, data: kind === "file" ? data : new Uint8Array(0) };
    if (kind === "link") member.linkTarget = field(bytes, header + 157, 100);
    members.push(member);
  }
  return members;
}

function checkHeader(caps: TarLimits, index: number, name: string, size: number): void {
  if (index >= caps.limits.maxMembers) throw countOverError(caps.archive, caps.limits);
  if (size > caps.limits.maxMemberBytes) {
    throw memberOverError(caps.archive, name, caps.limits);
  }
}

/**
 * Checks tar headers while the archive is still being decompressed, so that a member over
 * its cap stops decompression at its header instead of after the whole archive.
 */
export class TarHeaderScan {
  #cursor = 0;
  #members = 0;
  #done = false;

  /** A scanner applying `caps`. */
  constructor(readonly caps: TarLimits) {}

  /**
   * Look at the headers that `bytes` (the archive decompressed so far) now holds whole.
   *
   * @throws {LimitError} when a member is over the member cap or there are too many members
   */
  check(bytes: Uint8Array): void {
    while (!this.#done && this.#cursor + BLOCK <= bytes.length) {
      const at = this.#cursor;
      if (isZeroBlock(bytes, at) || !isTarHeader(bytes, at)) {
        this.#done = true; // the end, or damage that readTar reports with its position
        return;
      }
      const size = numberField(bytes, at + 124, 12);
      if (!Number.isSafeInteger(size) || size < 0) {
        this.#done = true;
        return;
      }
      checkHeader(this.caps, this.#members++, field(bytes, at, 100), size);
      this.#cursor = at + BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    }
  }
}
