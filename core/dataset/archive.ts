/**
 * Calibration dataset sources: a tar, gzipped tar (`.tar.gz`, `.tgz`, `.gz`), zip archive or a
 * plain directory, listed as regular files named relative to the archive root.
 *
 * The container is recognised by its bytes (gzip `1f 8b`, zip `PK`, tar header checksum), not
 * by its extension. Member paths are checked before anything is read or written: a member
 * whose path is absolute or climbs out of the root (`../x`, `a/../../x`) is refused; macOS
 * `__MACOSX/` folders and dotfiles (`.DS_Store`, `._x.jpg`, anything under `.git/`) are
 * skipped; directories and devices are not files and are skipped too. Symbolic and hard link
 * members are not followed: they are listed in {@linkcode DatasetSource.links} so the caller
 * can say which ones were left out.
 *
 * Everything is read through the caps of an {@linkcode ArchiveLimits} (`limits.ts`): the
 * archive file, each member and the whole archive once decompressed, and the member count.
 *
 * @module
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { InputDataError } from "../errors/mod.ts";
import { fsFailure } from "../errors/fs.ts";
import type { Logger } from "../util/log.ts";
import { tensorFileStem } from "../io/raw.ts";
import { isTarHeader, readTar, TarStream } from "./tar.ts";
import { readZip } from "./zip.ts";
import { inflateStream } from "./inflate.ts";
import {
  type ArchiveLimits,
  countOverError,
  DEFAULT_ARCHIVE_LIMITS,
  memberOverError,
  totalOverError,
} from "./limits.ts";

/** How a dataset was stored. */
export type DatasetSourceKind = "tar" | "tar.gz" | "zip" | "directory";

/** One regular file of a dataset. */
export interface DatasetFile {
  /** Path relative to the archive root, `/`-separated, normalised (no `./`, no `..`). */
  name: string;
  /** The file's contents. */
  bytes: Uint8Array;
}

/** A link member that was not followed. */
export interface SkippedLink {
  /** The member's path as stored. */
  name: string;
  /** Where it points, when the archive says. */
  target?: string;
}

/** An opened dataset: its files sorted by name (code-unit order, like Python's `sorted`). */
export interface DatasetSource {
  /** The path the user gave. */
  path: string;
  /** How the dataset is stored. */
  kind: DatasetSourceKind;
  /** The regular files, sorted by name. */
  files: DatasetFile[];
  /** Symbolic and hard link members that were left out (archives only). */
  links: SkippedLink[];
}

/** Options of {@linkcode openDataset}. */
export interface OpenDatasetOptions {
  /** Caps on the archive (default {@linkcode DEFAULT_ARCHIVE_LIMITS}). */
  limits?: ArchiveLimits;
}

/**
 * Check one member path.
 *
 * @returns the normalised relative path, or `undefined` when the member is to be ignored
 *   (`__MACOSX/`, dotfiles, directory entries)
 * @throws {InputDataError} when the path is absolute or escapes the archive root
 */
export function checkMemberPath(name: string, archive: string): string | undefined {
  const unified = name.replaceAll("\\", "/");
  if (unified.startsWith("/") || /^[A-Za-z]:/.test(unified)) {
    throw new InputDataError(
      `Refusing to read "${archive}": member "${name}" has an absolute path; dataset archives must hold relative paths`,
    );
  }
  const parts: string[] = [];
  for (const part of unified.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) {
        throw new InputDataError(
          `Refusing to read "${archive}": member "${name}" escapes the archive root through ".."`,
        );
      }
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  if (parts.length === 0 || unified.endsWith("/")) return undefined;
  if (parts[0] === "__MACOSX" || parts.some((p) => p.startsWith("."))) return undefined;
  return parts.join("/");
}

function byName(a: DatasetFile, b: DatasetFile): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Keep valid regular files; the last of equal names wins (tar append semantics). */
function collect(entries: Iterable<[string, Uint8Array]>, archive: string): DatasetFile[] {
  const files = new Map<string, Uint8Array>();
  for (const [raw, bytes] of entries) {
    const name = checkMemberPath(raw, archive);
    if (name !== undefined) files.set(name, bytes);
  }
  return [...files].map(([name, bytes]) => ({ name, bytes })).sort(byName);
}

interface Member {
  name: string;
  kind: "file" | "directory" | "link" | "other";
  data: Uint8Array;
  linkTarget?: string;
}

/** Validate every path (links and directories too); keep regular files, list links. */
function sourceOf(
  path: string,
  kind: DatasetSourceKind,
  members: readonly Member[],
): DatasetSource {
  const entries: [string, Uint8Array][] = [];
  const links: SkippedLink[] = [];
  for (const m of members) {
    const name = checkMemberPath(m.name, path);
    if (name === undefined) continue;
    if (m.kind === "file") entries.push([m.name, m.data]);
    else if (m.kind === "link") links.push({ name: m.name, target: m.linkTarget || undefined });
  }
  return { path, kind, files: collect(entries, path), links };
}

async function fromDirectory(root: string, limits: ArchiveLimits): Promise<DatasetFile[]> {
  const files: DatasetFile[] = [];
  let total = 0;
  let count = 0;
  const walk = async (dir: string, rel: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch (e) {
      throw new InputDataError(`Calibration dataset folder "${dir}" ${fsFailure(e, dir)}`);
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".") || (rel === "" && entry.name === "__MACOSX")) continue;
      if (++count > limits.maxMembers) throw countOverError(root, limits);
      const path = join(dir, entry.name);
      const name = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory) {
        await walk(path, name);
        continue;
      }
      let info: Deno.FileInfo;
      try {
        info = await Deno.stat(path);
      } catch (e) {
        throw new InputDataError(`Calibration file "${path}" ${fsFailure(e, path)}`);
      }
      if (!info.isFile) continue;
      if (info.size > limits.maxMemberBytes) throw memberOverError(root, name, limits);
      total += info.size;
      if (total > limits.maxTotalBytes) throw totalOverError(root, limits);
      files.push({ name, bytes: await readCapped(path, limits.maxMemberBytes, root, limits) });
    }
  };
  await walk(root, "");
  return files.sort(byName);
}

/** Read a file, refusing it past `cap` bytes even if it grows while being read. */
async function readCapped(
  path: string,
  cap: number,
  archive: string,
  limits: ArchiveLimits,
): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new InputDataError(`Calibration file "${path}" ${fsFailure(e, path)}`);
  }
  if (bytes.length > cap) {
    throw cap === limits.maxTotalBytes
      ? totalOverError(archive, limits)
      : memberOverError(archive, path, limits);
  }
  return bytes;
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b &&
    ((b[2] === 3 && b[3] === 4) || (b[2] === 5 && b[3] === 6));
}

/**
 * Open a dataset archive or directory and list its regular files.
 *
 * @param path a `.tar`, `.tar.gz`/`.tgz`/`.gz` (gzipped tar), `.zip` file or a directory
 * @param opts the caps to read it through
 * @throws {InputDataError} when the path is missing or unreadable, not a supported container,
 *   corrupt, or a member path escapes the root
 * @throws {LimitError} as soon as the archive, a member or the member count passes its cap
 */
export async function openDataset(
  path: string,
  opts: OpenDatasetOptions = {},
): Promise<DatasetSource> {
  const limits = opts.limits ?? DEFAULT_ARCHIVE_LIMITS;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    const why = fsFailure(e, path);
    throw new InputDataError(
      `Calibration dataset "${path}" ${why}${
        e instanceof Deno.errors.NotFound ? "; expected a tar, tar.gz, zip file or a directory" : ""
      }`,
    );
  }
  if (info.isDirectory) {
    return { path, kind: "directory", files: await fromDirectory(path, limits), links: [] };
  }
  if (info.size > limits.maxTotalBytes) throw totalOverError(path, limits);
  const bytes = await readCapped(path, limits.maxTotalBytes, path, limits);
  const caps = { archive: path, limits };
  if (isZip(bytes)) return sourceOf(path, "zip", readZip(bytes, `"${path}"`, path, limits));
  if (isGzip(bytes)) {
    // Tar members are read while the archive inflates: a member over its cap stops it at
    // its header, and memory stays at the members' size.
    const tar = new TarStream(`"${path}"`, caps, () =>
      new InputDataError(
        `"${path}" is gzip-compressed but does not hold a tar archive; expected a .tar.gz of the calibration files`,
      ));
    inflateStream(bytes, {
      format: "gzip",
      cap: limits.maxTotalBytes,
      over: () => totalOverError(path, limits),
      what: `"${path}"`,
    }, (chunk) => tar.feed(chunk));
    const members = tar.finish();
    if (!tar.startsWithHeader) {
      throw new InputDataError(
        `"${path}" is gzip-compressed but does not hold a tar archive; expected a .tar.gz of the calibration files`,
      );
    }
    return sourceOf(path, "tar.gz", members);
  }
  if (isTarHeader(bytes)) return sourceOf(path, "tar", readTar(bytes, `"${path}"`, caps));
  throw new InputDataError(
    `Calibration dataset "${path}" is not a tar, tar.gz or zip archive (unrecognised leading bytes)`,
  );
}

/** `<workDir>/quant/dataset/<input>`; the input name is made path-safe (`/a/b` → `_a_b`). */
export function datasetDirFor(workDir: string, inputName: string): string {
  return join(workDir, "quant", "dataset", tensorFileStem(inputName));
}

/** The log line of {@linkcode extractDataset} (pulsar2's wording). */
export function extractMessage(source: DatasetSource, dir: string): string {
  return `extract [${source.path}] to [${dir}]...`;
}

/**
 * Write a dataset's files under `dir`, as pulsar2 extracts calibration archives. The folder is
 * emptied first so files of an earlier run never mix in; every file is created new, so a link
 * planted in the folder can't redirect a write.
 *
 * @returns `dir`
 */
export async function extractDataset(
  source: DatasetSource,
  dir: string,
  opts: { log?: Logger } = {},
): Promise<string> {
  opts.log?.info(extractMessage(source, dir));
  try {
    await Deno.remove(dir, { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new InputDataError(
      `Cannot extract "${source.path}": the folder ${dir} ${fsFailure(e, dir, "write")}`,
    );
  }
  const root = resolve(dir);
  for (const file of source.files) {
    const target = resolve(root, file.name);
    const rel = relative(root, target);
    if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) {
      throw new InputDataError(
        `Refusing to extract "${source.path}": member "${file.name}" resolves outside ${dir}`,
      );
    }
    const slash = file.name.lastIndexOf("/");
    try {
      if (slash > 0) await Deno.mkdir(join(root, file.name.slice(0, slash)), { recursive: true });
      await Deno.writeFile(target, file.bytes, { createNew: true });
    } catch (e) {
      throw new InputDataError(
        `Cannot extract member "${file.name}" of "${source.path}" into ${dir}: the file ${
          fsFailure(e, target, "write")
        }`,
      );
    }
  }
  return dir;
}
