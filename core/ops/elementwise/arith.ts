/**
 * Add, Sub, Mul, Div and Mod with numpy broadcasting.
 *
 * Integer semantics follow C / onnxruntime: results wrap modulo 2^bits, Div truncates
 * toward zero, Mod with `fmod=0` takes the sign of the divisor (Python `%`) and with
 * `fmod=1` the sign of the dividend (C `fmod`). Integer division or Mod by zero is a
 * KernelError (onnxruntime has no defined result: the process traps). Floats follow
 * IEEE 754 (x/0 = ±Inf, 0/0 = NaN); f16/bf16 are computed in float32 and rounded back.
 *
 * @module
 */
import type { DType } from "../../ir/dtype.ts";
import { isBigIntDType } from "../../ir/dtype.ts";
import type { Tensor } from "../../ir/tensor.ts";
import { where } from "../_util.ts";
import type { ParseContext, RegisteredOp } from "../op.ts";
import { KernelError, UnsupportedOpError } from "../../errors/mod.ts";
import {
  type BigLoop,
  type BinaryKernel,
  defineBinary,
  type NumLoop,
  simpleBinary,
} from "./_binary.ts";
import { isFloat, NUMERIC } from "./_data.ts";

const addN: NumLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] + b[ib];
};
const addB: BigLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] + b[ib];
};
const subN: NumLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] - b[ib];
};
const subB: BigLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] - b[ib];
};
const mulN: NumLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] * b[ib];
};
/** 32-bit products can exceed 2^53; Math.imul keeps the exact low 32 bits. */
const mulI32: NumLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = Math.imul(a[ia], b[ib]);
};
const mulB: BigLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] * b[ib];
};
const divF: NumLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] / b[ib];
};
/** Exact for |a|,|b| < 2^32: the double quotient never rounds across an integer. */
const divI: NumLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = Math.trunc(a[ia] / b[ib]);
};
const divB: BigLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] / b[ib];
};
/** C fmod: sign of the dividend (JS `%`). */
const fmodN: NumLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] % b[ib];
};
const fmodB: BigLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) o[io + k] = a[ia] % b[ib];
};
/** Python `%`: sign of the divisor. */
const pymodN: NumLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) {
    const d = b[ib];
    let r = a[ia] % d;
    if (r !== 0 && (r < 0) !== (d < 0)) r += d;
    o[io + k] = r;
  }
};
const pymodB: BigLoop = (a, ia, sa, b, ib, sb, o, io, n) => {
  for (let k = 0; k < n; k++, ia += sa, ib += sb) {
    const d = b[ib];
    let r = a[ia] % d;
    if (r !== 0n && (r < 0n) !== (d < 0n)) r += d;
    o[io + k] = r;
  }
};

function numericPick(num: NumLoop, big: BigLoop): (d: DType) => BinaryKernel | undefined {
  return (d) => {
    if (!NUMERIC.includes(d)) return undefined;
    return isBigIntDType(d) ? { kind: "big", loop: big } : { kind: "num", loop: num };
  };
}

/** Throw when an integer divisor tensor holds a zero. */
function checkNoZeroDivisor(a: Tensor, b: Tensor, ctx: ParseContext): void {
  if (isFloat(a.dtype)) return;
  const d = b.data;
  const zero = isBigIntDType(b.dtype) ? 0n : 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] === zero) {
      throw new KernelError(
        `${where(ctx)}: integer division by zero (divisor element ${i} is 0); ` +
          `integer ${ctx.node.opType} needs non-zero divisors`,
      );
    }
  }
}

/** Add: `A + B`. */
export const add: RegisteredOp = simpleBinary("Add", numericPick(addN, addB), { f32: "add" });
/** Sub: `A - B`. */
export const sub: RegisteredOp = simpleBinary("Sub", numericPick(subN, subB), { f32: "sub" });
/** Mul: `A * B` (integer products wrap). */
export const mul: RegisteredOp = simpleBinary("Mul", (d) => {
  if (d === "s32" || d === "u32") return { kind: "num", loop: mulI32 };
  return numericPick(mulN, mulB)(d);
}, { f32: "mul" });
/** Div: `A / B`; integers truncate toward zero. */
export const div: RegisteredOp = simpleBinary("Div", (d) => {
  if (!NUMERIC.includes(d)) return undefined;
  if (isBigIntDType(d)) return { kind: "big", loop: divB };
  return { kind: "num", loop: isFloat(d) ? divF : divI };
}, { check: checkNoZeroDivisor, f32: "div" });

/** Parsed attributes of Mod. */
export interface ModAttrs {
  /** 1 = C fmod (sign of dividend), 0 = Python mod (sign of divisor). */
  readonly fmod: boolean;
}

/** Mod: remainder with the sign rule chosen by `fmod`. */
export const mod: RegisteredOp = defineBinary<ModAttrs>({
  opType: "Mod",
  parse: (r, ctx) => {
    const f = r.int("fmod", 0);
    if (f !== 0 && f !== 1) {
      throw new UnsupportedOpError("Mod", ctx.node.name, `fmod=${f} is not 0 or 1`);
    }
    return { fmod: f === 1 };
  },
  pick: (d, attrs, ctx) => {
    if (!NUMERIC.includes(d)) return undefined;
    if (isFloat(d)) {
      if (!attrs.fmod) {
        throw new KernelError(
          `${where(ctx)}: float inputs need fmod=1, got fmod=0 (onnxruntime rejects it too)`,
        );
      }
      return { kind: "num", loop: fmodN };
    }
    if (isBigIntDType(d)) return { kind: "big", loop: attrs.fmod ? fmodB : pymodB };
    return { kind: "num", loop: attrs.fmod ? fmodN : pymodN };
  },
  check: (a, b, _attrs, ctx) => checkNoZeroDivisor(a, b, ctx),
});
