/**
 * The Horizon BPU numeric model (spec `horizon.md` §1, §8): activations int8 symmetric per
 * tensor (zero point 0, scale amax/127), int16 where a config asks for it; weights int8
 * per output channel. Only Conv may output int32: a model output written by a Conv keeps
 * its accumulator (dequantized on the CPU), and a tail Conv+ReLU keeps the Conv at int32
 * with the ReLU on the CPU.
 *
 * Gemm is listed with Conv because the BPU runs a fully connected layer as a convolution
 * (the "Fully connected conv" row of §12, with its own int32-output limit). nash uses the
 * same rules: seed 004 describes int8/int16/float16 but not the tail rule, so bernoulli2's
 * is assumed.
 *
 * @module
 */
import type { NumericModel } from "../../core/quant/numeric_model.ts";

/** The int8-symmetric numeric model of every Horizon march. */
export const HORIZON_NUMERIC: NumericModel = {
  name: "int8 symmetric",
  activation8: "S8",
  activation16: "S16",
  wideOutputOps: ["Conv", "Gemm"],
};
