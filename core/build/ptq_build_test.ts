import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { buildSmall, convWeights } from "./_small_build.ts";

/** x [1, 3, 8, 8] → Conv 3×3 (output channel 1 ×30) → c → Conv 1×1 → y [1, 4, 8, 8]. */
function outlierChain() {
  const w0 = convWeights(4, 3, 3, 31);
  for (let i = 27; i < 54; i++) w0.data[i] *= 30;
  return buildModel({
    name: "outlier_chain",
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 3, 8, 8] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 4, 8, 8] }],
    nodes: [
      {
        opType: "Conv",
        name: "conv0",
        inputs: ["x", "w0"],
        outputs: ["c"],
        attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) },
      },
      { opType: "Conv", name: "pw", inputs: ["c", "w1"], outputs: ["y"] },
    ],
    initializers: { w0, w1: convWeights(4, 4, 1, 32) },
  });
}

const INPUTS = [{ name: "x", shape: [1, 3, 8, 8] }];

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "axb_ptq_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("runBuild() runs SmoothQuant, EasyQuant and AdaRound when the quant switches ask", async () => {
  await withTempDir(async (dir) => {
    const log: string[] = [];
    const { result } = await buildSmall(
      outlierChain(),
      INPUTS,
      {
        quant: {
          enable_smooth_quant: true,
          smooth_quant_strength: 0.5,
          enable_easy_quant: true,
          enable_adaround: true,
          finetune_epochs: 10,
        },
      },
      dir,
      log,
    );
    assert.ok(log.some((l) => l.startsWith("SmoothQuant: 1 tensor(s) smoothed")), log.join("\n"));
    assert.ok(log.some((l) => l.startsWith("EasyQuant: 2 layer(s)")), log.join("\n"));
    assert.ok(log.some((l) => l.startsWith("AdaRound: 2 layer(s)")), log.join("\n"));
    assert.ok(!log.some((l) => /not implemented|no effect/.test(l)), log.join("\n"));
    // the compiled model is built from the smoothed float model
    const inputs = result.quant.model.graph.nodes.map((n) => n.inputs[1]);
    assert.ok(inputs.every((n) => n.endsWith("_smooth")), `${inputs}`);
  });
});

Deno.test("runBuild() leaves the float model and its weights alone with the switches off", async () => {
  await withTempDir(async (dir) => {
    const log: string[] = [];
    const { result } = await buildSmall(outlierChain(), INPUTS, {}, dir, log);
    assert.ok(!log.some((l) => /SmoothQuant|EasyQuant|AdaRound/.test(l)), log.join("\n"));
    assert.deepEqual(result.quant.model.graph.nodes.map((n) => n.inputs[1]), ["w0", "w1"]);
  });
});
