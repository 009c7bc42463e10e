/**
 * The quantization stage's debug outputs on a small Conv → Relu model built with 4
 * calibration samples (enough for the worker pool): the io export holds the first sample
 * and both models' outputs on it, and the EndToEnd table's output row is the mean cosine
 * of the quantized outputs against the float model as onnxruntime computes it, over the
 * calibration samples `quant.precision_analysis_samples` picks.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { decodeNpy } from "../io/npy.ts";
import { asFloat32, type Tensor } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { QuantEmulator } from "../quant/emulator.ts";
import { anySizeModel, buildSmall } from "./_small_build.ts";
import { cosine, seededFloat32 } from "./_acceptance_helpers.ts";

const SHAPE = [1, 3, 8, 8];

async function floatOutput(model: string, x: Tensor): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  try {
    const out = await session.run({ x: new ort.Tensor("float32", asFloat32(x), SHAPE) });
    const y = out[session.outputNames[0]].data;
    assert.ok(y instanceof Float32Array);
    return y;
  } finally {
    await session.release();
  }
}

async function npy(path: string): Promise<Float32Array> {
  return asFloat32(decodeNpy(await Deno.readFile(path)));
}

Deno.test("runBuild() exports the first sample's float and quantized outputs and an EndToEnd table over the picked samples", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { result } = await buildSmall(anySizeModel(), [{ name: "x", shape: SHAPE }], {
      quant: {
        precision_analysis: true,
        precision_analysis_method: "EndToEnd",
        // two of the four, evenly spread: samples 0 and 2
        precision_analysis_samples: 2,
      },
      compiler: { check: 0 },
      target_hardware: "AX650",
      npu_mode: "NPU1",
    }, dir);
    // buildSmall's calibration samples: seeded with 0, 1, 2, 3
    const samples = [0, 1, 2, 3].map((seed) => seededFloat32(SHAPE, seed));
    const io = join(dir, "out/quant/debug/io");
    const model = join(dir, "model.onnx");
    for (const kind of ["float", "quant"]) {
      assert.deepEqual(await npy(join(io, kind, "x.npy")), samples[0].data, `${kind}/x.npy`);
    }
    const want = await floatOutput(model, samples[0]);
    const got = await npy(join(io, "float/y.npy"));
    assert.equal(got.length, 4);
    got.forEach((v, i) =>
      assert.ok(Math.abs(v - want[i]) <= 1e-5, `float y[${i}] ${v} vs ${want[i]}`)
    );
    const emu = new QuantEmulator(result.quant, defaultRegistry());
    const quantOf = (x: Tensor) => asFloat32(emu.run(new Map([["x", x]])).get("y")!);
    assert.deepEqual(await npy(join(io, "quant/y.npy")), quantOf(samples[0]));
    let sum = 0;
    for (const x of [samples[0], samples[2]]) {
      sum += cosine(quantOf(x), await floatOutput(model, x));
    }
    const table = await Deno.readTextFile(
      join(dir, "out/quant/debug/precision_analysis_table.txt"),
    );
    const last = table.split("\n").find((l) => l.startsWith("| y_DequantizeLinear "));
    assert.ok(last, "the output row");
    const cells = last.split("|").map((c) => c.trim());
    assert.ok(Math.abs(Number(cells[7]) - sum / 2) <= 5e-6, `${cells[7]} vs ${sum / 2}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
