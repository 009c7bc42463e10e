/**
 * Every reproducer the fuzzer found (`testdata/fuzz/*.json` with its input file) now ends in
 * a named error or passes, in process. A reproducer found as a hang must end at all (the guard is
 * generous so that a loaded machine cannot fail it: speed is the benchmarks' business); one found
 * as a memory overrun must keep the process's growth within a bound.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { defaultRegistry } from "../ops/mod.ts";
import { loadCase, runCase } from "./cases.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const DIR = join(import.meta.dirname ?? ".", "../../testdata/fuzz");
/** A hang guard, not a speed target: 6× the fuzzer's own per-case budget. */
const HANG_GUARD_MS = 60_000;
/** How far a reproducer found as a memory overrun may grow the process. */
const MEMORY_GROWTH_BYTES = 512 * 2 ** 20;

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
      const rss0 = Deno.memoryUsage().rss;
      let peak = rss0;
      const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 10);
      let guard: ReturnType<typeof setTimeout> | undefined;
      const hung = new Promise<never>((_, reject) => {
        guard = setTimeout(
          () => reject(new Error(`${record.note}: still running after ${HANG_GUARD_MS} ms`)),
          HANG_GUARD_MS,
        );
      });
      try {
        const run = runCase(c, {
          ops: defaultRegistry(),
          targets: new TargetRegistry(builtinTargets()),
        }, dir);
        const v = await Promise.race([run, hung]);
        assert.ok(v.outcome === "named" || v.outcome === "ok", `${record.note}: ${v.detail}`);
      } finally {
        clearTimeout(guard);
        clearInterval(sampler);
      }
      if (record.found.detail?.startsWith("memory:")) {
        const grew = Math.max(peak, Deno.memoryUsage().rss) - rss0;
        assert.ok(grew < MEMORY_GROWTH_BYTES, `${record.note}: the process grew ${grew} bytes`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
