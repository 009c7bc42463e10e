/**
 * The console side of a Horizon conversion, shared by `axb hb_mapper makertbin`,
 * `axb hb_compile` and `axb build` with a Horizon YAML: Python-logging-style lines on the
 * console and in the tool's log file in the working directory (cwd) — `log_level` decides
 * what the file keeps, the console shows INFO and above —, the similarity table on stdout
 * and the vendor's closing lines.
 *
 * @module
 */
import type { CommandIO } from "./command.ts";
import { createLogger, type Logger } from "../util/log.ts";
import type { HorizonMapping } from "../config/horizon/mod.ts";
import { type HorizonBuildResult, runHorizonBuild } from "../build/horizon/horizon_build.ts";
import { defaultRegistry } from "../ops/mod.ts";
import type { TargetRegistry } from "../../targets/registry.ts";

/** A console + file logger in Python logging's format. */
export interface HorizonLog {
  readonly log: Logger;
  /** The file's logger alone (the console reports errors once, through the CLI). */
  readonly file: Logger;
  /** Write the collected file lines to `file` (cwd-relative), replacing it. */
  flush(): void;
}

/** The Horizon log: console at INFO, the file at `level` (`debug` keeps everything). */
export function horizonLog(
  io: CommandIO,
  file: string,
  level: "debug" | "info" | "warn" = "debug",
): HorizonLog {
  const lines: string[] = [];
  const console = createLogger({ format: "python", sink: io.stderr });
  const toFile = createLogger({
    format: "python",
    verbose: level === "debug",
    quiet: level === "warn",
    sink: (l) => lines.push(l),
  });
  const both = (k: keyof Logger) => (m: string) => {
    console[k](m);
    toFile[k](m);
  };
  return {
    log: {
      debug: (m) => toFile.debug(m),
      info: both("info"),
      success: both("success"),
      warn: both("warn"),
      error: both("error"),
    },
    file: toFile,
    flush: () => Deno.writeTextFileSync(file, lines.length ? lines.join("\n") + "\n" : ""),
  };
}

/** Options of {@linkcode convertHorizon}. */
export interface ConvertOptions {
  readonly targets: TargetRegistry;
  /** Log file name in the cwd (`hb_mapper_makertbin.log`, `hb_compile.log`). */
  readonly logFile: string;
  /** The command named in the vendor's failure line (`makertbin`). */
  readonly command: string;
  readonly skipCompile?: boolean;
  /** Warnings found while reading the YAML, logged first. */
  readonly warnings?: readonly string[];
}

/** Run the conversion of `mapping` with Horizon's console and log file. */
export async function convertHorizon(
  mapping: HorizonMapping,
  io: CommandIO,
  opts: ConvertOptions,
): Promise<HorizonBuildResult> {
  const h = mapping.horizon;
  const { log, file, flush } = horizonLog(
    io,
    opts.logFile,
    h.model_parameters.log_level ?? "debug",
  );
  log.info("Start Model Convert....");
  for (const w of opts.warnings ?? []) log.warn(w);
  try {
    const result = await runHorizonBuild(mapping, {
      registry: defaultRegistry(),
      targets: opts.targets,
      log,
      print: io.stdout,
      skipCompile: opts.skipCompile,
    });
    log.info(`calibration setting: ${result.calibration}`);
    if (result.container) {
      const kind = h.tool === "hb_compile" ? "hbm" : "bin";
      log.info(`Convert to runtime ${kind} file successfully!`);
    }
    log.info("End Model Convert");
    return result;
  } catch (e) {
    file.error(e instanceof Error ? e.message : String(e));
    file.error(`exception in command: ${opts.command}`);
    throw e;
  } finally {
    flush();
  }
}
