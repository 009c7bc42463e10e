/**
 * The float executor on mobilenet_v2 (17 depthwise convolutions, 3×3, strides 1 and 2,
 * planes from 112² down to 7²) against onnxruntime-node, on every kernel path: the
 * relaxed path's fused depthwise and GEMM kernels stay as close to onnxruntime as the
 * exact path does.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { loadModel } from "../../onnx/load.ts";
import { Executor } from "../../exec/executor.ts";
import { defaultRegistry } from "../mod.ts";
import { readNpy } from "../../io/npy.ts";
import { asFloat32 } from "../../ir/tensor.ts";
import { onEveryIsa } from "../../wasm/_testing.ts";

const MODELS = join(import.meta.dirname ?? ".", "../../../../shared/models");

Deno.test("Executor.run() of mobilenet_v2 stays within 1e-6 of onnxruntime's largest output on every kernel path", async () => {
  const path = join(MODELS, "mobilenet_v2.onnx");
  const input = await readNpy(join(MODELS, "mobilenet_v2.input.npy"));
  const model = await loadModel(path);
  const exec = new Executor(model, defaultRegistry());
  const inputName = model.graph.runtimeInputs[0].name;
  const outputName = model.graph.outputs[0].name;
  const session = await ort.InferenceSession.create(await Deno.readFile(path));
  const theirs = (await session.run({
    [inputName]: new ort.Tensor("float32", asFloat32(input), [...input.shape]),
  }))[outputName].data as Float32Array;
  await session.release();
  const runs = onEveryIsa(() =>
    asFloat32(exec.run(new Map([[inputName, input]])).get(outputName)!)
  );
  assert.ok(runs.has("relaxed-simd"));
  const scale = theirs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (const [isa, ours] of runs) {
    assert.equal(ours.length, 1000);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
    assert.ok(
      worst <= 1e-6 * scale,
      `${isa}: max |axb − onnxruntime| ${worst} (outputs up to ${scale})`,
    );
  }
});
