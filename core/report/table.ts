/**
 * ASCII tables in pulsar2's style (`+---+---+` borders), optionally with a header row
 * and a title line, fitted to a width: when the natural table is wider, the widest
 * columns are narrowed first and their cells wrap onto more lines (at a space, or after
 * `/ , _ . :`, else anywhere); when that would leave the widest columns too narrow to
 * read, each row prints as a block of `header | value` lines.
 *
 * @module
 */
import { terminalWidth } from "../util/terminal.ts";

/** Options of {@linkcode formatTable}. */
export interface TableOptions {
  /** Column titles, printed above a rule. */
  header?: readonly string[];
  /** A title printed above the table. */
  title?: string;
  /**
   * The widest a line may be (default: the terminal's width, 80 when stdout is not a
   * terminal); `Infinity` never wraps. A table whose columns cannot shrink enough (each
   * keeps at least a few characters) is wider.
   */
  maxWidth?: number;
}

/** Columns keep at least this many characters (or their natural width, if smaller). */
const MIN_COLUMN = 6;

/**
 * Narrowing stops being readable when the widest columns must go below this width; a
 * table with a header then prints each row as a block of `header | value` lines.
 */
const MIN_READABLE = 10;

/** Characters after which a cell may wrap (besides a space, where it wraps dropping it). */
const BREAK_AFTER = "/,_.:";

/**
 * Column widths that fit `budget` characters of cell text, narrowing the widest columns
 * to a common cap first; also returns that cap (Infinity when nothing narrowed).
 */
function fitWidths(natural: readonly number[], budget: number): { widths: number[]; cap: number } {
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= budget) return { widths: [...natural], cap: Infinity };
  const floor = natural.map((w) => Math.min(w, MIN_COLUMN));
  if (floor.reduce((a, b) => a + b, 0) >= budget) return { widths: floor, cap: MIN_COLUMN };
  // the largest cap such that columns capped at it fit, then hand out what is left
  let cap = Math.max(...natural);
  const capped = (c: number) => natural.map((w, i) => Math.max(floor[i], Math.min(w, c)));
  while (cap > MIN_COLUMN && capped(cap).reduce((a, b) => a + b, 0) > budget) cap--;
  const widths = capped(cap);
  let spare = budget - widths.reduce((a, b) => a + b, 0);
  for (let i = 0; i < widths.length && spare > 0; i++) {
    if (natural[i] > widths[i]) {
      widths[i]++;
      spare--;
    }
  }
  return { widths, cap };
}

/**
 * `text` split into lines of at most `width` characters: at the last space that fits
 * (dropped) or after the last of `/ , _ . :` that fits, whichever keeps more on the
 * line, else exactly at `width`.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width && width >= 1) {
    const space = rest.lastIndexOf(" ", width);
    let after = 0;
    for (let i = width - 1; i > 0; i--) {
      if (BREAK_AFTER.includes(rest[i])) {
        after = i + 1;
        break;
      }
    }
    const atSpace = space > 0 && space >= after;
    const cut = atSpace ? space : after > 0 ? after : width;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(atSpace ? cut + 1 : cut);
  }
  lines.push(rest);
  return lines;
}

/** Bordered lines of `rows` in columns of `widths`, each cell wrapped to its column. */
function grid(rows: readonly (readonly string[])[], widths: readonly number[]): string[] {
  return rows.flatMap((r) => {
    const cells = widths.map((w, c) => wrapText(r[c] ?? "", w));
    const height = Math.max(1, ...cells.map((l) => l.length));
    return Array.from(
      { length: height },
      (_, k) => `|${widths.map((w, c) => ` ${(cells[c][k] ?? "").padEnd(w)} `).join("|")}|`,
    );
  });
}

/** The rule line of a table with columns of `widths`. */
function ruleOf(widths: readonly number[], ch = "-"): string {
  return `+${widths.map((w) => ch.repeat(w + 2)).join("+")}+`;
}

/**
 * Render rows of cells as a bordered table that fits `opts.maxWidth`. A table too wide
 * to narrow readably (see `MIN_READABLE`) and that has a header prints each row as a
 * block of `header | value` lines instead, blocks separated by rules.
 */
export function formatTable(rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const header = opts.header;
  const all = header ? [header, ...rows] : rows;
  const cols = Math.max(0, ...all.map((r) => r.length));
  const natural = Array.from(
    { length: cols },
    (_, c) => Math.max(0, ...all.map((r) => (r[c] ?? "").length)),
  );
  const maxWidth = opts.maxWidth ?? terminalWidth();
  const { widths, cap } = fitWidths(natural, maxWidth - (3 * cols + 1));
  const out: string[] = [];
  if (opts.title) out.push(...wrapText(opts.title, Math.max(MIN_COLUMN, maxWidth)));
  if (header && cols > 2 && cap < MIN_READABLE) {
    const key = Math.min(Math.max(...header.map((h) => h.length)), Math.floor(maxWidth / 3));
    const pair = [key, Math.max(MIN_COLUMN, maxWidth - key - 7)];
    const rule = ruleOf(pair);
    out.push(rule);
    for (const r of rows) {
      out.push(...grid(header.map((h, c) => [h, r[c] ?? ""]), pair), rule);
    }
    return out.join("\n");
  }
  const rule = ruleOf(widths);
  out.push(rule);
  if (header) out.push(...grid([header], widths), ruleOf(widths, "="));
  out.push(...grid(rows, widths), rule);
  return out.join("\n");
}
