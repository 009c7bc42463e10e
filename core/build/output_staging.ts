/**
 * Build output written out of sight, then swapped in: a build writes into a hidden
 * staging directory on the output directory's filesystem (inside it when it exists —
 * it may be a mount point — else beside it), so the final moves are renames, and only
 * once the build has succeeded do the entries it owns replace the previous ones. A
 * failure removes the staging directory; a kill leaves it behind (`.axb-staging-XXXXXX`
 * inside the output, or `.NAME.axb-staging-XXXXXX` beside it) but never touches the
 * previous output. Each staging directory names its owner (`owner.json`: process id, host,
 * start time); the next build in the same place removes the ones whose owner is gone — a
 * process of this host that no longer exists (seen through `/proc`, where there is one),
 * or any owner older than a day.
 *
 * A build owns these entries and nothing else, so files a user keeps in the output
 * directory survive every build:
 * - in `output_dir`: `build_context.json` and the compiled model (`output_name`'s first
 *   path segment);
 * - in `work_dir` (default `output_dir`): `frontend/`, `quant/`, `compiler/`.
 *
 * An owned entry the new build did not produce (say `compiler/` from an earlier build
 * with `npu_perf`) is removed too: the output then describes one build.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { ConfigError } from "../errors/mod.ts";

/** The file in a staging directory that names the build owning it. */
const OWNER_FILE = "owner.json";

/** Age after which a staging directory is abandoned whoever owns it, in milliseconds. */
const ABANDONED_AFTER_MS = 24 * 3600 * 1000;

/** Who owns a staging directory. */
interface StagingOwner {
  pid: number;
  host: string;
  started: number;
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return ""; // without --allow-sys: only the age rule applies
  }
}

/** Whether the owner recorded in `dir` is gone (unreadable owners count as gone when old). */
async function abandoned(dir: string, now: number): Promise<boolean> {
  let owner: Partial<StagingOwner> = {};
  try {
    owner = JSON.parse(await Deno.readTextFile(join(dir, OWNER_FILE)));
  } catch {
    owner = {};
  }
  const started = typeof owner.started === "number"
    ? owner.started
    : (await Deno.stat(dir)).mtime?.getTime() ?? now;
  if (now - started > ABANDONED_AFTER_MS) return true;
  if (typeof owner.pid !== "number" || owner.host !== hostName() || owner.host === "") {
    return false;
  }
  return await processGone(owner.pid);
}

/**
 * Whether process `pid` of this host no longer exists, seen through `/proc`; false when that
 * cannot be seen (no `/proc`, or Deno grants `/proc` only with `--allow-all`).
 */
export async function processGone(pid: number): Promise<boolean> {
  try {
    await Deno.lstat("/proc/self");
  } catch {
    return false;
  }
  return !(await exists(`/proc/${pid}`));
}

/** Remove the staging directories in `parent` named `prefix…` whose builds are gone. */
async function removeAbandoned(parent: string, prefix: string): Promise<void> {
  const now = Date.now();
  try {
    for await (const e of Deno.readDir(parent)) {
      if (!e.isDirectory || !e.name.startsWith(prefix)) continue;
      const dir = join(parent, e.name);
      const gone = await abandoned(dir, now).catch(() => false);
      if (gone) await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  } catch {
    // an unreadable parent leaves the leftovers alone; the build itself goes on
  }
}

/** Entries of the work directory a build writes. */
const WORK_ENTRIES = ["frontend", "quant", "compiler"];

/** Name of the effective config in the output directory. */
const CONTEXT_FILE = "build_context.json";

/** One directory being staged. */
interface StagedRoot {
  /** The directory the build's files end up in. */
  readonly final: string;
  /** Where they are written meanwhile. */
  readonly staged: string;
  /** Top-level entries of `final` the build owns. */
  readonly entries: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The nearest existing directory at or above `dir`. */
async function nearestExisting(dir: string): Promise<string> {
  let d = dir;
  while (!(await exists(d))) {
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}

/** The first segment of `output_name`, refusing names that leave `output_dir`. */
function outputEntry(outputName: string): string {
  const n = normalize(outputName);
  if (n === "" || n === "." || isAbsolute(n) || n === ".." || n.startsWith(`..${sep}`)) {
    throw new ConfigError(
      `output_name "${outputName}" is not a file name inside output_dir; give a name such as compiled.axmodel`,
      { field: "output_name" },
    );
  }
  return n.split(sep)[0];
}

/** Staging of one build's output (and work) directory. */
export class OutputStaging {
  readonly #roots: readonly StagedRoot[];

  private constructor(roots: readonly StagedRoot[]) {
    this.#roots = roots;
  }

  /**
   * Check `output_name` and create the staging directories (nothing else is written).
   *
   * @param dirs the configured `output_dir`, `work_dir` (empty = `output_dir`) and
   *   `output_name`
   * @returns the staging, whose {@linkcode OutputStaging.output} and
   *   {@linkcode OutputStaging.work} receive the build's files
   * @throws {ConfigError} when `output_name` leaves `output_dir`, or `output_dir` or
   *   `work_dir` is a file
   */
  static async open(
    dirs: { output_dir: string; work_dir: string; output_name: string },
  ): Promise<OutputStaging> {
    const outEntries = [CONTEXT_FILE, outputEntry(dirs.output_name)];
    const out = resolve(dirs.output_dir);
    const work = resolve(dirs.work_dir || dirs.output_dir);
    const plan = work === out
      ? [{ final: out, entries: [...outEntries, ...WORK_ENTRIES] }]
      : [{ final: out, entries: outEntries }, { final: work, entries: WORK_ENTRIES }];
    const roots: StagedRoot[] = [];
    try {
      for (const p of plan) {
        // Inside an existing directory (it may be a mount point, and renames cannot cross
        // filesystems); beside a missing one, in its nearest existing ancestor.
        const inside = await exists(p.final);
        if (inside && !(await Deno.stat(p.final)).isDirectory) {
          const field = p.final === out ? "output_dir" : "work_dir";
          throw new ConfigError(`${field} "${p.final}" is a file, expected a directory`, {
            field,
          });
        }
        const parent = inside ? p.final : await nearestExisting(dirname(p.final));
        const prefix = inside ? ".axb-staging-" : `.${basename(p.final)}.axb-staging-`;
        await removeAbandoned(parent, prefix);
        const staged = await Deno.makeTempDir({ dir: parent, prefix });
        roots.push({ ...p, staged });
        const owner: StagingOwner = { pid: Deno.pid, host: hostName(), started: Date.now() };
        await Deno.writeTextFile(join(staged, OWNER_FILE), JSON.stringify(owner));
      }
    } catch (e) {
      for (const r of roots) await Deno.remove(r.staged, { recursive: true }).catch(() => {});
      throw e;
    }
    return new OutputStaging(roots);
  }

  /** Where the files of `output_dir` are written while the build runs. */
  get output(): string {
    return this.#roots[0].staged;
  }

  /** Where the files of `work_dir` are written while the build runs. */
  get work(): string {
    return this.#roots[this.#roots.length - 1].staged;
  }

  /** `text` with every staging directory replaced by the directory it stands for. */
  shown(text: string): string {
    let out = text;
    for (const r of this.#roots) out = out.replaceAll(r.staged, r.final);
    return out;
  }

  /**
   * Move the staged entries into place, replacing the owned entries of the previous
   * output, and remove the staging directories. When a move fails, the moves done so far
   * are undone as far as possible before the error is rethrown.
   */
  async commit(): Promise<void> {
    for (const r of this.#roots) await swapIn(r);
    await this.discard();
  }

  /** Remove the staging directories (after a failure, or after the commit). */
  async discard(): Promise<void> {
    for (const r of this.#roots) {
      await Deno.remove(r.staged, { recursive: true }).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
  }
}

/** Replace the owned entries of `r.final` with the staged ones. */
async function swapIn(r: StagedRoot): Promise<void> {
  await Deno.mkdir(r.final, { recursive: true });
  const previous = join(r.staged, ".previous");
  await Deno.mkdir(previous);
  const retired: string[] = [];
  const placed: string[] = [];
  try {
    for (const e of r.entries) {
      if (!(await exists(join(r.final, e)))) continue;
      await Deno.rename(join(r.final, e), join(previous, e));
      retired.push(e);
    }
    for (const e of r.entries) {
      if (!(await exists(join(r.staged, e)))) continue;
      await Deno.rename(join(r.staged, e), join(r.final, e));
      placed.push(e);
    }
  } catch (err) {
    for (const e of placed) await Deno.rename(join(r.final, e), join(r.staged, e)).catch(() => {});
    for (const e of retired) await Deno.rename(join(previous, e), join(r.final, e)).catch(() => {});
    throw err;
  }
}
