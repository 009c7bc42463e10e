/**
 * Input files as `pulsar2 run` reads them: `<dir>/<tensor>.bin` (raw, the input's dtype;
 * one symbolic dim may be resolved from the byte count) or `.npy`; and seeded random
 * inputs written in that layout (`--random_input`).
 *
 * @module
 */
import { join } from "node:path";
import type { ValueInfo } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { DTYPES } from "../ir/dtype.ts";
import type { TensorType } from "../ir/types.ts";
import { decodeRaw, encodeRaw, tensorFileStem } from "./raw.ts";
import { decodeNpy } from "./npy.ts";
import { randomTensor } from "./random_tensor.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { InputDataError } from "../errors/mod.ts";
import { fsFailure } from "../errors/fs.ts";

function tensorTypeOf(v: ValueInfo): TensorType {
  const t = v.type;
  if (!t || "kind" in t) {
    throw new InputDataError(
      `Input "${v.name}" has no tensor type in the model; cannot read it from a file`,
    );
  }
  return t;
}

/** Read every input in `inputs` from `dir` (`.bin` preferred, `.npy` accepted). */
export async function readInputs(
  inputs: readonly ValueInfo[],
  dir: string,
): Promise<Map<string, Tensor>> {
  const feeds = new Map<string, Tensor>();
  for (const v of inputs) {
    const type = tensorTypeOf(v);
    const stem = join(dir, tensorFileStem(v.name));
    const bin = await readIfExists(`${stem}.bin`);
    if (bin) {
      feeds.set(
        v.name,
        decodeRaw(
          bin,
          type.dtype,
          resolveShape(v.name, type, bin.length),
          `Input file "${stem}.bin"`,
        ),
      );
      continue;
    }
    const npy = await readIfExists(`${stem}.npy`);
    if (npy) {
      const t = decodeNpy(npy, `Input file "${stem}.npy"`);
      if (t.dtype !== type.dtype) {
        throw new InputDataError(
          `Input file "${stem}.npy" holds ${DTYPES[t.dtype].label}; input "${v.name}" needs ${
            DTYPES[type.dtype].label
          }`,
        );
      }
      feeds.set(v.name, t);
      continue;
    }
    throw new InputDataError(`Missing input file for "${v.name}": expected ${stem}.bin (or .npy)`);
  }
  return feeds;
}

/** Concrete shape for a raw file: symbolic dims resolved from the byte count when only one is free. */
function resolveShape(name: string, type: TensorType, bytes: number): number[] {
  const width = DTYPES[type.dtype].bytes;
  const shape = type.shape ?? [];
  const free = shape.map((d, i) => (typeof d === "number" ? -1 : i)).filter((i) => i >= 0);
  const known = shape.reduce<number>((a, d) => (typeof d === "number" ? a * d : a), 1);
  if (free.length === 0) return shape as number[];
  if (free.length === 1 && bytes % (known * width) === 0) {
    return shape.map((d) => (typeof d === "number" ? d : bytes / (known * width)));
  }
  throw new InputDataError(
    `Input "${name}" has ${free.length} symbolic dims; give it as .npy so its shape is explicit`,
  );
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new InputDataError(`Input file "${path}" ${fsFailure(e, path)}`);
  }
}

/** Make seeded random inputs, write them as `.bin` into `dir`, and return them. */
export async function writeRandomInputs(
  inputs: readonly ValueInfo[],
  dir: string,
  seed: number,
  info: (m: string) => void,
): Promise<Map<string, Tensor>> {
  const feeds = new Map<string, Tensor>();
  for (const v of inputs) {
    const type = tensorTypeOf(v);
    const shape = (type.shape ?? []).map((d) => (typeof d === "number" ? d : 1));
    const t = randomTensor(type.dtype, shape, seed);
    const path = join(dir, `${tensorFileStem(v.name)}.bin`);
    await writeFileAtomic(path, encodeRaw(t));
    info(`write random input [${v.name}] to [${path}]`);
    feeds.set(v.name, t);
  }
  return feeds;
}
