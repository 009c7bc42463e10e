/**
 * Every reproducer the fuzzer found (`testdata/fuzz/*.json` with its input file) now ends in
 * a named error or passes, in process and within its time budget.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { defaultRegistry } from "../ops/mod.ts";
import { loadCase, runCase } from "./cases.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const DIR = join(import.meta.dirname ?? ".", "../../testdata/fuzz");
const BUDGET_MS = 10_000;

const sidecars = [...Deno.readDirSync(DIR)]
  .filter((e) => e.name.endsWith(".json"))
  .map((e) => join(DIR, e.name))
  .sort();

Deno.test("testdata/fuzz holds the reproducers the fuzzer found", () => {
  assert.ok(sidecars.length > 0);
});

for (const sidecar of sidecars) {
  const name = sidecar.split("/").at(-1);
  Deno.test(`runCase() ends ${name} with a named error or ok`, async () => {
    const { record, case: c } = await loadCase(sidecar);
    const dir = await Deno.makeTempDir({ prefix: "axb_fuzz_regression_" });
    try {
      const t0 = performance.now();
      const v = await runCase(c, {
        ops: defaultRegistry(),
        targets: new TargetRegistry(builtinTargets()),
      }, dir);
      const ms = performance.now() - t0;
      assert.ok(v.outcome === "named" || v.outcome === "ok", `${record.note}: ${v.detail}`);
      assert.ok(ms < BUDGET_MS, `${record.note}: ${ms} ms (found as ${record.found.outcome})`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
