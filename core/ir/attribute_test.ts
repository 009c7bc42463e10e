import { strict as assert } from "node:assert";
import { attr } from "./builder.ts";
import { attrReader } from "./attribute.ts";
import { KernelError } from "../errors/mod.ts";

const reader = (attrs: Record<string, ReturnType<typeof attr.int>>) =>
  attrReader(new Map(Object.entries(attrs)), "conv1", "Conv");

Deno.test("attrReader() returns values, or the fallback when the attribute is absent", () => {
  const r = reader({ group: attr.int(2), pads: attr.ints([1, 1]) });
  assert.equal(r.int("group", 1), 2);
  assert.equal(r.int("missing", 7), 7);
  assert.equal(r.intOpt("missing"), undefined);
  assert.deepEqual(r.ints("pads", []), [1, 1]);
  assert.equal(r.has("pads"), true);
});

Deno.test("attrReader() reads an int attribute where a float is asked", () => {
  assert.equal(reader({ alpha: attr.int(3) }).float("alpha", 1), 3);
});

Deno.test("attrReader() throws a KernelError naming node and attribute on a wrong kind", () => {
  const r = reader({ group: attr.string("two") });
  assert.throws(
    () => r.int("group", 1),
    (e: unknown) =>
      e instanceof KernelError &&
      e.message === 'Node "conv1" (Conv): attribute group is string, expected int',
  );
});

Deno.test("attrReader().graph() throws when a required subgraph is missing", () => {
  assert.throws(() => reader({}).graph("body"), /required graph attribute body is missing/);
});
