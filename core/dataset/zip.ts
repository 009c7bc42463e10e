/**
 * A small zip reader (store and deflate, zip64) that decompresses every member through the
 * caps of an {@linkcode ArchiveLimits}. It reads the central directory and each entry's local
 * header itself, rather than through fflate's `unzipSync`, because that inflates every entry
 * in full before anyone can look at a size: an entry declaring 4 GiB, or a hundred entries
 * pointing at one compressed block (a "zip bomb"), would be inflated to the end.
 *
 * Symbolic links (Unix mode in the external attributes) are reported as links, never read as
 * files.
 *
 * @module
 */
import { InputDataError } from "../errors/mod.ts";
import { inflateCapped } from "./inflate.ts";
import { type ArchiveLimits, countOverError, memberOverError, totalOverError } from "./limits.ts";

/** One zip entry. */
export interface ZipMember {
  /** The stored path, not yet validated. */
  name: string;
  kind: "file" | "directory" | "link";
  /** Decompressed contents; empty for directories and links. */
  data: Uint8Array;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const UNIX_HOST = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

const utf8 = new TextDecoder();

class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(offset: number, length: number): void {
    if (offset < 0 || offset + length > this.bytes.length) {
      throw new InputDataError(
        `Cannot read zip archive ${this.what}: it is truncated or corrupt (a record at byte ` +
          `${offset} runs past the end of the ${this.bytes.length}-byte file)`,
      );
    }
  }
  u16(o: number): number {
    this.need(o, 2);
    return this.view.getUint16(o, true);
  }
  u32(o: number): number {
    this.need(o, 4);
    return this.view.getUint32(o, true);
  }
  u64(o: number): number {
    this.need(o, 8);
    return this.view.getUint32(o, true) + this.view.getUint32(o + 4, true) * 2 ** 32;
  }
}

/** Offset of the end-of-central-directory record (searched from the end, past a comment). */
function findEocd(r: Reader): number {
  const last = r.bytes.length - 22;
  for (let o = last; o >= 0 && o >= last - 0xffff; o--) {
    if (r.view.getUint32(o, true) === EOCD) return o;
  }
  throw new InputDataError(
    `Cannot read zip archive ${r.what}: no end-of-central-directory record (not a zip file, ` +
      `or truncated)`,
  );
}

interface Directory {
  count: number;
  offset: number;
}

function directoryOf(r: Reader, eocd: number): Directory {
  let count = r.u16(eocd + 10);
  let offset = r.u32(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator >= 0 && r.u32(locator) === EOCD64_LOCATOR) {
      const at = r.u64(locator + 8);
      if (r.u32(at) !== EOCD64) {
        throw new InputDataError(`Cannot read zip archive ${r.what}: corrupt zip64 record`);
      }
      count = r.u64(at + 32);
      offset = r.u64(at + 48);
    }
  }
  return { count, offset };
}

interface Entry {
  name: string;
  kind: ZipMember["kind"];
  method: number;
  flags: number;
  compressed: number;
  size: number;
  local: number;
  next: number;
}

function entryAt(r: Reader, o: number): Entry {
  if (r.u32(o) !== CENTRAL) {
    throw new InputDataError(
      `Cannot read zip archive ${r.what}: corrupt central directory at byte ${o}`,
    );
  }
  const host = r.u16(o + 4) >> 8;
  const flags = r.u16(o + 8);
  const method = r.u16(o + 10);
  let compressed = r.u32(o + 20);
  let size = r.u32(o + 24);
  const nameLen = r.u16(o + 28);
  const extraLen = r.u16(o + 30);
  const commentLen = r.u16(o + 32);
  const mode = r.u32(o + 38) >>> 16;
  let local = r.u32(o + 42);
  r.need(o + 46, nameLen + extraLen);
  const name = utf8.decode(r.bytes.subarray(o + 46, o + 46 + nameLen));
  // zip64 extra field: the 64-bit values replace the 32-bit ones that are all ones, in order.
  for (let e = o + 46 + nameLen; e + 4 <= o + 46 + nameLen + extraLen;) {
    const id = r.u16(e);
    const len = r.u16(e + 2);
    if (id === 1) {
      let at = e + 4;
      if (size === 0xffffffff) size = r.u64(at), at += 8;
      if (compressed === 0xffffffff) compressed = r.u64(at), at += 8;
      if (local === 0xffffffff) local = r.u64(at);
    }
    e += 4 + len;
  }
  const kind = name.endsWith("/")
    ? "directory"
    : host === UNIX_HOST && (mode & S_IFMT) === S_IFLNK
    ? "link"
    : "file";
  return {
    name,
    kind,
    method,
    flags,
    compressed,
    size,
    local,
    next: o + 46 + nameLen + extraLen + commentLen,
  };
}

/**
 * List and decompress the members of a zip archive within `limits`.
 *
 * @param bytes the whole archive
 * @param what names the archive in errors (`"calib.zip"`)
 * @param archive the archive path as written in cap messages
 * @throws {LimitError} when the directory declares a member or a total over its cap, or too
 *   many members (before anything is inflated)
 * @throws {InputDataError} for a corrupt or truncated archive, an entry inflating past its
 *   declared size, an encrypted entry or a compression method other than store and deflate
 */
export function readZip(
  bytes: Uint8Array,
  what: string,
  archive: string,
  limits: ArchiveLimits,
): ZipMember[] {
  const r = new Reader(bytes, what);
  const dir = directoryOf(r, findEocd(r));
  if (dir.count > limits.maxMembers) throw countOverError(archive, limits);
  // The declared sizes are checked before anything is inflated; an entry that inflates past
  // its declared size is refused, so the work is bounded by what the directory admits to.
  const entries: Entry[] = [];
  let declared = 0;
  for (let i = 0, at = dir.offset; i < dir.count; i++) {
    const e = entryAt(r, at);
    at = e.next;
    entries.push(e);
    if (e.kind !== "file") continue;
    if (e.size > limits.maxMemberBytes) throw memberOverError(archive, e.name, limits);
    declared += e.size;
    if (declared > limits.maxTotalBytes) throw totalOverError(archive, limits);
  }
  const members: ZipMember[] = [];
  let total = 0;
  for (const e of entries) {
    if (e.kind !== "file") {
      members.push({ name: e.name, kind: e.kind, data: new Uint8Array(0) });
      continue;
    }
    if (e.flags & 1) {
      throw new InputDataError(
        `Cannot read zip archive ${what}: member "${e.name}" is encrypted; axb reads plain zips`,
      );
    }
    if (r.u32(e.local) !== LOCAL) {
      throw new InputDataError(
        `Cannot read zip archive ${what}: member "${e.name}" has no local header at byte ${e.local}`,
      );
    }
    const start = e.local + 30 + r.u16(e.local + 26) + r.u16(e.local + 28);
    r.need(start, e.compressed);
    const raw = bytes.subarray(start, start + e.compressed);
    const room = Math.min(e.size, limits.maxTotalBytes - total);
    const over = () =>
      new InputDataError(
        `Cannot read zip archive ${what}: member "${e.name}" inflates past the ${e.size} bytes ` +
          `its directory entry declares (a corrupt entry, or a zip bomb)`,
      );
    let data: Uint8Array;
    if (e.method === 0) {
      if (raw.length > room) throw over();
      data = raw;
    } else if (e.method === 8) {
      data = inflateCapped(raw, {
        format: "deflate",
        cap: room,
        over,
        what: `member "${e.name}" of ${what}`,
      }, room);
    } else {
      throw new InputDataError(
        `Cannot read zip archive ${what}: member "${e.name}" uses compression method ${e.method}; ` +
          `axb reads stored and deflated members`,
      );
    }
    total += data.length;
    members.push({ name: e.name, kind: "file", data });
  }
  return members;
}
