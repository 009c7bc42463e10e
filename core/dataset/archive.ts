/**
 * Calibration dataset sources: a tar, gzipped tar (`.tar.gz`, `.tgz`, `.gz`), zip archive or a
 * plain directory, listed as regular files named relative to the archive root.
 *
 * The container is recognised by its bytes (gzip `1f 8b`, zip `PK`, tar header checksum), not
 * by its extension. Member paths are checked before anything is read or written: a member
 * whose path is absolute or climbs out of the root (`../x`, `a/../../x`) is refused; macOS
 * `__MACOSX/` folders and dotfiles (`.DS_Store`, `._x.jpg`, anything under `.git/`) are
 * skipped; directories, links and devices are not files and are skipped too.
 *
 * @module
 */
import { gunzipSync, unzipSync } from "fflate";
import { isAbsolute, join, relative, resolve } from "node:path";
import { InputDataError } from "../errors/mod.ts";
import type { Logger } from "../util/log.ts";
import { tensorFileStem } from "../io/raw.ts";
import { isTarHeader, readTar } from "./tar.ts";

/** How a dataset was stored. */
export type DatasetSourceKind = "tar" | "tar.gz" | "zip" | "directory";

/** One regular file of a dataset. */
export interface DatasetFile {
  /** Path relative to the archive root, `/`-separated, normalised (no `./`, no `..`). */
  name: string;
  bytes: Uint8Array;
}

/** An opened dataset: its files sorted by name (code-unit order, like Python's `sorted`). */
export interface DatasetSource {
  /** The path the user gave. */
  path: string;
  kind: DatasetSourceKind;
  files: DatasetFile[];
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

function fromTar(bytes: Uint8Array, archive: string): DatasetFile[] {
  const members = readTar(bytes, `"${archive}"`);
  const entries: [string, Uint8Array][] = [];
  for (const m of members) {
    // Validate every path (links and directories too), keep regular files only.
    const name = checkMemberPath(m.name, archive);
    if (name !== undefined && m.kind === "file") entries.push([m.name, m.data]);
  }
  return collect(entries, archive);
}

function fromZip(bytes: Uint8Array, archive: string): DatasetFile[] {
  let unzipped: Record<string, Uint8Array>;
  try {
    unzipped = unzipSync(bytes);
  } catch (e) {
    throw new InputDataError(
      `Cannot read zip archive "${archive}": ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return collect(Object.entries(unzipped), archive);
}

async function fromDirectory(root: string): Promise<DatasetFile[]> {
  const files: DatasetFile[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.startsWith(".") || (rel === "" && entry.name === "__MACOSX")) continue;
      const path = join(dir, entry.name);
      const name = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory) await walk(path, name);
      else if (entry.isFile || (entry.isSymlink && (await Deno.stat(path)).isFile)) {
        files.push({ name, bytes: await Deno.readFile(path) });
      }
    }
  };
  await walk(root, "");
  return files.sort(byName);
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
 * @throws {InputDataError} when the path is missing, not a supported container, or a member
 *   path escapes the root
 */
export async function openDataset(path: string): Promise<DatasetSource> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new InputDataError(
      `Calibration dataset "${path}" does not exist; expected a tar, tar.gz, zip file or a directory`,
    );
  }
  if (info.isDirectory) return { path, kind: "directory", files: await fromDirectory(path) };
  const bytes = await Deno.readFile(path);
  if (isZip(bytes)) return { path, kind: "zip", files: fromZip(bytes, path) };
  if (isGzip(bytes)) {
    let inner: Uint8Array;
    try {
      inner = gunzipSync(bytes);
    } catch (e) {
      throw new InputDataError(
        `Cannot decompress "${path}": ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (!isTarHeader(inner)) {
      throw new InputDataError(
        `"${path}" is gzip-compressed but does not hold a tar archive; expected a .tar.gz of the calibration files`,
      );
    }
    return { path, kind: "tar.gz", files: fromTar(inner, path) };
  }
  if (isTarHeader(bytes)) return { path, kind: "tar", files: fromTar(bytes, path) };
  throw new InputDataError(
    `Calibration dataset "${path}" is not a tar, tar.gz or zip archive (unrecognised leading bytes)`,
  );
}

/** `<workDir>/quant/dataset/<input>`; the input name is made path-safe (`/a/b` → `_a_b`). */
export function datasetDirFor(workDir: string, inputName: string): string {
  return join(workDir, "quant", "dataset", tensorFileStem(inputName));
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
  opts.log?.info(`extract [${source.path}] to [${dir}]...`);
  await Deno.remove(dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(dir, { recursive: true });
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
    if (slash > 0) await Deno.mkdir(join(root, file.name.slice(0, slash)), { recursive: true });
    await Deno.writeFile(target, file.bytes, { createNew: true });
  }
  return dir;
}
