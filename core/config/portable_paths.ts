/**
 * The effective config as artifacts record it, so that the same build into two different
 * output directories writes byte-identical `build_context.json` and `compiled.axmodel`
 * files: a path inside the output directory (the directory itself, a `work_dir` below it)
 * is recorded relative to it, `/`-separated (`.` for the directory itself); a path outside
 * it (the model, the calibration data) is recorded as the user wrote it, since that is the
 * same for the same inputs. An empty path (an unset field) stays empty.
 *
 * The path fields: `input`, `weights`, `output_dir`, `work_dir`, `quant.input_configs[].calibration_dataset`,
 * `quant.input_sample_dir`, `compiler.input_sample_dir` (and each `compiler.sub_configs[]`'s),
 * `const_processors[].data_path`.
 *
 * @module
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { BuildConfig } from "./build_config.ts";

/**
 * `config` with its path fields relative to `outputDir` (see the module doc).
 *
 * @param config the effective config
 * @param outputDir the directory the artifacts are written to
 * @returns a new config; `config` is unchanged
 */
export function withPortablePaths(config: BuildConfig, outputDir: string): BuildConfig {
  const base = resolve(outputDir);
  const rel = (p: string): string => {
    if (p === "") return p;
    const r = relative(base, resolve(p));
    if (r === "") return ".";
    if (r === ".." || r.startsWith(`..${sep}`) || isAbsolute(r)) return p;
    return r.split(sep).join("/");
  };
  return {
    ...config,
    input: rel(config.input),
    ...(config.weights === undefined ? {} : { weights: rel(config.weights) }),
    output_dir: rel(config.output_dir),
    work_dir: rel(config.work_dir),
    quant: {
      ...config.quant,
      input_sample_dir: rel(config.quant.input_sample_dir),
      input_configs: config.quant.input_configs.map((c) => ({
        ...c,
        calibration_dataset: rel(c.calibration_dataset),
      })),
    },
    compiler: {
      ...config.compiler,
      input_sample_dir: rel(config.compiler.input_sample_dir),
      sub_configs: config.compiler.sub_configs.map((s) => ({
        ...s,
        input_sample_dir: rel(s.input_sample_dir),
      })),
    },
    const_processors: config.const_processors.map((c) => ({ ...c, data_path: rel(c.data_path) })),
  };
}
