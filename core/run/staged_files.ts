/**
 * Files written now and put in place later: each file goes to a hidden temporary file
 * beside its target (same directory, so the final move is a rename), and only
 * {@linkcode StagedFiles.commit} renames them into place. {@linkcode StagedFiles.discard}
 * removes the temporary files and every directory the staging created, so a run that
 * fails half-way leaves the output directory as it was.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/** A set of files staged for one commit. */
export class StagedFiles {
  readonly #pending: { temp: string; path: string }[] = [];
  readonly #createdDirs: string[] = [];

  /** Stage `data` for `path`, creating its directory (remembered for a discard). */
  async write(path: string, data: Uint8Array): Promise<void> {
    await this.#ensureDir(dirname(path));
    const temp = join(
      dirname(path),
      `.${basename(path)}.axb-${crypto.randomUUID().slice(0, 8)}.tmp`,
    );
    this.#pending.push({ temp, path });
    await Deno.writeFile(temp, data);
  }

  /** Rename every staged file into place, in the order written. */
  async commit(): Promise<void> {
    for (const p of this.#pending) await Deno.rename(p.temp, p.path);
    this.#pending.length = 0;
    this.#createdDirs.length = 0;
  }

  /** Remove the staged files and the directories the staging created. */
  async discard(): Promise<void> {
    for (const p of this.#pending) await Deno.remove(p.temp).catch(() => {});
    this.#pending.length = 0;
    for (const d of this.#createdDirs.reverse()) await Deno.remove(d).catch(() => {});
    this.#createdDirs.length = 0;
  }

  async #ensureDir(dir: string): Promise<void> {
    const missing: string[] = [];
    for (let d = dir; !(await isDir(d)); d = dirname(d)) {
      missing.unshift(d);
      if (dirname(d) === d) break;
    }
    for (const d of missing) {
      await Deno.mkdir(d);
      this.#createdDirs.push(d);
    }
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
