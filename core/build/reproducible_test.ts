/**
 * The same build into two different output directories writes byte-identical artifacts:
 * paths inside the output directory are recorded relative to it, and nothing records the
 * time.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { buildQuietly, TESTDATA } from "./_acceptance_helpers.ts";

const ARTIFACTS = [
  "compiled.axmodel",
  "build_context.json",
  "quant/quant_axmodel.onnx",
  "quant/quant_axmodel.json",
  "frontend/optimized.onnx",
];

Deno.test("runBuild() writes byte-identical artifacts into two different output directories", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb_repro_" });
  try {
    const raw = {
      quant: {
        input_configs: [{
          tensor_name: "input",
          calibration_dataset: join(TESTDATA, "demo", "calibration.tar"),
          calibration_format: "Numpy",
          calibration_size: 4,
        }],
      },
      compiler: { check: 0 },
    };
    const model = join(TESTDATA, "models", "tiny_cnn.onnx");
    const a = join(dir, "first", "out");
    const b = join(dir, "second", "deeper", "out");
    await buildQuietly(raw, model, a);
    await buildQuietly(raw, model, b);
    for (const f of ARTIFACTS) {
      const [x, y] = await Promise.all([Deno.readFile(join(a, f)), Deno.readFile(join(b, f))]);
      assert.deepEqual(x, y, `${f} differs between the two output directories`);
    }
    const context = JSON.parse(await Deno.readTextFile(join(a, "build_context.json")));
    assert.equal(context.output_dir, ".");
    assert.equal(context.input, model, "a path outside the output directory stays as written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
