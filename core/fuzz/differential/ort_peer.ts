/**
 * onnxruntime-node as the differential test's {@linkcode PeerRuntime}. The module is
 * passed in by the caller (a test file or `tools/fuzz.ts`), so only those load the native
 * addon, each in a process of its own (`tools/test.ts`).
 *
 * @module
 */
import type * as Ort from "onnxruntime-node";
import type { DType } from "../../ir/dtype.ts";
import { Tensor } from "../../ir/tensor.ts";
import type { PeerRuntime } from "./run_case.ts";

const TO_ORT: Partial<Record<DType, Ort.Tensor.Type>> = {
  f32: "float32",
  u8: "uint8",
  s8: "int8",
  u16: "uint16",
  s16: "int16",
  s32: "int32",
  s64: "int64",
  bool: "bool",
};
const FROM_ORT: Partial<Record<string, DType>> = Object.fromEntries(
  Object.entries(TO_ORT).map(([k, v]) => [v, k as DType]),
);

/**
 * A peer running models in onnxruntime's CPU provider at its default optimisation level
 * ("all"), or with no graph optimisation ("disabled") when asked for the unfused graph; the session of the last model
 * run is kept (a case runs one model several times).
 */
export function ortPeer(ort: typeof Ort): PeerRuntime {
  let last: { bytes: Uint8Array; unfused: boolean; session: Ort.InferenceSession } | undefined;
  return {
    async run(bytes, feeds, opts = {}) {
      const unfused = opts.unfused ?? false;
      if (last?.bytes !== bytes || last.unfused !== unfused) {
        const old = last;
        last = undefined;
        await old?.session.release();
        // "disabled" runs the graph as written; "all" fuses QDQ groups into QLinear kernels
        const graphOptimizationLevel = unfused ? "disabled" : "all";
        const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel });
        last = { bytes, unfused, session };
      }
      const input: Record<string, Ort.Tensor> = {};
      for (const [name, t] of feeds) {
        const type = TO_ORT[t.dtype];
        if (!type) throw new Error(`peer: input "${name}" has dtype ${t.dtype}`);
        input[name] = new ort.Tensor(type, t.data as Ort.Tensor.DataType, [...t.shape]);
      }
      const result = await last.session.run(input);
      const out = new Map<string, Tensor>();
      for (const [name, v] of Object.entries(result)) {
        const dtype = FROM_ORT[v.type];
        if (!dtype) throw new Error(`peer: output "${name}" has type ${v.type}`);
        out.set(name, new Tensor(dtype, [...v.dims], v.data as Tensor["data"]));
      }
      return out;
    },
  };
}
