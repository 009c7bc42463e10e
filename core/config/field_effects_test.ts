/**
 * No option accepted without an effect and without a word: every leaf of the BuildConfig
 * schema (walked from the schema itself) is read by a build module that mentions it, or
 * refused by the rules, or — set to a value other than its default — named by exactly one
 * "has no effect in axb" warning.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { buildConfigTree, type FieldNode } from "./fields.ts";
import { FIELD_EFFECTS, fieldEffect, noEffectWarnings } from "./field_effects.ts";
import { resolveBuildConfig } from "./resolve.ts";
import { defaultBuildConfig } from "./build_defaults.ts";
import { ConfigError } from "../errors/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());
const ROOT = join(import.meta.dirname ?? ".", "../..");

/** Leaf paths of the schema (`[]` marks list entries) and every path on the way. */
function walk(node: FieldNode, prefix: string, leaves: string[], all: Set<string>): void {
  if (prefix !== "") all.add(prefix);
  if (node.kind === "message") {
    for (const [k, child] of node.fields) {
      walk(child, prefix === "" ? k : `${prefix}.${k}`, leaves, all);
    }
  } else if (node.kind === "list" && node.item.kind === "message") {
    walk(node.item, `${prefix}[]`, leaves, all);
  } else {
    leaves.push(prefix);
  }
}

const LEAVES: string[] = [];
const PATHS = new Set<string>();
walk(buildConfigTree(), "", LEAVES, PATHS);

/** A written config setting `path` (list entries get one element) to `value`. */
function rawAt(path: string, value: unknown): Record<string, unknown> {
  const segments = path.split(".");
  const root: Record<string, unknown> = {};
  let node = root;
  segments.forEach((seg, i) => {
    if (i === segments.length - 1) {
      node[seg] = value;
      return;
    }
    const name = seg.replace(/\[\]$/, "");
    const next: Record<string, unknown> = name === "sub_configs"
      ? { start_tensor_names: ["a"], end_tensor_names: ["b"] }
      : {};
    node[name] = seg.endsWith("[]") ? [next] : next;
    node = next;
  });
  return root;
}

/** The default of a top-level `group.name` path, or the parent's for a sub-config option. */
function defaultAt(path: string): unknown {
  const d: Record<string, unknown> = { ...defaultBuildConfig(targets) };
  const [group, name] = path.replace("sub_configs[].", "").split(".");
  const g = d[group];
  return typeof g === "object" && g !== null ? Object.entries(g).find(([k]) => k === name)?.[1] : g;
}

/** Values other than `d`, in the order they are tried against the schema. */
function otherValues(d: unknown): unknown[] {
  if (typeof d === "boolean") return [!d];
  if (typeof d === "number") return [d + 1, d / 2 + 0.25];
  if (typeof d === "string") return ["cuda:0", "S32", "x"];
  if (Array.isArray(d)) return [[{ type: "Slice" }], ["x"]];
  return [];
}

Deno.test("FIELD_EFFECTS gives every leaf of the BuildConfig schema exactly one row", () => {
  assert.ok(LEAVES.length > 100, `walked ${LEAVES.length} leaves`);
  for (const leaf of LEAVES) {
    const rows = [...FIELD_EFFECTS.keys()].filter((k) =>
      leaf === k || leaf.startsWith(`${k}.`) || leaf.startsWith(`${k}[]`)
    );
    assert.equal(rows.length, 1, `${leaf} is covered by ${rows.length} rows: ${rows}`);
    assert.ok(fieldEffect(leaf), leaf);
  }
  for (const k of FIELD_EFFECTS.keys()) assert.ok(PATHS.has(k), `row ${k} is not a schema field`);
});

Deno.test("FIELD_EFFECTS names, for each field it says is read, modules that mention it", async () => {
  for (const [path, effect] of FIELD_EFFECTS) {
    if (effect.kind === "none") continue;
    const name = path.split(".").pop()!.replace(/\[\]$/, "");
    const files = effect.kind === "read" ? effect.by : [effect.by];
    assert.ok(files.length > 0, path);
    for (const file of files) {
      const text = await Deno.readTextFile(join(ROOT, file));
      assert.match(text, new RegExp(`\\b${name}\\b`), `${file} never mentions ${path}`);
    }
  }
});

Deno.test("noEffectWarnings() names each field without effect exactly once when it is set", async () => {
  let checked = 0;
  for (const [path, effect] of FIELD_EFFECTS) {
    if (effect.kind !== "none") continue;
    let config;
    let value: unknown;
    for (const candidate of otherValues(defaultAt(path))) {
      try {
        config = (await resolveBuildConfig({ raw: rawAt(path, candidate) }, { targets })).config;
        value = candidate;
        break;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
      }
    }
    assert.ok(config, `no value other than the default is accepted for ${path}`);
    const field = path.replace("[]", "[0]");
    const warnings = noEffectWarnings(config);
    assert.equal(warnings.length, 1, `${path} = ${JSON.stringify(value)}: ${warnings.length}`);
    assert.equal(warnings[0].field, field);
    assert.ok(warnings[0].message.startsWith(`${field} `), warnings[0].message);
    assert.match(warnings[0].message, /has no effect in axb: \S/);
    checked++;
  }
  // the walk is not vacuous: LSQ, BRECQ, quant.device and others still have no effect
  assert.ok(checked > 0, `${checked} fields without effect`);
});

Deno.test("noEffectWarnings() is silent for defaults and for values a sub-config inherits", async () => {
  const plain = await resolveBuildConfig({ raw: {} }, { targets });
  assert.deepEqual(noEffectWarnings(plain.config), []);
  const raw = {
    quant: { device: "cpu", transformer_opt_level: 0 },
    compiler: { debug: 2, sub_configs: [{ start_tensor_names: ["a"], end_tensor_names: ["b"] }] },
  };
  const { config } = await resolveBuildConfig({ raw }, { targets });
  assert.equal(config.compiler.sub_configs[0].debug, 2, "inherited");
  assert.deepEqual(noEffectWarnings(config).map((w) => w.field), ["compiler.debug"]);
});

Deno.test("resolveBuildConfig() refuses every field FIELD_EFFECTS marks refused, naming it", async () => {
  for (const [path, effect] of FIELD_EFFECTS) {
    if (effect.kind !== "refused") continue;
    await assert.rejects(
      resolveBuildConfig({ raw: rawAt(path, ["x"]) }, { targets }),
      (e) => e instanceof ConfigError && e.field === path.replace("[]", "[0]"),
      path,
    );
  }
});
