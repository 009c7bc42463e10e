/**
 * The generator's models: the boolean and index operators are offered where the AXera
 * lists have them, and each output records the operators it depends on.
 */
import { strict as assert } from "node:assert";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";
import { Rng } from "../rng.ts";
import { generateModel, targetRecipes } from "./model_gen.ts";

const targets = new TargetRegistry(builtinTargets());
const NEW_OPS = ["And", "ArgMax", "ArgMin", "Cast", "GatherND", "Not", "TopK", "Xor"];

Deno.test("targetRecipes() offers the boolean and index operators each AXera target lists", () => {
  const on = (t: string) => NEW_OPS.filter((op) => targetRecipes(targets.get(t)).has(op));
  assert.deepEqual(on("AX650"), NEW_OPS);
  // AX620E lacks And, GatherND and Xor; AX615 also Not (ops-axera.md §5.2, §5.3)
  assert.deepEqual(on("AX620E"), ["ArgMax", "ArgMin", "Cast", "Not", "TopK"]);
  assert.deepEqual(on("AX615"), ["ArgMax", "ArgMin", "Cast", "TopK"]);
  // Or is on no AXera list
  assert.ok(!targetRecipes(targets.get("AX650")).has("Or"));
});

Deno.test("generateModel() records per output the operators it depends on", () => {
  const recipes = targetRecipes(targets.get("AX650"));
  for (let seed = 1; seed <= 20; seed++) {
    const m = generateModel(new Rng(seed), recipes, "m");
    const outputs = m.model.graph.outputs.map((o) => o.name);
    assert.deepEqual(Object.keys(m.upstream).sort(), [...outputs].sort());
    const producer = new Map(m.model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n])));
    for (const o of outputs) {
      // the output's own producer is among them, and nothing outside the model
      assert.ok(m.upstream[o].includes(producer.get(o)!.opType), `${o} of seed ${seed}`);
      for (const op of m.upstream[o]) assert.ok(m.ops.includes(op), op);
    }
  }
});

Deno.test("generateModel() turns integer and bool results back into float before an output", () => {
  const only = (ops: string[]) =>
    new Map([...targetRecipes(targets.get("AX650"))].filter(([op]) => ops.includes(op)));
  for (let seed = 1; seed <= 20; seed++) {
    const m = generateModel(new Rng(seed), only(NEW_OPS), "m");
    for (const o of m.model.graph.outputs) {
      const t = o.type && !("kind" in o.type) ? o.type.dtype : undefined;
      assert.equal(t, "f32", o.name);
    }
    assert.ok(m.ops.some((op) => NEW_OPS.includes(op)), m.ops.join(" "));
  }
});
