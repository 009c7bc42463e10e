/**
 * How a `pulsar2 build` config names a Caffe model, which pulsar2 itself does not read
 * (axb's own extension, so Caffe users need no separate converter): `input` is the deploy
 * `.prototxt` and `weights` (`--weights`) the trained `.caffemodel`; `model_type` stays
 * `ONNX`, the float model kind. The build converts the pair to the IR in its frontend
 * stage (`core/build/frontend_stage.ts`) and goes on as for an ONNX model.
 *
 * @module
 */
import type { BuildConfig } from "./build_config.ts";

/** Does `input` name a Caffe deploy description (a `.prototxt` file)? */
export function isCaffeInput(input: string): boolean {
  return /\.prototxt$/i.test(input);
}

/** A Caffe-input problem of a config: the field to blame and what is wrong. */
export interface CaffeInputProblem {
  readonly field: "input" | "weights" | "model_type";
  readonly problem: string;
}

/**
 * The first inconsistency between `input`, `weights` and `model_type`, or undefined.
 *
 * @param cfg the effective config
 * @param requireIo whether the build needs its input now (then a Caffe input without
 *   `weights` is refused; `axb config` may leave it for the command line)
 */
export function caffeInputProblem(
  cfg: BuildConfig,
  requireIo: boolean,
): CaffeInputProblem | undefined {
  const weights = cfg.weights ?? "";
  if (/\.caffemodel$/i.test(cfg.input)) {
    return {
      field: "input",
      problem:
        `"${cfg.input}" holds Caffe weights; give the net's .prototxt as input and the .caffemodel as --weights`,
    };
  }
  if (!isCaffeInput(cfg.input)) {
    if (weights === "" || cfg.input === "") return undefined;
    return {
      field: "weights",
      problem:
        `"${weights}" is read only with a Caffe input (a .prototxt), but input is "${cfg.input}"; drop weights or give the .prototxt as input`,
    };
  }
  if (cfg.model_type !== "ONNX") {
    return {
      field: "model_type",
      problem:
        `${cfg.model_type} does not fit the Caffe input "${cfg.input}", a float model; use model_type ONNX (the default)`,
    };
  }
  if (weights === "" && requireIo) {
    return {
      field: "input",
      problem:
        `"${cfg.input}" is a Caffe net and needs its trained blobs; pass --weights NET.caffemodel or set weights`,
    };
  }
  return undefined;
}
