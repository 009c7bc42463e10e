/**
 * The Horizon BPU numeric models (spec `horizon.md` §1, §8): activations int8 symmetric per
 * tensor (zero point 0, scale amax/127; per channel with `per_channel: True`, applied by the
 * Horizon build through `core/quant/per_channel_activations.ts`), int16 where a config asks
 * for it and the march has it; weights int8 per output channel. Only Conv may output int32: a model output written by a Conv keeps
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

/** bernoulli2 (X3/J3): "XJ3 quantisation is symmetric and 8-bit only" (§8). */
export const BERNOULLI2_NUMERIC: NumericModel = {
  name: "int8 symmetric",
  activation8: "S8",
  activation16: "S16",
  wideOutputOps: ["Conv", "Gemm"],
  has16Bit: false,
};

/**
 * The bayes family (J5, X5): seeds 003/004 do not describe it; public X5 configs set
 * `InputType: int16` in `node_info`, so 16-bit activations are assumed to exist [S]; float16
 * is described for nash only (§1), so the bayes family is assumed to lack it.
 */
export const BAYES_NUMERIC: NumericModel = { ...BERNOULLI2_NUMERIC, has16Bit: true };

/**
 * nash (J6): int8 by default, int16 and float16 per node/op/model (§1, §5.4, §5.8, §14);
 * Softmax stays float unless `set_Softmax_input_int8`/`_output_int8` or a config
 * quantizes it (§5.4 `optimization`).
 */
export const NASH_NUMERIC: NumericModel = {
  ...BERNOULLI2_NUMERIC,
  has16Bit: true,
  hasFloat16: true,
  floatByDefault: ["Softmax"],
};
