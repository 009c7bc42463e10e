/**
 * pulsar2's quant debug export of inputs and outputs: the first calibration sample and
 * the float and quantized model's outputs on it, as `.npy` files under
 * `quant/debug/io/{float,quant}/`. The outputs come from runs the build makes anyway
 * (the float run of calibration, the emulator run on a worker), so this stage only
 * writes files.
 *
 * @module
 */
import { join } from "node:path";
import type { Tensor } from "../ir/tensor.ts";
import type { Logger } from "../util/log.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { encodeNpy } from "../io/npy.ts";
import { tensorFileStem } from "../io/raw.ts";

/** The sample and the two models' results on it. */
export interface IoData {
  /** The first calibration sample, by model input name. */
  readonly sample: ReadonlyMap<string, Tensor>;
  /** The float model's graph outputs on it. */
  readonly floatOutputs: ReadonlyMap<string, Tensor>;
  /** The quantized model's graph outputs on it, dequantized. */
  readonly quantOutputs: ReadonlyMap<string, Tensor>;
}

/**
 * Write `dir/float/` and `dir/quant/`: each holds the sample's inputs and that model's
 * outputs among `outputs` (file names from {@linkcode tensorFileStem}).
 *
 * @param data the sample and both models' outputs
 * @param outputs the model's graph output names
 * @param dir the `quant/debug/io` directory
 * @param log receives the closing `export io data` line
 */
export async function exportIoData(
  data: IoData,
  outputs: readonly string[],
  dir: string,
  log: Logger,
): Promise<void> {
  const runs = [["float", data.floatOutputs], ["quant", data.quantOutputs]] as const;
  for (const [kind, outs] of runs) {
    const own = [...outs].filter(([n]) => outputs.includes(n));
    for (const [name, t] of [...data.sample, ...own]) {
      await writeFileAtomic(join(dir, kind, `${tensorFileStem(name)}.npy`), encodeNpy(t));
    }
  }
  log.info(`===>export io data to folder: ${dir}`);
}
