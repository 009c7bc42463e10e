/**
 * The differential generator: its operator coverage is derived from the AXera tables, its
 * cases are reproducible, its tolerances behave as documented, and a fixed-seed campaign
 * finds no disagreement beyond them (the known onnxruntime quirks and tolerance classes are
 * counted apart, `campaign.ts`).
 */
import { strict as assert } from "node:assert";
import * as ort from "onnxruntime-node";
import { defaultRegistry } from "../../ops/mod.ts";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";
import { AX650_OPS } from "../../../targets/axera/ops_ax650.ts";
import { M57_OPS } from "../../../targets/axera/ops_m57.ts";
import { AX615_OPS } from "../../../targets/axera/ops_ax615.ts";
import { generatableOps, NOT_GENERATED, targetRecipes } from "./model_gen.ts";
import { makeDifferentialCase } from "./run_case.ts";
import { formatDifferentialReport, runDifferential } from "./campaign.ts";
import { compareCodes, compareCosine } from "./tolerances.ts";
import { ortPeer } from "./ort_peer.ts";

const targets = new TargetRegistry(builtinTargets());
const axera = targets.list().filter((t) => t.family === "axera");

Deno.test("generatableOps() covers every AXera operator or names why it does not", () => {
  const made = new Set(generatableOps());
  const listed = new Set([...Object.keys(AX650_OPS), ...Object.keys(M57_OPS)]);
  const unexplained = [...listed].filter((op) =>
    !made.has(op) && !Object.hasOwn(NOT_GENERATED, op)
  );
  assert.deepEqual(unexplained, []);
  for (const op of Object.keys(NOT_GENERATED)) assert.ok(!made.has(op), op);
});

Deno.test("targetRecipes() offers only the operators the target lists", () => {
  const ax615 = targets.get("AX615");
  const ops = [...targetRecipes(ax615).keys()];
  assert.ok(ops.length > 40, `${ops.length} operators`);
  for (const op of ops) assert.ok(Object.hasOwn(AX615_OPS, op), `${op} is not on AX615`);
  // AX615 lacks Tile and CumSum (ops-axera.md §5); AX650 has both
  assert.ok(!ops.includes("Tile") && !ops.includes("CumSum"));
  assert.ok(
    targetRecipes(targets.get("AX650")).has("Tile") &&
      targetRecipes(targets.get("AX650")).has("CumSum"),
  );
});

Deno.test("makeDifferentialCase() makes the same model and config from the same seed and index", () => {
  const ctx = () => ({ axera, recipes: new Map() });
  const a = makeDifferentialCase(5, 17, ctx());
  const b = makeDifferentialCase(5, 17, ctx());
  assert.deepEqual(a.model, b.model);
  assert.deepEqual(a.config, b.config);
  assert.notDeepEqual(makeDifferentialCase(5, 18, ctx()).model.ops, []);
});

Deno.test("compareCodes() allows 1 % of the elements, rounded up, beyond one step", () => {
  const theirs = Array.from({ length: 70 }, (_, i) => i * 0.5);
  const ours = [...theirs];
  ours[3] += 1; // 2 steps of 0.5
  assert.ok(compareCodes(ours, theirs, 0.5).passed, "one of 70 elements may be off");
  ours[4] += 1;
  assert.ok(!compareCodes(ours, theirs, 0.5).passed, "two of 70 may not");
  const big = Array.from({ length: 200 }, () => 0);
  const off = big.map((_, i) => (i < 2 ? 3 : 0));
  assert.ok(compareCodes(off, big, 1).passed, "2 of 200 is 1 %");
  off[2] = 3;
  assert.ok(!compareCodes(off, big, 1).passed, "3 of 200 is not");
});

Deno.test("compareCosine() holds a flat output to a few steps of absolute error", () => {
  const flat = [1, 1, 1, 1];
  assert.ok(compareCosine([1.02, 1, 0.99, 1], flat, "U8", 0.01).passed);
  assert.ok(!compareCosine([1.2, 1, 1, 1], flat, "U8", 0.01).passed);
  // a spread output is held to the precision's cosine floor
  assert.ok(!compareCosine([1, 0, 1, 0], [0, 1, 0, 1], "U8", 0.01).passed);
});

Deno.test("runDifferential() with seed 11 finds no disagreement beyond the tolerances in 150 cases", async () => {
  const report = await runDifferential({
    seed: 11,
    cases: 150,
    registry: defaultRegistry(),
    targets,
    peer: ortPeer(ort),
  });
  const text = formatDifferentialReport(report);
  assert.deepEqual(report.failures.map((f) => f.index), [], text);
  assert.ok((report.counts.agree ?? 0) >= 140, text);
  assert.ok(Object.keys(report.ops).length >= 60, `operator types covered: ${text}`);
});
