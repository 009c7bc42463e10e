import { strict as assert } from "node:assert";
import { buildModel } from "../ir/builder.ts";
import type { Model } from "../ir/graph.ts";
import { GraphError } from "../errors/mod.ts";
import { createLogger } from "../util/log.ts";
import { MAX_FIXED_POINT_ROUNDS, runPasses } from "./pass_manager.ts";
import { frontendPipeline } from "./frontend.ts";
import { type Pass, passResult } from "./pass.ts";
import { registry } from "./_testing.ts";

function chain(): Model {
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [2] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2] }],
    nodes: [
      { opType: "Relu", inputs: ["x"], outputs: ["a"] },
      { opType: "Neg", inputs: ["a"], outputs: ["y"] },
    ],
  });
}

const noop: Pass = { name: "noop", description: "does nothing", run: () => passResult(0) };

function counting(limit: number): Pass {
  let left = limit;
  return {
    name: "countdown",
    description: "changes the model `limit` times",
    run: () => passResult(left-- > 0 ? 1 : 0),
  };
}

Deno.test("runPasses() reports per-pass counts, runs and times", () => {
  const r = runPasses(chain(), [counting(1), noop], { registry });
  assert.equal(r.rounds, 1);
  assert.deepEqual(r.passes.map((p) => [p.name, p.count, p.runs]), [["countdown", 1, 1], [
    "noop",
    0,
    1,
  ]]);
  assert.ok(r.passes.every((p) => p.ms >= 0));
  assert.equal(r.converged, true);
});

Deno.test("runPasses() repeats until no change when fixedPoint is set", () => {
  const r = runPasses(chain(), [counting(3), noop], { registry }, { fixedPoint: true });
  // 3 changing rounds, then one round that changes nothing.
  assert.equal(r.rounds, 4);
  assert.equal(r.passes[0].count, 3);
  assert.equal(r.converged, true);
});

Deno.test("runPasses() stops at the round cap and warns naming the cap", () => {
  const lines: string[] = [];
  const log = createLogger({ sink: (l) => lines.push(l) });
  const r = runPasses(chain(), [counting(1000)], { registry, log }, { fixedPoint: true });
  assert.equal(r.rounds, MAX_FIXED_POINT_ROUNDS);
  assert.equal(r.converged, false);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /WARNING/);
  assert.match(lines[0], /maxRounds=10/);
});

Deno.test("runPasses() with verify names the pass that left an undefined input", () => {
  const breaker: Pass = {
    name: "drop-producer",
    description: "removes the Relu but leaves its consumer",
    run: (m) => {
      m.graph.removeNodes(m.graph.nodes.filter((n) => n.opType === "Relu"));
      return passResult(1);
    },
  };
  assert.throws(
    () => runPasses(chain(), [noop, breaker], { registry }, { verify: true }),
    (e: unknown) =>
      e instanceof GraphError && /Pass drop-producer/.test(e.message) &&
      /reads "a"/.test(e.message),
  );
});

Deno.test("runPasses() with verify names the pass that made a cycle", () => {
  const cycler: Pass = {
    name: "make-cycle",
    description: "feeds the Neg output back into the Relu",
    run: (m) => {
      m.graph.nodes[0].inputs = ["y"];
      return passResult(1);
    },
  };
  assert.throws(
    () => runPasses(chain(), [cycler], { registry }, { verify: true }),
    (e: unknown) =>
      e instanceof GraphError && /Pass make-cycle/.test(e.message) && /cycle/.test(e.message),
  );
});

Deno.test("runPasses() sorts the graph topologically at the end", () => {
  const m = chain();
  m.graph.nodes.reverse();
  runPasses(m, [noop], { registry });
  assert.deepEqual(m.graph.nodes.map((n) => n.opType), ["Relu", "Neg"]);
});

Deno.test("frontendPipeline() lists the passes in the documented order with kebab-case names", () => {
  const names = frontendPipeline().map((p) => p.name);
  assert.deepEqual(names, [
    "constant-to-initializer",
    "eliminate-identity",
    "fold-constants",
    "inline-control-flow",
    "simplify-sequences",
    "fuse-bn-into-conv",
    "fuse-layer-norm",
    "fuse-gelu",
    "upgrade-opset",
    "remove-unused",
  ]);
  for (const p of frontendPipeline()) assert.ok(p.description.length > 0);
});

Deno.test("runPasses() hands afterChange each pass that changed the model, after verify", () => {
  const seen: string[] = [];
  runPasses(chain(), [counting(2), noop], { registry }, {
    fixedPoint: true,
    verify: true,
    afterChange: (pass, model) => seen.push(`${pass}:${model.graph.nodes.length}`),
  });
  // countdown changes in rounds 1 and 2; noop never changes; round 3 changes nothing.
  assert.deepEqual(seen, ["countdown:2", "countdown:2"]);
});

Deno.test("runPasses() stops at the first afterChange that throws", () => {
  let runs = 0;
  const always: Pass = {
    name: "always",
    description: "changes the model every time",
    run: () => passResult(++runs),
  };
  assert.throws(
    () =>
      runPasses(chain(), [always, noop], { registry }, {
        fixedPoint: true,
        afterChange: () => {
          throw new GraphError("check failed");
        },
      }),
    /check failed/,
  );
  assert.equal(runs, 1);
});
