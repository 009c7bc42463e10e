/**
 * Progress bars of the long build stages (calibration, io export, precision analysis,
 * compilation, `compiler.check`): `label ━━━━━━━━━━━━━━━━━━━━ 12/32  37%` on stderr.
 *
 * - On a terminal a bar redraws in place with `\r` and ends its line when finished. Log
 *   lines written through {@linkcode ProgressDisplay.lineWriter} first clear the bar's
 *   line, then the bar is drawn again below them, so a warning never lands in the
 *   middle of a bar.
 * - Elsewhere (pipes, CI logs) there is no redrawing: a bar prints a line at most every
 *   `lineInterval` milliseconds while it runs, and one line when finished.
 * - `quiet` draws nothing.
 *
 * @module
 */

/** Where bars draw; default is stderr. */
export interface ProgressSink {
  /** Whether the sink is a terminal (bars then redraw in place). */
  isTerminal(): boolean;
  /** Write bytes synchronously. */
  writeSync(bytes: Uint8Array): number;
}

/** Options of {@linkcode ProgressDisplay} and {@linkcode progressBar}. */
export interface ProgressOptions {
  /** Draw nothing. */
  quiet?: boolean;
  /** Bar width in characters (default 40). */
  width?: number;
  /** Where bars draw (default stderr). */
  sink?: ProgressSink;
  /**
   * Off a terminal, the least time between two lines of a running bar, in milliseconds
   * (default 10 000), so a long stage in a CI log still shows it is alive.
   */
  lineInterval?: number;
  /** Clock in milliseconds (default `performance.now`), for tests. */
  now?: () => number;
}

/** A running progress bar. */
export interface ProgressBar {
  /** Set the number of finished steps. */
  update(done: number): void;
  /** Finish: draw the final count and end the line. */
  finish(): void;
}

/** A bar that draws nothing (stages run without a display). */
export const NO_PROGRESS: ProgressBar = { update() {}, finish() {} };

/** The bar text for `done` of `total` (no `\r`, no newline). */
export function renderProgress(label: string, done: number, total: number, width = 40): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * width);
  const bar = "━".repeat(filled) + " ".repeat(width - filled);
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  return `${label} ${bar} ${done}/${total} ${pct}`;
}

/** Clears the terminal line the cursor is on (carriage return, erase line). */
const CLEAR_LINE = "\r\x1b[K";

/**
 * The bars of one run on one sink, and the log lines that pass while a bar is drawn.
 *
 * @example
 * ```ts
 * import { createLogger } from "./log.ts";
 * const display = new ProgressDisplay({ quiet: false });
 * const log = createLogger({ sink: display.lineWriter((line) => console.error(line)) });
 * const bar = display.bar("Precision analysis", 32);
 * for (let i = 1; i <= 32; i++) bar.update(i);
 * log.info("a log line never tears the bar");
 * bar.finish();
 * ```
 */
export class ProgressDisplay {
  readonly #opts: ProgressOptions;
  readonly #sink: ProgressSink;
  readonly #tty: boolean;
  readonly #enc = new TextEncoder();
  /** Text of the bar currently drawn on the terminal line, if any. */
  #drawn: string | undefined;

  /** A display drawing on `opts.sink` (default stderr). */
  constructor(opts: ProgressOptions = {}) {
    this.#opts = opts;
    this.#sink = opts.sink ?? Deno.stderr;
    this.#tty = !opts.quiet && this.#sink.isTerminal();
  }

  /** Whether bars draw at all (not quiet). */
  get enabled(): boolean {
    return !this.#opts.quiet;
  }

  /** Start a bar of `total` steps. */
  bar(label: string, total: number): ProgressBar {
    if (this.#opts.quiet) return NO_PROGRESS;
    const now = this.#opts.now ?? (() => performance.now());
    const interval = this.#opts.lineInterval ?? 10_000;
    const text = (done: number) => renderProgress(label, done, total, this.#opts.width);
    let done = 0;
    let finished = false;
    let lastPct = -1;
    let lastLine = now();
    return {
      update: (n: number) => {
        done = n;
        if (finished) return;
        if (!this.#tty) {
          if (now() - lastLine >= interval) {
            lastLine = now();
            this.#write(`${text(done)}\n`);
          }
          return;
        }
        const pct = Math.floor((100 * done) / Math.max(total, 1));
        if (pct === lastPct) return;
        lastPct = pct;
        this.#drawn = text(done);
        this.#write(`\r${this.#drawn}`);
      },
      finish: () => {
        if (finished) return;
        finished = true;
        this.#drawn = undefined;
        this.#write(this.#tty ? `\r${text(done)}\n` : `${text(done)}\n`);
      },
    };
  }

  /**
   * A line writer around `write` for log lines: on a terminal with a bar drawn, it clears
   * the bar's line, writes the line, and draws the bar again after it.
   */
  lineWriter(write: (line: string) => void): (line: string) => void {
    return (line) => {
      const drawn = this.#drawn;
      if (!drawn) return write(line);
      this.#write(CLEAR_LINE);
      write(line);
      this.#write(`\r${drawn}`);
    };
  }

  #write(text: string): void {
    this.#sink.writeSync(this.#enc.encode(text));
  }
}

/**
 * Start a progress bar on a display of its own.
 *
 * @example
 * ```ts
 * const bar = progressBar("Loading calibration data", 32);
 * for (let i = 1; i <= 32; i++) bar.update(i);
 * bar.finish();
 * ```
 */
export function progressBar(label: string, total: number, opts: ProgressOptions = {}): ProgressBar {
  return new ProgressDisplay(opts).bar(label, total);
}
