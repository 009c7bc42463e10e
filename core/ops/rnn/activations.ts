/**
 * Activation functions of the recurrent operators (LSTM, GRU, RNN), parsed once from the
 * `activations`, `activation_alpha` and `activation_beta` attributes and applied to
 * contiguous spans of a Float32Array.
 *
 * @module
 */
import { UnsupportedOpError } from "../../errors/mod.ts";
import type { ParseContext } from "../op.ts";

/** One parsed activation with its parameters. */
export type Activation =
  | { readonly kind: "sigmoid" | "tanh" | "relu" | "softsign" | "softplus" }
  | { readonly kind: "leakyrelu" | "thresholdedrelu" | "elu"; readonly alpha: number }
  | {
    readonly kind: "affine" | "scaledtanh" | "hardsigmoid";
    readonly alpha: number;
    readonly beta: number;
  };

/** The ONNX spelling of each activation (names are matched case-insensitively). */
export const ACTIVATION_NAMES: Readonly<Record<Activation["kind"], string>> = {
  sigmoid: "Sigmoid",
  tanh: "Tanh",
  relu: "Relu",
  affine: "Affine",
  leakyrelu: "LeakyRelu",
  thresholdedrelu: "ThresholdedRelu",
  scaledtanh: "ScaledTanh",
  hardsigmoid: "HardSigmoid",
  elu: "Elu",
  softsign: "Softsign",
  softplus: "Softplus",
};

/** Defaults used when `activation_alpha`/`activation_beta` run out (as onnxruntime). */
const DEFAULTS: Readonly<Record<string, readonly [number, number]>> = {
  leakyrelu: [0.01, 0],
  thresholdedrelu: [1, 0],
  elu: [1, 0],
  affine: [1, 0],
  scaledtanh: [1, 1],
  hardsigmoid: [0.2, 0.5],
};

/**
 * Parse activation names; alphas and betas are consumed in order by the functions that
 * take them.
 */
export function parseActivations(
  names: readonly string[],
  alphas: readonly number[],
  betas: readonly number[],
  ctx: ParseContext,
): Activation[] {
  let ai = 0;
  let bi = 0;
  const out: Activation[] = [];
  for (const name of names) {
    const kind = name.toLowerCase();
    switch (kind) {
      case "sigmoid":
      case "tanh":
      case "relu":
      case "softsign":
      case "softplus":
        out.push({ kind });
        break;
      case "leakyrelu":
      case "thresholdedrelu":
      case "elu": {
        const alpha = ai < alphas.length ? alphas[ai++] : DEFAULTS[kind][0];
        out.push({ kind, alpha });
        break;
      }
      case "affine":
      case "scaledtanh":
      case "hardsigmoid": {
        const alpha = ai < alphas.length ? alphas[ai++] : DEFAULTS[kind][0];
        const beta = bi < betas.length ? betas[bi++] : DEFAULTS[kind][1];
        out.push({ kind, alpha, beta });
        break;
      }
      default: {
        const known = Object.values(ACTIVATION_NAMES);
        throw new UnsupportedOpError(
          ctx.node.opType,
          ctx.node.name,
          `activation "${name}" is not supported (expected ${known.slice(0, -1).join(", ")} or ${
            known[known.length - 1]
          })`,
        );
      }
    }
  }
  return out;
}

/** Apply `act` in place to `buf[off .. off+len)`. */
export function applyActivation(
  act: Activation,
  buf: Float32Array,
  off: number,
  len: number,
): void {
  const end = off + len;
  switch (act.kind) {
    case "sigmoid":
      for (let i = off; i < end; i++) {
        const x = buf[i];
        if (x >= 0) buf[i] = 1 / (1 + Math.exp(-x));
        else {
          const e = Math.exp(x);
          buf[i] = e / (1 + e);
        }
      }
      return;
    case "tanh":
      for (let i = off; i < end; i++) buf[i] = Math.tanh(buf[i]);
      return;
    case "relu":
      for (let i = off; i < end; i++) if (!(buf[i] > 0)) buf[i] = 0;
      return;
    case "softsign":
      for (let i = off; i < end; i++) buf[i] = buf[i] / (1 + Math.abs(buf[i]));
      return;
    case "softplus":
      for (let i = off; i < end; i++) {
        const x = buf[i];
        buf[i] = x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
      }
      return;
    case "leakyrelu": {
      const a = act.alpha;
      for (let i = off; i < end; i++) if (buf[i] < 0) buf[i] *= a;
      return;
    }
    case "thresholdedrelu": {
      const a = act.alpha;
      for (let i = off; i < end; i++) if (!(buf[i] > a)) buf[i] = 0;
      return;
    }
    case "elu": {
      const a = act.alpha;
      for (let i = off; i < end; i++) if (buf[i] < 0) buf[i] = a * (Math.exp(buf[i]) - 1);
      return;
    }
    case "affine": {
      const { alpha, beta } = act;
      for (let i = off; i < end; i++) buf[i] = alpha * buf[i] + beta;
      return;
    }
    case "scaledtanh": {
      const { alpha, beta } = act;
      for (let i = off; i < end; i++) buf[i] = alpha * Math.tanh(beta * buf[i]);
      return;
    }
    case "hardsigmoid": {
      const { alpha, beta } = act;
      for (let i = off; i < end; i++) buf[i] = Math.min(1, Math.max(0, alpha * buf[i] + beta));
      return;
    }
  }
}

/** Clamp `buf[off .. off+len)` to [-clip, clip] in place (no-op when clip is undefined). */
export function clipSpan(
  buf: Float32Array,
  off: number,
  len: number,
  clip: number | undefined,
): void {
  if (clip === undefined) return;
  const end = off + len;
  for (let i = off; i < end; i++) {
    const x = buf[i];
    if (x > clip) buf[i] = clip;
    else if (x < -clip) buf[i] = -clip;
  }
}
