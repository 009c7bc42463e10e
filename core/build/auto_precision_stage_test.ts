import { strict as assert } from "node:assert";
import { defaultQuant } from "../config/build_defaults.ts";
import { buildSmall, twoInputModel } from "./_small_build.ts";
import { autoPrecisionGoal, HIGHEST_MIX_TARGET_COSINE } from "./auto_precision_stage.ts";

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "axb_auto_precision_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("autoPrecisionGoal() reads auto_precision, stands highest_mix_precision for cosine 0.99, and is off by default", () => {
  assert.equal(autoPrecisionGoal(defaultQuant()), undefined);
  assert.deepEqual(autoPrecisionGoal({ ...defaultQuant(), highest_mix_precision: true }), {
    targetCosine: HIGHEST_MIX_TARGET_COSINE,
    maxFraction: 0.25,
  });
  assert.equal(HIGHEST_MIX_TARGET_COSINE, 0.99);
  // auto_precision wins over highest_mix_precision
  const q = {
    ...defaultQuant(),
    highest_mix_precision: true,
    auto_precision: { target_cosine: 0.999, max_fraction: 0.5, max_latency_ms: 2 },
  };
  assert.deepEqual(autoPrecisionGoal(q), {
    targetCosine: 0.999,
    maxFraction: 0.5,
    maxLatencyMs: 2,
  });
});

Deno.test("runBuild() with quant.auto_precision promotes layers to U16 and logs the search", async () => {
  await withTempDir(async (dir) => {
    const log: string[] = [];
    const inputs = [{ name: "a", shape: [1, 3, 8, 8] }, { name: "b", shape: [1, 3, 4, 4] }];
    // a cosine of 1 is out of reach: the search spends its whole budget
    const built = await buildSmall(
      twoInputModel(),
      inputs,
      {
        target_hardware: "AX650",
        quant: { auto_precision: { target_cosine: 1, max_fraction: 0.5 } },
      },
      dir,
      log,
    );
    const line = log.find((l) => l.startsWith("auto precision: "))!;
    assert.match(
      line,
      /^auto precision: 2 of 4 layers to U16, cosine 0\.\d{5} -> [01]\.\d{5}, latency \d+\.\d{3} -> \d+\.\d{3} ms \(layer budget spent \(2 of 4 layers\)\)$/,
    );
    assert.ok(log.some((l) => l.startsWith("auto precision: target cosine 1 not reached")));
    const wide = [...built.result.quant.activations.values()].filter((a) =>
      a.kind === "quant" && a.qtype === "U16"
    );
    assert.ok(wide.length > 0);
  });
});
