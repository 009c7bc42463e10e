import { strict as assert } from "node:assert";
import { ConfigError } from "../core/errors/mod.ts";
import { builtinTargets, TargetRegistry } from "./registry.ts";
import { isAssumed } from "./facts.ts";
import type { HardwareFact } from "./target.ts";

const reg = new TargetRegistry(builtinTargets());

Deno.test("TargetRegistry.get() finds targets by name and alias in any case", () => {
  const cases: [string, string][] = [
    ["AX650", "AX650"],
    ["ax650n", "AX650"],
    ["AX650A", "AX650"],
    ["ax8850", "AX650"],
    ["m76h", "M76H"],
    ["AX630C", "AX620E"],
    ["ax620l", "AX620E"],
    ["AX620Q", "AX620E"],
    ["ax615", "AX615"],
    ["M57H", "M57"],
    ["ax637", "AX637"],
    ["X3", "bernoulli2"],
    ["BERNOULLI2", "bernoulli2"],
    ["J5", "bayes"],
    ["x5", "bayes-e"],
    ["nash-e", "nash-e"],
    ["nash", "nash-e"],
    ["J6M", "nash-m"],
    ["j6p", "nash-p"],
    ["J6H", "nash-h"],
  ];
  for (const [q, want] of cases) assert.equal(reg.get(q).name, want, q);
});

Deno.test("TargetRegistry.get() throws ConfigError listing known names when unknown", () => {
  assert.throws(() => reg.get("AX999"), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(
      e.message,
      'Unknown target "AX999": expected one of AX650, AX620E, AX615, M76H, M57, AX637, bernoulli2, bayes, bayes-e, nash-e, nash-m, nash-p, nash-h',
    );
    return true;
  });
});

Deno.test("TargetRegistry.register() refuses a name or alias already taken", () => {
  const r = new TargetRegistry(builtinTargets());
  const [ax650] = builtinTargets();
  assert.throws(() => r.register({ ...ax650, name: "Other", aliases: ["ax650n"] }), ConfigError);
  assert.throws(
    () => r.register({ ...ax650, name: "Other", aliases: [] }),
    /hardwareType 0 is already used by target "AX650"/,
  );
  assert.equal(r.names().length, 13);
});

Deno.test("TargetRegistry instances are independent", () => {
  const a = new TargetRegistry();
  assert.equal(a.find("AX650"), undefined);
  assert.equal(reg.find("AX650")?.name, "AX650");
});

Deno.test("builtinTargets() give every hardware number a source or a reason", () => {
  for (const t of builtinTargets()) {
    const h = t.hardware;
    const facts: HardwareFact[] = [
      h.macArray.rows,
      h.macArray.cols,
      h.onChipMemoryBytes,
      h.ddrBandwidthBytesPerSecond,
      h.clockHz,
      h.cores,
      h.vectorElementsPerCycle,
    ];
    for (const f of facts) {
      assert.ok(f.value > 0, t.name);
      assert.ok(
        isAssumed(f) ? f.why.length > 10 : f.source.length > 10,
        `${t.name}: ${JSON.stringify(f)}`,
      );
    }
    assert.ok(t.npuModes.length >= 1);
    assert.ok(t.npuModes.every((m) => m.cores <= h.cores.value), t.name);
  }
});

Deno.test("builtinTargets() carry pulsar2's HardwareType numbers and NPU modes (spec §4.1, §2.3)", () => {
  const facts = (name: string) => {
    const t = reg.get(name);
    return [t.hardwareType, t.npuModes.map((m) => m.name).join("/")];
  };
  assert.deepEqual(facts("AX650"), [0, "NPU1/NPU2/NPU3"]);
  assert.deepEqual(facts("AX620E"), [1, "NPU1/NPU2"]);
  assert.deepEqual(facts("M76H"), [2, "NPU1/NPU2/NPU3"]);
  assert.deepEqual(facts("M57"), [5, "NPU1/NPU2/NPU3"]);
  assert.deepEqual(facts("AX615"), [6, "NPU1/NPU2"]);
  assert.deepEqual(facts("bernoulli2"), [undefined, "1/2"]);
});
