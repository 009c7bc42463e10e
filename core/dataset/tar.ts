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

/** The member whose data is being read. */
interface Pending {
  header: Uint8Array;
  flag: string;
  size: number;
  /** Archive offset of its data. */
  start: number;
  /** The data, once whole: a view of one chunk, or the parts copied into `buffer`. */
  view?: Uint8Array;
  buffer?: Uint8Array;
  got: number;
}

/**
 * A tar reader fed in chunks (a decompressor's output, or a whole archive at once). Member
 * data that lies within one chunk is kept as a view of it; data spanning chunks is copied
 * once into its own buffer, so memory stays at the size of the members. Headers are checked
 * against the caps as soon as they arrive, so decompression stops at the header of a member
 * over its cap rather than after the whole archive.
 */
export class TarStream {
  readonly #what: string;
  readonly #caps?: TarLimits;
  readonly #notTar: () => Error;
  readonly #members: TarMember[] = [];
  readonly #header = new Uint8Array(BLOCK);
  #headerFill = 0;
  /** Archive bytes consumed so far. */
  #pos = 0;
  /** Archive bytes fed so far. */
  #fed = 0;
  #skip = 0;
  #pending?: Pending;
  #longName?: string;
  #headers = 0;
  #done = false;
  #startsWithHeader = false;

  /**
   * @param what names the archive in errors
   * @param caps per-member size and member count caps (none when omitted)
   * @param notTar the error when the first block is not a tar header
   */
  constructor(what: string, caps?: TarLimits, notTar?: () => Error) {
    this.#what = what;
    this.#caps = caps;
    this.#notTar = notTar ??
      (() => new InputDataError(`${what} is not a tar archive (bad header checksum)`));
  }

  /**
   * Read the next bytes of the archive (anything after the end-of-archive block is ignored).
   *
   * @throws {InputDataError} for a corrupt header
   * @throws {LimitError} for a member over the member cap or too many members
   */
  feed(chunk: Uint8Array): void {
    this.#fed += chunk.length;
    let p = 0;
    while (p < chunk.length && !this.#done) {
      let n: number;
      if (this.#pending) {
        n = this.#take(this.#pending, chunk, p);
      } else if (this.#skip > 0) {
        n = Math.min(this.#skip, chunk.length - p);
        this.#skip -= n;
      } else {
        n = Math.min(BLOCK - this.#headerFill, chunk.length - p);
        this.#header.set(chunk.subarray(p, p + n), this.#headerFill);
        this.#headerFill += n;
      }
      p += n;
      this.#pos += n;
      if (this.#headerFill === BLOCK) this.#onHeader();
    }
  }

  /** True once the first block fed was a member header (not an empty archive, not junk). */
  get startsWithHeader(): boolean {
    return this.#startsWithHeader;
  }

  /**
   * The members, once the whole archive was fed.
   *
   * @throws {InputDataError} when the archive ends inside a member's data
   */
  finish(): TarMember[] {
    const m = this.#pending;
    if (m) {
      throw new InputDataError(
        `${this.#what} is truncated: a member needs ${m.size} bytes at offset ${m.start}, the archive has ${this.#fed}`,
      );
    }
    return this.#members;
  }

  #take(m: Pending, chunk: Uint8Array, p: number): number {
    const n = Math.min(m.size - m.got, chunk.length - p);
    if (m.got === 0 && n === m.size) m.view = chunk.subarray(p, p + n);
    else {
      m.buffer ??= new Uint8Array(m.size);
      m.buffer.set(chunk.subarray(p, p + n), m.got);
    }
    m.got += n;
    if (m.got === m.size) this.#complete(m);
    return n;
  }

  #onHeader(): void {
    const h = this.#header;
    const at = this.#pos - BLOCK;
    this.#headerFill = 0;
    const zero = isZeroBlock(h, 0);
    if (this.#headers++ === 0) {
      if (!zero && !isTarHeader(h, 0)) throw this.#notTar();
      this.#startsWithHeader = !zero;
    }
    if (zero) {
      this.#done = true;
      return;
    }
    if (!isTarHeader(h, 0)) {
      throw new InputDataError(`${this.#what}: corrupt tar header at byte ${at}`);
    }
    const size = numberField(h, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new InputDataError(`${this.#what}: corrupt tar header at byte ${at} (size field)`);
    }
    if (this.#caps) checkHeader(this.#caps, this.#members.length, field(h, 0, 100), size);
    const m: Pending = {
      header: h.slice(),
      flag: field(h, 156, 1),
      size,
      start: at + BLOCK,
      got: 0,
    };
    this.#skip = Math.ceil(size / BLOCK) * BLOCK - size;
    if (size === 0) this.#complete(m);
    else this.#pending = m;
  }

  #complete(m: Pending): void {
    this.#pending = undefined;
    const data = m.view ?? m.buffer ?? new Uint8Array(0);
    const h = m.header;
    if (m.flag === "x") {
      const path = paxRecords(data).get("path");
      if (path !== undefined) this.#longName = path;
      return;
    }
    if (m.flag === "L") {
      this.#longName = field(data, 0, data.length);
      return;
    }
    if (m.flag === "g" || m.flag === "K") return;
    let name = field(h, 0, 100);
    // POSIX ustar ("ustar\0") keeps a path prefix; GNU ("ustar  ") uses that area otherwise.
    const prefix = field(h, 257, 6) === "ustar" ? field(h, 345, 155) : "";
    if (prefix !== "") name = `${prefix}/${name}`;
    if (this.#longName !== undefined) name = this.#longName;
    this.#longName = undefined;
    const kind = kindOf(m.flag);
    const member: TarMember = { name, kind, data: kind === "file" ? data : new Uint8Array(0) };
    if (kind === "link") member.linkTarget = field(h, 157, 100);
    this.#members.push(member);
  }
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
  const stream = new TarStream(what, caps);
  stream.feed(bytes);
  return stream.finish();
}

function checkHeader(caps: TarLimits, index: number, name: string, size: number): void {
  if (index >= caps.limits.maxMembers) throw countOverError(caps.archive, caps.limits);
  if (size > caps.limits.maxMemberBytes) {
    throw memberOverError(caps.archive, name, caps.limits);
  }
}
