/**
 * Reading Horizon YAML text. The vendor tools load YAML with PyYAML (YAML 1.1), so we parse
 * as YAML 1.1 too: `True`/`False`/`yes`/`no` are booleans, and duplicate keys are
 * accepted with the last one winning (PyYAML's behaviour) — with a warning here.
 *
 * @module
 */
import { type Document, isMap as isYamlMap, isScalar, parseDocument } from "yaml";
import { ConfigError } from "../../errors/mod.ts";
import { checkConfigData, checkConfigText, libraryError, MAX_YAML_ALIASES } from "../bounded.ts";

/** A parsed document and the duplicate-key warnings found while reading it. */
export interface ParsedYaml {
  readonly value: unknown;
  readonly warnings: string[];
}

/**
 * Parse YAML text; syntax errors become `ConfigError`s with `file:line:col`, and size,
 * nesting, alias and string limits apply as for every config (`../bounded.ts`).
 */
export function parseHorizonYaml(text: string, file?: string): ParsedYaml {
  const name = file ?? "<yaml>";
  checkConfigText(text, name);
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { version: "1.1", uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    throw libraryError(e, "YAML", name);
  }
  const err = doc.errors[0];
  if (err) {
    const offset = err.pos[0];
    const line = lineOf(text, offset);
    const col = offset - text.lastIndexOf("\n", offset - 1);
    const where = `${name}:${line}:${col}`;
    const first = err.message.split("\n")[0];
    throw new ConfigError(`${where}: invalid YAML: ${first}`, { file });
  }
  const warnings: string[] = [];
  const walk = (node: unknown, path: string, depth: number) => {
    if (!isYamlMap(node) || depth > 2) return;
    const seen = new Set<string>();
    for (const item of node.items) {
      const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
      const here = path ? `${path}.${key}` : key;
      if (seen.has(key)) {
        const line = isScalar(item.key) && item.key.range
          ? lineOf(text, item.key.range[0])
          : undefined;
        warnings.push(
          `${here} is given twice${line ? ` (again at line ${line})` : ""}; the last value is used`,
        );
      }
      seen.add(key);
      walk(item.value, here, depth + 1);
    }
  };
  walk(doc.contents, "", 0);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    throw libraryError(e, "YAML", name);
  }
  checkConfigData(value, name);
  return { value, warnings };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
