/**
 * The ONNX node conformance suite (../shared/onnx-node-tests) through the float
 * executor. Every failing case must be listed, with its reason, in
 * known_failures.txt (beside this file); a listed case that passes must be removed from the
 * list, so the pass count only rises.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runSuite } from "./run_suite.ts";
import { defaultRegistry } from "../ops/mod.ts";

const ROOT = join(import.meta.dirname ?? ".", "../..");
const SUITE = join(ROOT, "../shared/onnx-node-tests");

/** Cases listed in the known-failures file, by name. */
function knownFailures(): Map<string, string> {
  const text = Deno.readTextFileSync(join(import.meta.dirname ?? ".", "known_failures.txt"));
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const i = line.indexOf(":");
    out.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return out;
}

Deno.test("the float executor passes the ONNX node suite except the listed cases", async () => {
  const known = knownFailures();
  const results = await runSuite(SUITE, defaultRegistry());
  const failed = results.filter((r) => !r.passed);
  const unexpected = failed.filter((r) => !known.has(r.name));
  assert.deepEqual(
    unexpected.map((r) => `${r.name}: ${r.reason}`),
    [],
    "cases failing that known_failures.txt does not list",
  );
  const fixed = [...known.keys()].filter((n) => results.some((r) => r.name === n && r.passed));
  assert.deepEqual(fixed, [], "listed cases now pass: remove them from known_failures.txt");
  const passed = results.length - failed.length;
  assert.ok(results.length >= 922, `suite has ${results.length} cases, expected 922`);
  assert.ok(passed / results.length >= 0.9, `${passed} of ${results.length} passed`);
  console.log(`conformance: ${passed} of ${results.length} cases pass (${failed.length} listed)`);
});
