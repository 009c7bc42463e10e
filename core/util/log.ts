/**
 * Timestamped logs in pulsar2's (loguru) line format, on stderr:
 * `2026-11-21 05:06:18.123 | INFO     | message`. `quiet` keeps warnings and errors only.
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

/** Make a logger. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const sink = opts.sink ?? ((line: string) => console.error(line));
  const now = opts.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string) => {
    if (opts.quiet && level !== "WARNING" && level !== "ERROR") return;
    if (level === "DEBUG" && !opts.verbose) return;
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
