/**
 * Log lines in the Horizon tools' style (Python `logging`, comma before the milliseconds):
 * `2021-04-21 11:13:08,337 INFO Start hb_mapper....` (spec `horizon.md` §3). Each line goes
 * to the console sink and is kept for the tool's log file in the working directory
 * (`hb_mapper_checker.log`, …).
 *
 * @module
 */
import type { Logger, LogLevel } from "../util/log.ts";
import { timestamp } from "../util/log.ts";

/** A logger that also remembers its lines. */
export interface RecordingLogger extends Logger {
  /** Every line logged so far, in order. */
  readonly lines: readonly string[];
}

/** Python `logging` level names. */
const LEVEL: Readonly<Record<LogLevel, string>> = {
  DEBUG: "DEBUG",
  INFO: "INFO",
  SUCCESS: "INFO",
  WARNING: "WARNING",
  ERROR: "ERROR",
};

/**
 * A Horizon-style logger writing every line to `sink` and keeping it.
 *
 * @param sink the console (stderr)
 * @param now clock, for tests
 */
export function hbLogger(
  sink: (line: string) => void,
  now: () => Date = () => new Date(),
): RecordingLogger {
  const lines: string[] = [];
  const emit = (level: LogLevel, msg: string) => {
    const line = `${timestamp(now()).replace(/\.(\d{3})$/, ",$1")} ${LEVEL[level]} ${msg}`;
    lines.push(line);
    sink(line);
  };
  return {
    lines,
    debug: (m) => emit("DEBUG", m),
    info: (m) => emit("INFO", m),
    success: (m) => emit("SUCCESS", m),
    warn: (m) => emit("WARNING", m),
    error: (m) => emit("ERROR", m),
  };
}
