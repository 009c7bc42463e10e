/**
 * The subcommand contract `cli.ts` dispatches to. A command parses its own flags
 * (with {@linkcode parseFlags}), does its work, and returns the exit status:
 * 0 ok, 1 a check failed, 2 bad input. Errors it throws are printed by the dispatcher.
 *
 * @module
 */
import type { FlagSpec } from "./flags.ts";

/** One `axb` subcommand. */
export interface Command {
  /** Name as typed: `run`, `build`, `hb_mapper`. */
  readonly name: string;
  /** One line for `axb --help`. */
  readonly summary: string;
  /** Usage line(s) for `axb NAME --help`. */
  readonly usage: string;
  /** Flags listed by `axb NAME --help`. */
  readonly flags: readonly FlagSpec[];
  /**
   * The flags `axb NAME ARGS --help` lists when they depend on ARGS (e.g. chips added by
   * `--target_plugin`); `flags` otherwise.
   */
  helpFlags?(argv: readonly string[]): Promise<readonly FlagSpec[]>;
  run(argv: readonly string[], io: CommandIO): Promise<number>;
}

/** Where a command writes. stdout carries results (tables, JSON); stderr carries logs. */
export interface CommandIO {
  /** Write result text (tables, JSON) to standard output. */
  stdout(text: string): void;
  /** Write log or error text to standard error. */
  stderr(text: string): void;
  /** True when `--debug` was given (print stacks, verbose logs). */
  readonly debug: boolean;
}
