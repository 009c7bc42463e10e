/**
 * `build_context.json`: the effective configuration that `axb build` leaves in its output
 * directory, as pulsar2 does, with its paths relative to `config.output_dir`
 * ({@linkcode withPortablePaths}) so the file does not depend on where the build ran.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { BuildConfig } from "./build_config.ts";
import { withPortablePaths } from "./portable_paths.ts";

/**
 * Write `build_context.json` (the effective config) into `outputDir` atomically: a temp
 * file in the same directory, then a rename. Returns the file path.
 */
export async function writeEffectiveConfig(
  config: BuildConfig,
  outputDir: string,
): Promise<string> {
  const path = join(outputDir, "build_context.json");
  const portable = withPortablePaths(config, config.output_dir);
  await writeFileAtomic(path, `${JSON.stringify(portable, null, 2)}\n`);
  return path;
}
