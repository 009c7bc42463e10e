import { strict as assert } from "node:assert";
import { defaultQuant } from "../config/build_defaults.ts";
import { buildSmall } from "./_small_build.ts";
import { cancellingFloatModel } from "../quant/_testing.ts";
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

const CANCEL_INPUTS = [{ name: "x", shape: [1, 64] }, { name: "d", shape: [1, 64] }];

Deno.test("runBuild() with quant.auto_precision promotes the one layer that needs U16 and quantizes with it", async () => {
  await withTempDir(async (dir) => {
    const log: string[] = [];
    const built = await buildSmall(
      cancellingFloatModel(),
      CANCEL_INPUTS,
      {
        target_hardware: "AX650",
        quant: { auto_precision: { target_cosine: 0.999, max_fraction: 0.4 } },
      },
      dir,
      log,
    );
    const line = log.find((l) => l.startsWith("auto precision: ") && l.includes(" layers to U16"));
    assert.match(
      line ?? "",
      /^auto precision: 1 of 5 layers to U16, cosine 0\.9[0-8]\d{3} -> 0\.999\d{2}, latency \d+\.\d{3} -> \d+\.\d{3} ms \(target reached; 1 tried, 0 dropped as not gaining\)$/,
    );
    const tiny = built.result.quant.activations.get("tiny");
    assert.equal(tiny?.kind === "quant" ? tiny.qtype : tiny?.kind, "U16");
    const y = built.result.quant.activations.get("y");
    assert.equal(y?.kind === "quant" ? y.qtype : y?.kind, "U8");
  });
});

Deno.test("runBuild() with an auto_precision target that all-U16 misses promotes nothing and says so", async () => {
  await withTempDir(async (dir) => {
    const log: string[] = [];
    await buildSmall(
      cancellingFloatModel(),
      CANCEL_INPUTS,
      {
        target_hardware: "AX650",
        quant: { auto_precision: { target_cosine: 1 } },
      },
      dir,
      log,
    );
    assert.ok(
      log.some((l) =>
        /^auto precision: 0 of 5 layers to U16, .*\(out of reach at U16; 0 tried, 0 dropped as not gaining\)$/
          .test(l)
      ),
      log.join("\n"),
    );
    assert.ok(log.some((l) => l.startsWith("auto precision: target cosine 1 not reached")));
  });
});
