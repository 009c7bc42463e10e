/**
 * Read a pulsar2 config file in any of its four syntaxes (json, yaml, toml, prototxt),
 * detected by extension and, for other extensions, by content. Returns plain data for the
 * resolver; syntax errors are `ConfigError`s starting with `file:line:col`. Size, nesting and
 * string length are bounded (`bounded.ts`), and no parser library's own error reaches the
 * caller unwrapped.
 *
 * @module
 */
import { type Document, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { parse as parseToml, TomlError } from "smol-toml";
import { ConfigError } from "../errors/mod.ts";
import type { ConfigWarning } from "./diagnostics.ts";
import { parseRelaxedJson } from "./json_relaxed.ts";
import { prototxtToPlain } from "./prototxt.ts";
import { buildConfigTree } from "./fields.ts";
import {
  checkConfigData,
  checkConfigText,
  libraryError,
  MAX_YAML_ALIASES,
  readConfigText,
} from "./bounded.ts";

/** Config syntaxes. */
export type ConfigFormat = "json" | "yaml" | "toml" | "prototxt";

/** A loaded config file. */
export interface LoadedConfig {
  /** Plain data (objects, arrays, scalars). */
  readonly raw: unknown;
  /** Syntax the file was parsed as. */
  readonly format: ConfigFormat;
  /** Notes and warnings from reading (e.g. full-width punctuation replaced). */
  readonly warnings: ConfigWarning[];
}

const BY_EXTENSION: Record<string, ConfigFormat> = {
  json: "json",
  json5: "json",
  jsonc: "json",
  yaml: "yaml",
  yml: "yaml",
  toml: "toml",
  prototxt: "prototxt",
  pbtxt: "prototxt",
  textproto: "prototxt",
  txtpb: "prototxt",
};

/** Format implied by a file name, or undefined when the extension does not say. */
export function formatFromName(path: string): ConfigFormat | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? BY_EXTENSION[m[1].toLowerCase()] : undefined;
}

/** Guess the syntax of config text: `{` → json, `[table]`/`key =` → toml, `name {` → prototxt. */
export function sniffFormat(text: string): ConfigFormat {
  const body = text.replace(/^\uFEFF/, "").split("\n")
    .filter((l) => !/^\s*(#|\/\/|$)/.test(l)).join("\n");
  if (/^\s*[{/]/.test(body)) return "json";
  if (/^\s*\[[\w.\s"]+\]\s*$/m.test(body) || /^\s*[\w."-]+\s*=/m.test(body)) return "toml";
  if (/^\s*[A-Za-z_]\w*\s*:?\s*[{<]/m.test(body)) return "prototxt";
  if (/^\s*[A-Za-z_]\w*\s*:\s*$/m.test(body) || /^\s*-\s/m.test(body)) return "yaml";
  return "prototxt";
}

/**
 * Parse config text of a known format.
 *
 * @throws {ConfigError} on a syntax error (`file:line:col: …`), text over the size or nesting
 *   limits, too many YAML alias expansions, or a string over the length limit
 */
export function parseConfigText(
  text: string,
  format: ConfigFormat,
  file: string,
  warnings: ConfigWarning[] = [],
): unknown {
  checkConfigText(text, file, format === "prototxt");
  const data = parseChecked(text, format, file, warnings);
  checkConfigData(data, file);
  return data;
}

function parseChecked(
  text: string,
  format: ConfigFormat,
  file: string,
  warnings: ConfigWarning[],
): unknown {
  switch (format) {
    case "json":
      return guarded(() => parseRelaxedJson(text, file, warnings), "JSON", file);
    case "prototxt":
      return prototxtToPlain(text, file, buildConfigTree());
    case "yaml":
      return parseYamlText(text, file);
    case "toml":
      try {
        return parseToml(text);
      } catch (e) {
        if (e instanceof TomlError) {
          throw new ConfigError(
            `${file}:${e.line}:${e.column}: invalid TOML: ${firstLine(e.message)}`,
            { file },
          );
        }
        throw libraryError(e, "TOML", file);
      }
  }
}

/**
 * YAML through the yaml library's document API, with the duplicate-key check done here in
 * one pass: the library's own (`uniqueKeys`) compares every key with every other, which
 * takes seconds on a file of a few thousand keys.
 */
function parseYamlText(text: string, file: string): unknown {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { uniqueKeys: false });
  } catch (e) {
    throw libraryError(e, "YAML", file);
  }
  const err = doc.errors[0];
  if (err) {
    const p = err.linePos?.[0];
    const where = p ? `${file}:${p.line}:${p.col}` : file;
    throw new ConfigError(`${where}: invalid YAML: ${firstLine(err.message)}`, { file });
  }
  checkUniqueKeys(doc.contents, text, file);
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) ?? {};
  } catch (e) {
    throw libraryError(e, "YAML", file);
  }
}

/** Refuse a mapping that repeats a key, as YAML requires (iterative, linear). */
function checkUniqueKeys(root: unknown, text: string, file: string): void {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) stack.push(...node.items);
    if (!isMap(node)) continue;
    const seen = new Set<string>();
    for (const item of node.items) {
      stack.push(item.value);
      if (!isScalar(item.key)) continue;
      const key = String(item.key.value);
      if (seen.has(key)) {
        const at = item.key.range?.[0] ?? 0;
        const line = text.slice(0, at).split("\n").length;
        const col = at - text.lastIndexOf("\n", at - 1);
        throw new ConfigError(
          `${file}:${line}:${col}: invalid YAML: Map keys must be unique ("${key}" repeats)`,
          { file },
        );
      }
      seen.add(key);
    }
  }
}

/** Run a parser, turning anything but our own errors into a `ConfigError`. */
function guarded<T>(parse: () => T, syntax: string, file: string): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw libraryError(e, syntax, file);
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0].replace(/\s+at line \d+, column \d+:?$/, "").trim();
}

/**
 * Read and parse a config file.
 *
 * @throws {ConfigError} missing/unreadable/too large file, a syntax error
 *   (`file:line:col: …`) or input past a limit (see {@linkcode parseConfigText})
 */
export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  const text = await readConfigText(path);
  const format = formatFromName(path) ?? sniffFormat(text);
  const warnings: ConfigWarning[] = [];
  const raw = parseConfigText(text, format, path, warnings);
  return { raw, format, warnings };
}
