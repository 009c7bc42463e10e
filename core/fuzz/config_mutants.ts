/**
 * Seeded mutants of config files in every syntax (pulsar2 json/yaml/toml/prototxt and Horizon
 * YAML): text edits (flip, cut, duplicate, insert a hostile token), value edits on the parsed
 * data written back in the seed's syntax (a leaf replaced by an extreme number, a long or
 * broken string, a deep structure; a key dropped or misspelt), and generated hostile documents
 * (alias bombs, deep nesting, huge strings).
 *
 * @module
 */
import { stringify as yamlStringify } from "yaml";
import { stringify as tomlStringify } from "smol-toml";
import type { ConfigFormat } from "../config/load.ts";
import type { ConfigCase } from "./targets.ts";
import type { Rng } from "./rng.ts";

/** A seed config: its parsed data is what value edits work on. */
export interface ConfigSeed extends ConfigCase {
  /** The seed parsed to plain data. */
  data: unknown;
}

/** One mutated config and what was done to it. */
export interface ConfigMutant extends ConfigCase {
  note: string;
}

const TOKENS = [
  "{",
  "}",
  "[",
  "]",
  '"',
  "'",
  ":",
  ",",
  "#",
  "&a ",
  "*a",
  "!!python/object:os.system ",
  "\u0000",
  "\uFEFF",
  "\uFF0C",
  "\uFF1A",
  "0x",
  "1e999",
  "-",
  "NaN",
  "inf",
  "<",
  ">",
  "\\",
  "\n",
  "\t",
  "=",
  "[[",
  "%YAML 1.2\n",
  "---\n",
  "\\u12",
  "\u2028",
];

/** Values a leaf may become. */
function hostileValue(rng: Rng): unknown {
  switch (rng.int(0, 13)) {
    case 0:
      return rng.pick([-1, 0, 1, -7, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 0.5, -0]);
    case 1:
      return "";
    case 2:
      return "x".repeat(rng.pick([101, 5000, 70_000]));
    case 3:
      return rng.pick(["a\nb", "\u0000", "名前", "../../../etc/passwd", "/dev/zero", "AX650 "]);
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return deepValue(rng.pick([10, 70, 200]));
    case 7:
      return rng.pick([true, false, null]);
    case 8:
      return Array.from({ length: rng.pick([3, 1000]) }, () => rng.int(-5, 300));
    case 9:
      return { [rng.pick(["tensor_name", "data_type", "x", ""])]: rng.pick([1, "U16", []]) };
    case 10:
      return rng.pick(["U8", "U16", "FP32", "S8", "NPU1", "NPU3", "AX650", "nash-e", "Image"]);
    case 11:
      return rng.pick(["1x3x224x224", "input:1x3x-1x224", "a:0x0", "x:99999999999x3"]);
    case 12:
      return rng.pick([[-1, -1], [0], [2 ** 31, 2 ** 31], [1.5]]);
    default:
      return rng.int(-1000, 1000);
  }
}

function deepValue(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

type Path = (string | number)[];

/** Every path into `data` (objects and arrays), breadth first, at most 500. */
function pathsOf(data: unknown): Path[] {
  const out: Path[] = [];
  const queue: [unknown, Path][] = [[data, []]];
  while (queue.length > 0 && out.length < 500) {
    const [v, p] = queue.shift()!;
    if (p.length) out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => queue.push([x, [...p, i]]));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) queue.push([x, [...p, k]]);
    }
  }
  return out;
}

function parentOf(data: unknown, path: Path): Record<string | number, unknown> | undefined {
  let v = data;
  for (const k of path.slice(0, -1)) {
    if (!v || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v && typeof v === "object" ? v as Record<string | number, unknown> : undefined;
}

/** Edit a copy of the seed's data at one random path. */
function editData(seed: unknown, rng: Rng): { data: unknown; note: string } {
  const data = structuredClone(seed);
  const paths = pathsOf(data);
  if (paths.length === 0) return { data: hostileValue(rng), note: "root replaced" };
  const path = rng.pick(paths);
  const parent = parentOf(data, path);
  const key = path[path.length - 1];
  if (!parent) return { data, note: "no parent" };
  const r = rng.int(0, 9);
  if (r === 0 && !Array.isArray(parent)) {
    delete parent[key];
    return { data, note: `drop ${path.join(".")}` };
  }
  if (r === 1 && !Array.isArray(parent) && typeof key === "string") {
    const typo = key.length > 1 ? key.slice(0, -1) + rng.pick(["_", "s", "x"]) : `${key}x`;
    parent[typo] = parent[key];
    delete parent[key];
    return { data, note: `rename ${path.join(".")} -> ${typo}` };
  }
  const value = hostileValue(rng);
  parent[key] = value;
  return { data, note: `set ${path.join(".")}` };
}

function prototxtScalar(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return '""';
}

/** Plain data in protobuf text format (repeated fields by repetition). */
function toPrototxt(data: unknown, indent = ""): string {
  if (!data || typeof data !== "object" || Array.isArray(data)) return "";
  const lines: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    const items = Array.isArray(v) ? v : [v];
    for (const item of items) {
      if (item && typeof item === "object" && !Array.isArray(item)) {
        lines.push(`${indent}${k} {`, toPrototxt(item, indent + "  "), `${indent}}`);
      } else lines.push(`${indent}${k}: ${prototxtScalar(item)}`);
    }
  }
  return lines.join("\n");
}

/** Plain data written in `format`; undefined when the syntax cannot hold it. */
function serialize(data: unknown, format: ConfigFormat): string | undefined {
  try {
    switch (format) {
      case "json":
        return JSON.stringify(data, null, 1);
      case "yaml":
        return yamlStringify(data);
      case "toml":
        return data && typeof data === "object" && !Array.isArray(data)
          ? tomlStringify(data as Record<string, unknown>)
          : undefined;
      case "prototxt":
        return toPrototxt(data);
    }
  } catch {
    return undefined;
  }
}

function editText(text: string, rng: Rng): { text: string; note: string } {
  const at = rng.int(0, text.length);
  switch (rng.int(0, 4)) {
    case 0: {
      const token = rng.pick(TOKENS);
      return {
        text: text.slice(0, at) + token + text.slice(at),
        note: `insert ${JSON.stringify(token)} at ${at}`,
      };
    }
    case 1:
      return { text: text.slice(0, at), note: `truncate at ${at}` };
    case 2: {
      const len = rng.int(1, 40);
      return { text: text.slice(0, at) + text.slice(at + len), note: `delete ${len} at ${at}` };
    }
    case 3: {
      const lines = text.split("\n");
      const i = rng.int(0, lines.length - 1);
      lines.splice(i, 0, lines[i]);
      return { text: lines.join("\n"), note: `duplicate line ${i}` };
    }
    default: {
      const chars = [...text];
      const i = rng.int(0, Math.max(0, chars.length - 1));
      chars[i] = String.fromCharCode(rng.int(0, 0x3000));
      return { text: chars.join(""), note: `replace char ${i}` };
    }
  }
}

/** A document that attacks a parser directly. */
function generated(format: ConfigFormat, rng: Rng): { text: string; note: string } {
  const r = rng.int(0, 3);
  const depth = rng.pick([65, 1000, 20_000]);
  if (r === 0 && format === "yaml") {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${new Array(9).fill(`*${prev}`).join(",")}]`);
    }
    return { text: lines.join("\n") + "\n", note: "alias bomb" };
  }
  if (r <= 1) {
    const open = format === "prototxt" ? "a { " : format === "toml" ? "a = [" : "[";
    const close = format === "prototxt" ? "}" : "]";
    const body = format === "toml"
      ? "a = " + "[".repeat(depth) + "]".repeat(depth)
      : open.repeat(depth) + close.repeat(depth);
    return { text: format === "yaml" ? `a: ${body}\n` : body, note: `nesting ${depth}` };
  }
  if (r === 2) {
    const big = "x".repeat(rng.pick([70_000, 5 * 2 ** 20]));
    const text = format === "json"
      ? `{"input": "${big}"}`
      : format === "toml"
      ? `input = "${big}"`
      : format === "prototxt"
      ? `input: "${big}"`
      : `input: "${big}"\n`;
    return { text, note: `string of ${big.length}` };
  }
  const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}`);
  const text = format === "json"
    ? `{${keys.map((k) => `"${k}": 1`).join(",")}}`
    : format === "toml"
    ? keys.map((k) => `${k} = 1`).join("\n")
    : format === "prototxt"
    ? keys.map((k) => `${k}: 1`).join("\n")
    : keys.map((k) => `${k}: 1`).join("\n");
  return { text, note: "20,000 keys" };
}

/**
 * Mutate a seed config.
 *
 * @param seed the seed (text, syntax and parsed data)
 * @param rng the case's random stream
 */
export function mutateConfig(seed: ConfigSeed, rng: Rng): ConfigMutant {
  const base = { name: seed.name, format: seed.format, horizon: seed.horizon };
  const r = rng.float();
  if (r < 0.08) return { ...base, ...generated(seed.format, rng) };
  if (r < 0.55) {
    const { data, note } = editData(seed.data, rng);
    const text = serialize(data, seed.format);
    if (text !== undefined) return { ...base, text, note };
  }
  let text = seed.text;
  const notes: string[] = [];
  const count = rng.int(1, 3);
  for (let k = 0; k < count; k++) {
    const e = editText(text, rng);
    text = e.text;
    notes.push(e.note);
  }
  return { ...base, text, note: notes.join("; ") };
}
