/**
 * Test helpers of the PTQ refinements: seeded samples and the error of a quantized
 * model's first output against the float executor on held-out samples.
 *
 * @module
 */
import type { Model } from "../../ir/graph.ts";
import { asFloat32, Tensor } from "../../ir/tensor.ts";
import { Executor } from "../../exec/executor.ts";
import { seededRandom } from "../../util/random.ts";
import { similarity } from "../../report/metrics.ts";
import { QuantEmulator } from "../emulator.ts";
import type { QuantModel } from "../quant_model.ts";
import { calibrate } from "../calibrate.ts";
import { quantizeDefault, REGISTRY } from "../_testing.ts";

export { REGISTRY };

/** Seeded feeds for input `name` of `shape`, each value drawn by `draw(rand)`. */
export function samplesOf(
  name: string,
  shape: number[],
  count: number,
  seed: number,
  draw: (rand: () => number) => number,
): Map<string, Tensor>[] {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const t = new Tensor("f32", shape);
    for (let i = 0; i < t.size; i++) t.data[i] = draw(rand);
    return new Map([[name, t]]);
  });
}

/** A standard normal draw (Box–Muller). */
export function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** MinMax calibration of `model` on `samples`, quantized with the defaults. */
export function quantizeOn(model: Model, samples: readonly Map<string, Tensor>[]): QuantModel {
  return quantizeDefault(
    model,
    calibrate(new Executor(model, REGISTRY), samples, { method: "MinMax" }),
  );
}

/** Mean cosine and MSE of the emulated first output against `reference`'s float output. */
export function heldOutError(
  q: QuantModel,
  reference: Model,
  samples: readonly Map<string, Tensor>[],
): { cosine: number; mse: number } {
  const exec = new Executor(reference, REGISTRY);
  const emu = new QuantEmulator(q, REGISTRY);
  const out = reference.graph.outputs[0].name;
  let cosine = 0;
  let mse = 0;
  for (const s of samples) {
    const m = similarity(asFloat32(emu.run(s).get(out)!), asFloat32(exec.run(s).get(out)!));
    cosine += m.cosine;
    mse += m.mse;
  }
  return { cosine: cosine / samples.length, mse: mse / samples.length };
}
