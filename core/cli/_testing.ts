/**
 * Helpers for tests that drive `axb` through its command-line entry in process.
 *
 * @module
 */
import { main, type MainOptions } from "../../cli.ts";

/** What one in-process CLI call returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `axb ARGS` in process, collecting stdout and stderr (`opts.targets`: the registry to use). */
export async function runCli(args: readonly string[], opts: MainOptions = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    debug: false,
  }, opts);
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Run `f` with the working directory set to a fresh temporary directory, removed afterwards. */
export async function inTempCwd(prefix: string, f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  try {
    await f(dir);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
}
