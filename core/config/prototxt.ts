/**
 * A protobuf text-format reader (the `.prototxt` form of a pulsar2 `BuildConfig`).
 *
 * Syntax: `name: scalar`, `name { … }`, `name: { … }`, `name < … >`, repeated fields by
 * repetition or as lists `name: [a, b]`, scalars = numbers (`-1`, `1e-6`, `0x1f`, `1.5f`),
 * quoted strings (`"…"`/`'…'` with C escapes, adjacent strings concatenated), identifiers
 * (enum names, `true`/`false`), `#` comments, optional `,`/`;` after a field.
 *
 * {@linkcode parsePrototxt} gives a syntax tree; {@linkcode prototxtToPlain} turns it into
 * plain JSON-like data, using a {@linkcode FieldNode} tree to know which fields are repeated
 * (they become arrays even when given once). Syntax errors are `ConfigError`s whose message
 * starts with `file:line:col`.
 *
 * @module
 */
import { ConfigError } from "../errors/mod.ts";
import type { FieldNode } from "./fields.ts";
import { MAX_CONFIG_DEPTH } from "./bounded.ts";

/** A scalar or nested value with its position. */
export type PtValue =
  | { readonly kind: "scalar"; readonly value: string | number | boolean; readonly at: Pos }
  | { readonly kind: "message"; readonly fields: PtField[]; readonly at: Pos }
  | { readonly kind: "list"; readonly items: PtValue[]; readonly at: Pos };

/** One `name: value` occurrence. */
export interface PtField {
  readonly name: string;
  readonly value: PtValue;
  readonly at: Pos;
}

/** 1-based line and column. */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

class Lexer {
  i = 0;
  line = 1;
  col = 1;
  /** Messages open at the current position; bounded so recursion cannot exhaust the stack. */
  depth = 0;
  constructor(readonly text: string, readonly file: string) {}

  fail(msg: string, at: Pos = this.pos()): never {
    throw new ConfigError(`${this.file}:${at.line}:${at.col}: ${msg}`, { file: this.file });
  }
  pos(): Pos {
    return { line: this.line, col: this.col };
  }
  advance(n = 1): void {
    for (let k = 0; k < n; k++) {
      if (this.text[this.i] === "\n") {
        this.line++;
        this.col = 1;
      } else this.col++;
      this.i++;
    }
  }
  /** Skip whitespace (any Unicode space) and `#` comments. */
  skip(): void {
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (/\s|\uFEFF/.test(c)) this.advance();
      else if (c === "#") {
        while (this.i < this.text.length && this.text[this.i] !== "\n") this.advance();
      } else break;
    }
  }
  peek(): string {
    this.skip();
    return this.text[this.i] ?? "";
  }
  eat(ch: string): boolean {
    if (this.peek() === ch) {
      this.advance();
      return true;
    }
    return false;
  }
  ident(): string | undefined {
    this.skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i, this.i + 256));
    if (!m) return undefined;
    this.advance(m[0].length);
    return m[0];
  }
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  '"': '"',
  "'": "'",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "?": "?",
};

function readString(lx: Lexer): string {
  const quote = lx.text[lx.i];
  const start = lx.pos();
  lx.advance();
  let out = "";
  while (true) {
    const c = lx.text[lx.i];
    if (c === undefined || c === "\n") lx.fail("unterminated string", start);
    lx.advance();
    if (c === quote) return out;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = lx.text[lx.i] ?? "";
    const rest = lx.text.slice(lx.i);
    let m: RegExpExecArray | null;
    if (e in ESCAPES) {
      out += ESCAPES[e];
      lx.advance();
    } else if ((m = /^x([0-9a-fA-F]{1,2})/.exec(rest))) {
      out += String.fromCharCode(parseInt(m[1], 16));
      lx.advance(m[0].length);
    } else if ((m = /^u([0-9a-fA-F]{4})/.exec(rest))) {
      out += String.fromCharCode(parseInt(m[1], 16));
      lx.advance(m[0].length);
    } else if ((m = /^[0-7]{1,3}/.exec(rest))) {
      out += String.fromCharCode(parseInt(m[0], 8));
      lx.advance(m[0].length);
    } else lx.fail(`unknown escape \\${e} in string`);
  }
}

const NUMBER = /^[-+]?(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)[fF]?(?![A-Za-z0-9_])/;

function readScalar(lx: Lexer): PtValue {
  const at = lx.pos();
  const c = lx.peek();
  if (c === '"' || c === "'") {
    let s = readString(lx);
    while (lx.peek() === '"' || lx.peek() === "'") s += readString(lx);
    return { kind: "scalar", value: s, at };
  }
  const m = NUMBER.exec(lx.text.slice(lx.i, lx.i + 64));
  if (m) {
    lx.advance(m[0].length);
    const body = m[0].replace(/[fF]$/, "").replace(/^\+/, "");
    const n = /^-?0[xX]/.test(body)
      ? (body.startsWith("-") ? -1 : 1) * parseInt(body.replace(/^-?0[xX]/, ""), 16)
      : Number(body);
    return { kind: "scalar", value: n, at };
  }
  const neg = lx.text[lx.i] === "-";
  if (neg) lx.advance();
  const id = lx.ident();
  if (id === undefined) lx.fail(`expected a value, found ${describe(lx.text[lx.i])}`, at);
  if (!neg && (id === "true" || id === "True" || id === "t")) {
    return { kind: "scalar", value: true, at };
  }
  if (!neg && (id === "false" || id === "False" || id === "f")) {
    return { kind: "scalar", value: false, at };
  }
  if (/^(inf|infinity)$/i.test(id)) {
    return { kind: "scalar", value: neg ? -Infinity : Infinity, at };
  }
  if (/^nan$/i.test(id)) return { kind: "scalar", value: NaN, at };
  if (neg) lx.fail(`expected a number after "-", found ${id}`, at);
  return { kind: "scalar", value: id, at };
}

function describe(c: string | undefined): string {
  return c === undefined || c === "" ? "end of file" : `"${c}"`;
}

function readMessageBody(lx: Lexer, close: string): PtField[] {
  const fields: PtField[] = [];
  if (close !== "" && ++lx.depth > MAX_CONFIG_DEPTH) {
    lx.fail(`messages nest deeper than ${MAX_CONFIG_DEPTH} levels, axb's limit for config files`);
  }
  while (true) {
    const c = lx.peek();
    if (close === "" ? c === "" : c === close) {
      if (close !== "") {
        lx.advance();
        lx.depth--;
      }
      return fields;
    }
    if (c === "") lx.fail(`expected "${close}" to close the message, found end of file`);
    fields.push(readField(lx));
    if (!lx.eat(",")) lx.eat(";");
  }
}

function readField(lx: Lexer): PtField {
  const at = lx.pos();
  let name = lx.ident();
  if (name === undefined) {
    if (lx.peek() === "[") {
      const end = lx.text.indexOf("]", lx.i);
      if (end < 0) lx.fail(`unterminated extension name "["`);
      name = lx.text.slice(lx.i + 1, end).trim();
      lx.advance(end + 1 - lx.i);
    } else lx.fail(`expected a field name, found ${describe(lx.peek())}`);
  }
  const colon = lx.eat(":");
  const c = lx.peek();
  if (c === "{" || c === "<") {
    lx.advance();
    const fields = readMessageBody(lx, c === "{" ? "}" : ">");
    return { name, at, value: { kind: "message", fields, at } };
  }
  if (!colon) lx.fail(`expected ":" or "{" after field name ${name}, found ${describe(c)}`);
  if (c === "[") {
    const lat = lx.pos();
    lx.advance();
    const items: PtValue[] = [];
    if (!lx.eat("]")) {
      while (true) {
        const d = lx.peek();
        if (d === "{" || d === "<") {
          const iat = lx.pos();
          lx.advance();
          items.push({
            kind: "message",
            fields: readMessageBody(lx, d === "{" ? "}" : ">"),
            at: iat,
          });
        } else items.push(readScalar(lx));
        if (lx.eat("]")) break;
        if (!lx.eat(",")) {
          lx.fail(`expected "," or "]" in the list of ${name}, found ${describe(lx.peek())}`);
        }
      }
    }
    return { name, at, value: { kind: "list", items, at: lat } };
  }
  return { name, at, value: readScalar(lx) };
}

/** Parse protobuf text format into a list of top-level fields. */
export function parsePrototxt(text: string, file: string): PtField[] {
  return readMessageBody(new Lexer(text, file), "");
}

/** Group fields by name, keeping first-seen order. */
function group(fields: PtField[]): Map<string, PtField[]> {
  const m = new Map<string, PtField[]>();
  for (const f of fields) m.set(f.name, [...(m.get(f.name) ?? []), f]);
  return m;
}

function plain(value: PtValue, node: FieldNode | undefined, file: string): unknown {
  if (value.kind === "scalar") return value.value;
  if (value.kind === "list") return value.items.map((x) => plain(x, node, file));
  if (node?.kind === "struct") return structValue(value.fields, file);
  const out: Record<string, unknown> = {};
  for (const [name, occ] of group(value.fields)) {
    const child = node?.kind === "message" ? node.fields.get(name) : undefined;
    const repeated = child?.kind === "list" || (child === undefined && occ.length > 1);
    if (repeated) {
      const item = child?.kind === "list" ? child.item : undefined;
      out[name] = occ.flatMap((f) =>
        f.value.kind === "list"
          ? f.value.items.map((x) => plain(x, item, file))
          : [plain(f.value, item, file)]
      );
    } else {
      if (occ.length > 1) {
        const at = occ[1].at;
        throw new ConfigError(
          `${file}:${at.line}:${at.col}: field ${name} is given more than once but is not a repeated field`,
          { file, field: name },
        );
      }
      out[name] = plain(occ[0].value, child, file);
    }
  }
  return out;
}

/**
 * A `google.protobuf.Struct` in text form: either the canonical
 * `fields { key: "k" value { number_value: 1 } }` or a plain nested message `{ k: 1 }`.
 */
function structValue(fields: PtField[], file: string): unknown {
  const canonical = fields.length > 0 &&
    fields.every((f) => f.name === "fields" && f.value.kind === "message");
  if (!canonical) {
    return plain(
      { kind: "message", fields, at: fields[0]?.at ?? { line: 1, col: 1 } },
      undefined,
      file,
    );
  }
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.value.kind !== "message") continue;
    const key = f.value.fields.find((x) => x.name === "key");
    const val = f.value.fields.find((x) => x.name === "value");
    if (!key || key.value.kind !== "scalar" || !val || val.value.kind !== "message") {
      throw new ConfigError(
        `${file}:${f.at.line}:${f.at.col}: Struct entry needs key: "…" and value { … }`,
        { file },
      );
    }
    out[String(key.value.value)] = structEntry(val.value.fields, file);
  }
  return out;
}

function structEntry(fields: PtField[], file: string): unknown {
  const f = fields[0];
  if (!f) return null;
  switch (f.name) {
    case "number_value":
    case "string_value":
    case "bool_value":
      return f.value.kind === "scalar" ? f.value.value : null;
    case "null_value":
      return null;
    case "list_value":
      return f.value.kind === "message"
        ? f.value.fields.filter((x) => x.name === "values" && x.value.kind === "message")
          .map((x) => x.value.kind === "message" ? structEntry(x.value.fields, file) : null)
        : null;
    case "struct_value":
      return f.value.kind === "message" ? structValue(f.value.fields, file) : null;
    default:
      return plain(f.value, undefined, file);
  }
}

/** Parse prototxt text into plain data shaped by `tree` (repeated fields become arrays). */
export function prototxtToPlain(text: string, file: string, tree: FieldNode): unknown {
  const fields = parsePrototxt(text, file);
  return plain({ kind: "message", fields, at: { line: 1, col: 1 } }, tree, file);
}
