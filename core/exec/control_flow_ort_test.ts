/**
 * The VAD-like fixture (an `If` on the sample rate around an LSTM, with sequence and
 * optional branch outputs; built by tools/build_control_flow_fixtures.ts) through the
 * float executor, compared with onnxruntime at both sample rates.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { loadModel } from "../onnx/load.ts";
import { f32, scalar, type Tensor, toNumbers } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { Executor } from "./executor.ts";

const MODEL = join(import.meta.dirname ?? ".", "../../testdata/models/vad_if_lstm.onnx");

function seeded(shape: number[], seed: number): Tensor<"f32"> {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 32 - 0.5;
  }
  return f32(shape, v);
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

Deno.test("Executor.run() matches onnxruntime on the If-around-LSTM model at 16 and 8 kHz", async () => {
  const model = await loadModel(MODEL);
  const exec = new Executor(model, defaultRegistry());
  const session = await ort.InferenceSession.create(Deno.readFileSync(MODEL));
  try {
    for (const rate of [16000, 8000]) {
      const input = seeded([1, 64], rate);
      const h = seeded([1, 1, 8], 7);
      const c = seeded([1, 1, 8], 11);
      const ours = exec.run(
        new Map<string, Tensor>([["input", input], ["sr", scalar("s64", BigInt(rate))], [
          "h",
          h,
        ], ["c", c]]),
      );
      const theirs = await session.run({
        input: new ort.Tensor("float32", input.data, [1, 64]),
        sr: new ort.Tensor("int64", BigInt64Array.of(BigInt(rate)), []),
        h: new ort.Tensor("float32", h.data, [1, 1, 8]),
        c: new ort.Tensor("float32", c.data, [1, 1, 8]),
      });
      for (const name of ["output", "hn", "cn"]) {
        const a = toNumbers(ours.get(name)!);
        const b = [...(theirs[name].data as Float32Array)];
        assert.equal(a.length, b.length, `${rate} ${name} length`);
        const cos = cosine(a, b);
        assert.ok(cos >= 0.99999, `${rate} Hz ${name}: cosine ${cos}`);
        const maxAbs = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
        assert.ok(maxAbs < 1e-5, `${rate} Hz ${name}: max |diff| ${maxAbs}`);
      }
    }
  } finally {
    await session.release();
  }
});
