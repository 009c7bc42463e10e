import { strict as assert } from "node:assert";
import { join } from "node:path";
import { ConfigError } from "../errors/mod.ts";
import {
  checkConfigData,
  checkConfigText,
  MAX_CONFIG_BYTES,
  MAX_CONFIG_ITEMS,
  readConfigText,
} from "./bounded.ts";
import { parseConfigText } from "./load.ts";
import { parseHorizonYaml } from "./horizon/parse.ts";
import { parsePrototxt } from "./prototxt.ts";

const isConfigError = (pattern: RegExp) => (e: Error) =>
  e instanceof ConfigError && pattern.test(e.message);

Deno.test("readConfigText() stops at the size limit and names the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "big.json");
    await Deno.writeTextFile(path, " ".repeat(MAX_CONFIG_BYTES + 1));
    await assert.rejects(readConfigText(path), isConfigError(/big\.json is larger than 1 MiB/));
    await Deno.writeTextFile(path, "{}");
    assert.equal(await readConfigText(path), "{}");
    await assert.rejects(readConfigText(join(dir, "none.json")), /none\.json does not exist/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkConfigText() counts nesting outside strings and comments only", () => {
  checkConfigText(`{"a": "${"[".repeat(100)}"} # ${"{".repeat(100)}`, "c.json");
  assert.throws(
    () => checkConfigText(`{\n"a": ${"[".repeat(65)}`, "c.json"),
    isConfigError(/^c\.json:2: brackets nest deeper than 64 levels/),
  );
  checkConfigText("a < b < c", "c.prototxt");
  assert.throws(() => checkConfigText("a < ".repeat(65), "c.prototxt", true), /nest deeper/);
  assert.throws(
    () => checkConfigText("a: 1\n".repeat(MAX_CONFIG_ITEMS + 1), "c.yaml"),
    isConfigError(/more than 50000 lines and list items/),
  );
});

Deno.test("checkConfigData() refuses deep data and long strings with their path", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.throws(() => checkConfigData({ a: deep }, "c.json"), /a\[0\]\[0\].* nests deeper than 64/);
  assert.throws(
    () => checkConfigData({ quant: { x: "y".repeat(70_000) } }, "c.json"),
    isConfigError(/the string at quant\.x is 70000 characters long, over axb's limit of 65536/),
  );
  const shared = { v: 1 };
  checkConfigData({ a: shared, b: shared }, "c.yaml");
});

Deno.test("parseConfigText() wraps a YAML alias bomb and keeps duplicate keys an error", () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const p = String.fromCharCode(96 + i);
    const n = String.fromCharCode(97 + i);
    lines.push(`${n}: &${n} [${new Array(9).fill(`*${p}`).join(",")}]`);
  }
  assert.throws(
    () => parseConfigText(lines.join("\n"), "yaml", "bomb.yaml"),
    isConfigError(/^bomb\.yaml: invalid YAML: aliases expand to more than 100 copies/),
  );
  assert.throws(
    () => parseHorizonYaml(lines.join("\n"), "h.yaml"),
    isConfigError(/^h\.yaml: invalid YAML: aliases expand/),
  );
  assert.throws(
    () => parseConfigText("a: 1\nb:\n  c: 1\n  c: 2\n", "yaml", "d.yaml"),
    isConfigError(/^d\.yaml:4:3: invalid YAML: Map keys must be unique \("c" repeats\)/),
  );
  assert.deepEqual(parseConfigText("a: &x 1\nb: *x\n", "yaml", "ok.yaml"), { a: 1, b: 1 });
});

Deno.test("parsePrototxt() refuses messages nested past the limit by line and column", () => {
  const text = "a {\n".repeat(65) + "}".repeat(65);
  assert.throws(
    () => parsePrototxt(text, "p.prototxt"),
    isConfigError(/^p\.prototxt:65:4: messages nest deeper than 64 levels/),
  );
  assert.throws(() => parseConfigText(text, "prototxt", "p.prototxt"), /p\.prototxt:65: brackets/);
});
