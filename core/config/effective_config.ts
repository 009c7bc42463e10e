/**
 * `build_context.json`: the effective configuration that `axb build` leaves in its output
 * directory, as pulsar2 does.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { BuildConfig } from "./build_config.ts";

/**
 * Write `build_context.json` (the effective config) into `outputDir` atomically: a temp
 * file in the same directory, then a rename. Returns the file path.
 */
export async function writeEffectiveConfig(
  config: BuildConfig,
  outputDir: string,
): Promise<string> {
  const path = join(outputDir, "build_context.json");
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
