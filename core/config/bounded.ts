/**
 * Limits on config input, so that no file, however hostile, costs more than a bounded amount
 * of time and memory before it is refused with a `ConfigError` naming the file:
 *
 * - a config file is at most {@linkcode MAX_CONFIG_BYTES}, checked while reading (a device
 *   or a growing file cannot stream forever), with at most {@linkcode MAX_CONFIG_ITEMS} lines
 *   and list/map separators (the yaml library spends tens of microseconds on each);
 * - brackets nest at most {@linkcode MAX_CONFIG_DEPTH} deep, checked on the text before any
 *   parser recurses, and the parsed data nests no deeper;
 * - a string (value or key) is at most {@linkcode MAX_CONFIG_STRING} characters.
 *
 * Real configs are a few kilobytes, five levels deep, with paths as their longest strings.
 *
 * @module
 */
import { ConfigError } from "../errors/mod.ts";
import { fsFailure } from "../errors/fs.ts";

/** Largest config file, in bytes. */
export const MAX_CONFIG_BYTES = 2 ** 20;

/** Most lines plus `,` separators outside strings and comments. */
export const MAX_CONFIG_ITEMS = 50_000;

/** Deepest nesting of objects and lists. */
export const MAX_CONFIG_DEPTH = 64;

/** Longest string value or key, in characters. */
export const MAX_CONFIG_STRING = 64 * 2 ** 10;

/** Most YAML alias expansions a document may use (each `*ref` counts, as the yaml library counts). */
export const MAX_YAML_ALIASES = 100;

const CHUNK = 64 * 2 ** 10;

function tooLarge(path: string): ConfigError {
  return new ConfigError(
    `Config file ${path} is larger than ${MAX_CONFIG_BYTES / 2 ** 20} MiB, axb's limit for ` +
      `config files; a build config is a few kilobytes`,
    { file: path },
  );
}

/**
 * Read a text file of at most {@linkcode MAX_CONFIG_BYTES}, stopping as soon as it is
 * longer (a device or a growing file cannot stream forever). File-system errors are thrown
 * as Deno raised them, for callers that word them themselves.
 *
 * @throws {ConfigError} when the file is larger than the limit
 */
export function readTextCappedSync(path: string): string {
  const file = Deno.openSync(path, { read: true });
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (true) {
      const buf = new Uint8Array(CHUNK);
      const n = file.readSync(buf);
      if (n === null) break;
      total += n;
      if (total > MAX_CONFIG_BYTES) throw tooLarge(path);
      chunks.push(buf.subarray(0, n));
    }
    return decodeChunks(chunks, total);
  } finally {
    file.close();
  }
}

/** {@linkcode readTextCappedSync}, asynchronously. */
export async function readTextCapped(path: string): Promise<string> {
  const file = await Deno.open(path, { read: true });
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (true) {
      const buf = new Uint8Array(CHUNK);
      const n = await file.read(buf);
      if (n === null) break;
      total += n;
      if (total > MAX_CONFIG_BYTES) throw tooLarge(path);
      chunks.push(buf.subarray(0, n));
    }
    return decodeChunks(chunks, total);
  } finally {
    file.close();
  }
}

function unreadable(path: string, e: unknown, hint: string): ConfigError {
  if (e instanceof ConfigError) return e;
  return new ConfigError(`Config file ${path} ${fsFailure(e, path)}${hint}`, { file: path });
}

/**
 * Read a config file as text through {@linkcode readTextCapped}.
 *
 * @param hint appended to the message when the file cannot be read (e.g. what was expected)
 * @throws {ConfigError} when the file is missing, unreadable or too large
 */
export async function readConfigText(path: string, hint = ""): Promise<string> {
  try {
    return await readTextCapped(path);
  } catch (e) {
    throw unreadable(path, e, hint);
  }
}

/** {@linkcode readConfigText}, synchronously. */
export function readConfigTextSync(path: string, hint = ""): string {
  try {
    return readTextCappedSync(path);
  } catch (e) {
    throw unreadable(path, e, hint);
  }
}

function decodeChunks(chunks: Uint8Array[], total: number): string {
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/**
 * Refuse config text over {@linkcode MAX_CONFIG_BYTES} characters, with more than
 * {@linkcode MAX_CONFIG_ITEMS} lines and separators, or whose brackets (`{`, `[`, `<` for
 * prototxt) nest deeper than {@linkcode MAX_CONFIG_DEPTH}. Quoted text and `#` comments are
 * skipped; the scan is linear and never recurses.
 *
 * @throws {ConfigError} naming the file and the line of the first bracket past the limit
 */
export function checkConfigText(text: string, file: string, angleBrackets = false): void {
  if (text.length > MAX_CONFIG_BYTES) {
    throw new ConfigError(
      `${file}: config text is ${text.length} characters, over axb's limit of ${MAX_CONFIG_BYTES}`,
      { file },
    );
  }
  let depth = 0;
  let line = 1;
  let quote = "";
  let items = 0;
  const tooMany = () =>
    new ConfigError(
      `${file}:${line}: more than ${MAX_CONFIG_ITEMS} lines and list items, axb's limit for ` +
        `config files`,
      { file },
    );
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") {
      line++;
      quote = "";
      if (++items > MAX_CONFIG_ITEMS) throw tooMany();
      continue;
    }
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === ",") {
      if (++items > MAX_CONFIG_ITEMS) throw tooMany();
    } else if (c === "#") {
      const end = text.indexOf("\n", i);
      i = (end < 0 ? text.length : end) - 1;
    } else if (c === "{" || c === "[" || (angleBrackets && c === "<")) {
      if (++depth > MAX_CONFIG_DEPTH) {
        throw new ConfigError(
          `${file}:${line}: brackets nest deeper than ${MAX_CONFIG_DEPTH} levels, axb's limit ` +
            `for config files`,
          { file },
        );
      }
    } else if (c === "}" || c === "]" || (angleBrackets && c === ">")) {
      depth = Math.max(0, depth - 1);
    }
  }
}

/**
 * Refuse parsed config data nested deeper than {@linkcode MAX_CONFIG_DEPTH} or holding a
 * string or key longer than {@linkcode MAX_CONFIG_STRING}. Iterative, so depth cannot
 * overflow the stack; shared objects (YAML aliases) are visited once.
 *
 * @throws {ConfigError} naming the file and the dotted path of the offending value
 */
export function checkConfigData(data: unknown, file: string): void {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: data, path: "", depth: 0 },
  ];
  const seen = new Set<object>();
  const longString = (s: string, path: string, what: string) =>
    new ConfigError(
      `${file}: ${what} ${path ? `at ${path} ` : ""}is ${s.length} characters long, over ` +
        `axb's limit of ${MAX_CONFIG_STRING} for config strings`,
      { file, field: path || undefined },
    );
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === "string") {
      if (value.length > MAX_CONFIG_STRING) throw longString(value, path, "the string");
      continue;
    }
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    if (depth >= MAX_CONFIG_DEPTH) {
      throw new ConfigError(
        `${file}: ${path || "the config"} nests deeper than ${MAX_CONFIG_DEPTH} levels, axb's ` +
          `limit for config files`,
        { file, field: path || undefined },
      );
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [k, v] of Object.entries(value)) {
      if (k.length > MAX_CONFIG_STRING) throw longString(k, path, "a key");
      stack.push({ value: v, path: path ? `${path}.${k}` : k, depth: depth + 1 });
    }
  }
}

/**
 * A parser library's own failure as a `ConfigError`: the yaml library's "Excessive alias
 * count" (a billion-laughs document) and engine limits (stack, string length) included.
 */
export function libraryError(e: unknown, syntax: string, file: string): ConfigError {
  const text = e instanceof Error ? e.message : String(e);
  if (/alias/i.test(text)) {
    return new ConfigError(
      `${file}: invalid ${syntax}: aliases expand to more than ${MAX_YAML_ALIASES} copies ` +
        `(an alias bomb?); write the values out instead`,
      { file },
    );
  }
  if (e instanceof RangeError) {
    return new ConfigError(
      `${file}: invalid ${syntax}: the document is too large or nested too deep to read ` +
        `(${firstLine(text)})`,
      { file },
    );
  }
  return new ConfigError(`${file}: invalid ${syntax}: ${firstLine(text)}`, { file });
}

function firstLine(s: string): string {
  return s.split("\n")[0].trim();
}
