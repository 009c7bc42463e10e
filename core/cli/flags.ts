/**
 * A small declarative command-line layer with pulsar2's conventions:
 * `--name value`, `--name=value`, dotted names, booleans with an optional value
 * (`--x`, `--x 1`, `--x false`), space-separated lists (`--sizes 1 2 4`; `--sizes=` or
 * `--sizes []` for an empty list, which clears a list a config file set), fixed-arity
 * repeatable flags (`--input-shape NAME SHAPE`, repeated), and short aliases.
 *
 * Unknown flags are refused with the nearest known name.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { nearest } from "../util/nearest.ts";
import { terminalWidth } from "../util/terminal.ts";
import { wrapText } from "../report/table.ts";

/** Kinds of flag value. */
export type FlagType = "string" | "int" | "float" | "bool" | "enum" | "strings" | "ints";

/** Declaration of one flag. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `quant.calibration_method`. */
  readonly name: string;
  readonly type: FlagType;
  /** Single-letter or other aliases without dashes (`c` for `-c`). */
  readonly aliases?: readonly string[];
  /** Allowed values for `enum`. */
  readonly values?: readonly string[];
  /** Also accepted for `enum` but not listed in the help's braces (aliases the help names). */
  readonly extraValues?: readonly string[];
  /** Default shown in help; not applied by the parser. */
  readonly default?: string;
  readonly help: string;
  /** For `strings`: exactly this many values per occurrence, and the flag may repeat. */
  readonly arity?: number;
}

/** Parsed value of one flag. */
export type FlagValue = string | number | boolean | string[] | number[] | string[][];

/** Result of parsing. Keys are flag names as declared; only flags given appear. */
export interface ParsedFlags {
  readonly values: Map<string, FlagValue>;
  readonly positionals: string[];
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

/** Parse `argv` against `specs`. Throws {@linkcode UsageError} naming the flag on any problem. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    for (const a of s.aliases ?? []) byName.set(a, s);
  }
  const values = new Map<string, FlagValue>();
  const positionals: string[] = [];
  let i = 0;
  const isFlag = (tok: string | undefined) =>
    tok !== undefined && /^--?[A-Za-z]/.test(tok) && !/^-\d/.test(tok);
  while (i < argv.length) {
    const tok = argv[i++];
    if (tok === "--") {
      positionals.push(...argv.slice(i));
      break;
    }
    if (!isFlag(tok)) {
      positionals.push(tok);
      continue;
    }
    const body = tok.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const key = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    const spec = byName.get(key) ?? byName.get(key.replaceAll("-", "_"));
    if (!spec) {
      const guess = nearest(key, [...byName.keys()]);
      throw new UsageError(
        `Unknown flag --${key}${
          guess ? ` (did you mean --${guess}?)` : ""
        }; run with --help to list the flags`,
      );
    }
    const take = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i];
      if (next === undefined || isFlag(next)) {
        throw new UsageError(`Flag --${spec.name} needs a value`);
      }
      i++;
      return next;
    };
    switch (spec.type) {
      case "bool": {
        let v = true;
        const next = inline ?? argv[i];
        if (next !== undefined && (TRUE.has(next.toLowerCase()) || FALSE.has(next.toLowerCase()))) {
          v = TRUE.has(next.toLowerCase());
          if (inline === undefined) i++;
        } else if (inline !== undefined) {
          throw new UsageError(
            `Flag --${spec.name} is a boolean; got "${inline}", expected true/false/1/0`,
          );
        }
        values.set(spec.name, v);
        break;
      }
      case "string":
        values.set(spec.name, take());
        break;
      case "enum": {
        const raw = take();
        const match = [...spec.values ?? [], ...spec.extraValues ?? []]
          .find((v) => v.toLowerCase() === raw.toLowerCase());
        if (!match) {
          throw new UsageError(
            `Flag --${spec.name}: "${raw}" is not one of ${spec.values?.join(", ")}`,
          );
        }
        values.set(spec.name, match);
        break;
      }
      case "int":
      case "float": {
        const raw = take();
        values.set(spec.name, parseNumber(raw, spec));
        break;
      }
      case "strings":
      case "ints": {
        // `--name=` or `--name []` clears a list that a config file set
        const cleared = spec.arity === undefined &&
          (inline === "" || inline === "[]" || (inline === undefined && argv[i] === "[]"));
        if (cleared) {
          if (inline === undefined) i++;
          values.set(spec.name, []);
          break;
        }
        const list: string[] = [];
        if (inline !== undefined) list.push(...inline.split(",").filter((s) => s !== ""));
        const limit = spec.arity ?? Infinity;
        while (list.length < limit && i < argv.length && !isFlag(argv[i])) list.push(argv[i++]);
        if (list.length === 0 || (spec.arity !== undefined && list.length !== spec.arity)) {
          throw new UsageError(
            `Flag --${spec.name} needs ${spec.arity ?? "one or more"} value(s), got ${list.length}`,
          );
        }
        if (spec.type === "ints") {
          values.set(spec.name, list.map((s) => parseNumber(s, { ...spec, type: "int" })));
        } else if (spec.arity !== undefined) {
          const prev = (values.get(spec.name) as string[][] | undefined) ?? [];
          values.set(spec.name, [...prev, list]);
        } else {
          values.set(spec.name, list);
        }
        break;
      }
    }
  }
  return { values, positionals };
}

function parseNumber(raw: string, spec: FlagSpec): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || (spec.type === "int" && !Number.isInteger(n))) {
    throw new UsageError(
      `Flag --${spec.name}: "${raw}" is not ${spec.type === "int" ? "an integer" : "a number"}`,
    );
  }
  return n;
}

/** The help column is used only when it leaves at least this many characters for the text. */
const MIN_HELP_COLUMN = 30;

/** Indent of the help text under a flag in the stacked layout. */
const STACKED_INDENT = 6;

/**
 * Help text that fits `width` columns (default: the terminal's width, 80 when stdout is
 * not a terminal). When there is room, one row per flag (`names  type  help`, the help
 * wrapping in its column); else each flag's names and type on one line and its help
 * wrapped below it.
 */
export function formatFlagHelp(specs: readonly FlagSpec[], width = terminalWidth()): string {
  const rows = specs.map((s) => {
    const names = [
      `--${s.name}`,
      ...(s.aliases ?? []).map((a) => a.length === 1 ? `-${a}` : `--${a}`),
    ]
      .join(", ");
    const type = s.type === "enum" ? `{${s.values?.join(",")}}` : s.type;
    const def = s.default !== undefined ? ` (default: ${s.default})` : "";
    return { names, type, help: `${s.help}${def}` };
  });
  const w0 = Math.max(...rows.map((r) => r.names.length));
  const w1 = Math.max(...rows.map((r) => r.type.length));
  const helpAt = 2 + w0 + 2 + w1 + 2;
  const out: string[] = [];
  if (width - helpAt >= MIN_HELP_COLUMN) {
    for (const r of rows) {
      const [first, ...more] = wrapText(r.help, width - helpAt);
      out.push(`  ${r.names.padEnd(w0)}  ${r.type.padEnd(w1)}  ${first}`.trimEnd());
      for (const m of more) out.push(`${" ".repeat(helpAt)}${m}`);
    }
    return out.join("\n");
  }
  const indent = " ".repeat(STACKED_INDENT);
  for (const r of rows) {
    const [first, ...more] = wrapText(`${r.names}  ${r.type}`, width - 2);
    out.push(`  ${first}`);
    for (const m of more) out.push(`${indent}${m}`);
    for (const h of wrapText(r.help, width - STACKED_INDENT)) out.push(`${indent}${h}`);
  }
  return out.join("\n");
}
