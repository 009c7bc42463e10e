/**
 * Timestamped logs in pulsar2's (loguru) line format, on stderr:
 * `2026-11-21 05:06:18.123 | INFO     | message`. `quiet` keeps warnings and errors only.
 * The `python` format is Python logging's default for the Horizon commands:
 * `2021-04-21 11:13:08,337 INFO message` (SUCCESS lines print as INFO, WARNING as WARNING).
 *
 * @module
 */

/** Severity of a log line, spelt as it appears in the line. */
export type LogLevel = "DEBUG" | "INFO" | "SUCCESS" | "WARNING" | "ERROR";

/** A logger bound to a sink. */
export interface Logger {
  /** Log a DEBUG line. */
  debug(msg: string): void;
  /** Log an INFO line. */
  info(msg: string): void;
  /** Log a SUCCESS line. */
  success(msg: string): void;
  /** Log a WARNING line. */
  warn(msg: string): void;
  /** Log an ERROR line. */
  error(msg: string): void;
}

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Only WARNING and ERROR lines. */
  quiet?: boolean;
  /** Also DEBUG lines. */
  verbose?: boolean;
  /** Line sink; default writes to stderr. */
  sink?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => Date;
  /** Line format: pulsar2's `loguru` (default) or Python logging's `python`. */
  format?: "loguru" | "python";
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in local time. */
export function timestamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${
      pad(d.getMilliseconds(), 3)
    }`;
}

/** `YYYY-MM-DD HH:MM:SS,mmm` in local time (Python logging's `asctime`). */
export function pythonTimestamp(d: Date): string {
  const t = timestamp(d);
  return `${t.slice(0, 19)},${t.slice(20)}`;
}

/** Make a logger. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const sink = opts.sink ?? ((line: string) => console.error(line));
  const now = opts.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string) => {
    if (opts.quiet && level !== "WARNING" && level !== "ERROR") return;
    if (level === "DEBUG" && !opts.verbose) return;
    if (opts.format === "python") {
      sink(`${pythonTimestamp(now())} ${level === "SUCCESS" ? "INFO" : level} ${msg}`);
      return;
    }
    sink(`${timestamp(now())} | ${level.padEnd(8)} | ${msg}`);
  };
  return {
    debug: (m) => emit("DEBUG", m),
    info: (m) => emit("INFO", m),
    success: (m) => emit("SUCCESS", m),
    warn: (m) => emit("WARNING", m),
    error: (m) => emit("ERROR", m),
  };
}
