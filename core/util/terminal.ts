/**
 * The width text output is fitted to: the terminal's columns when stdout is a terminal,
 * else 80 (pipes, files, tests), so redirected output does not depend on the window.
 *
 * @module
 */

/** Width used when stdout is not a terminal. */
export const DEFAULT_WIDTH = 80;

/** Columns of the terminal on stdout, or {@linkcode DEFAULT_WIDTH}. */
export function terminalWidth(): number {
  try {
    if (Deno.stdout.isTerminal()) return Deno.consoleSize().columns;
  } catch {
    // no console size (e.g. stdout closed): fall through
  }
  return DEFAULT_WIDTH;
}
