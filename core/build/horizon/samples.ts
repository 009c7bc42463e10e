/**
 * The calibration samples of a Horizon conversion: read from `cal_data_dir` (see
 * `calibration_data.ts`), or — for `calibration_type: skip` — generated: seeded uniform
 * image codes in [−128, 127] or featuremap values in [−1, 1), {@linkcode RANDOM_SAMPLES} of
 * them. `debug_mode: dump_calibration_data` saves the samples as `.npy`.
 *
 * @module
 */
import { join } from "node:path";
import { Tensor } from "../../ir/tensor.ts";
import type { Logger } from "../../util/log.ts";
import { encodeNpy } from "../../io/npy.ts";
import { writeFileAtomic } from "../../util/atomic_write.ts";
import type { HorizonInputPlan } from "./input_plan.ts";
import { type CalibrationFiles, readCalibrationSample } from "./calibration_data.ts";

/** Samples generated for `calibration_type: skip`. */
export const RANDOM_SAMPLES = 4;

/** A small seeded generator (LCG), so `skip` builds are reproducible. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every calibration sample, in file order (or generated when `files` is undefined). */
export async function calibrationSamples(
  plans: readonly HorizonInputPlan[],
  files: readonly CalibrationFiles[] | undefined,
  preprocessOn: boolean,
  log: Logger,
): Promise<Map<string, Tensor>[]> {
  if (!files) {
    log.warn(
      "calibration_type 'skip': calibrating on generated random data; accuracy is meaningless",
    );
    const next = lcg(1);
    return Array.from({ length: RANDOM_SAMPLES }, () =>
      new Map(plans.map((p) => {
        const n = p.shape.reduce((a, b) => a * b, 1);
        const data = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          data[i] = p.image ? Math.floor(next() * 256) - 128 : next() * 2 - 1;
        }
        return [p.name, new Tensor("f32", p.shape, data)];
      })));
  }
  const count = files[0]?.files.length ?? 0;
  const out: Map<string, Tensor>[] = [];
  for (let k = 0; k < count; k++) out.push(await readCalibrationSample(files, k, preprocessOn));
  return out;
}

/** Save every sample as `<dir>/<input>/<k>.npy`; returns the files written. */
export async function dumpCalibrationData(
  samples: readonly Map<string, Tensor>[],
  dir: string,
  log: Logger,
): Promise<string[]> {
  const written: string[] = [];
  for (const [k, s] of samples.entries()) {
    for (const [name, t] of s) {
      const path = join(dir, name.replace(/[^A-Za-z0-9_.-]/g, "_"), `${k}.npy`);
      await writeFileAtomic(path, encodeNpy(t));
      written.push(path);
    }
  }
  log.info(`dump_calibration_data: ${written.length} file(s) in ${dir}`);
  return written;
}
