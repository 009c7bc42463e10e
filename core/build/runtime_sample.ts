/**
 * A calibration sample in the compiled model's input format, for `compiler.check`
 * (pulsar2 prefers calibration data to random data there). Calibration samples are in
 * the original model's format; the compiled model takes what `input_processors`
 * describe (`src_*`). The pre-processing plan is run backwards:
 *
 * model tensor → to float → inverse transpose (`tensor_layout` → `src_layout`) →
 * `x · std + mean` → round and saturate to `src_dtype` → drop the padding.
 *
 * Two steps cannot be undone: colour-space conversion (YUV/GRAY sources) and slicing
 * (the sliced-away border is not in the sample). An input with either keeps random data,
 * and the reason is reported.
 *
 * @module
 */
import type { ValueInfo } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { f32, s64 } from "../ir/tensor.ts";
import { type DType, DTYPES } from "../ir/dtype.ts";
import { attr, buildModel, type NodeSpec } from "../ir/builder.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { InputProcessor } from "../config/build_config.ts";
import { Executor } from "../exec/executor.ts";
import { byTensorName } from "../preprocess/_by_tensor_name.ts";
import { type InputPlan, planInput } from "../preprocess/_input_plan.ts";

/** One input converted, or the reason it cannot be. */
export type RuntimeSample =
  | { readonly ok: true; readonly tensor: Tensor }
  | { readonly ok: false; readonly reason: string };

/** The saturation bounds of an integer runtime dtype. */
function intBounds(dtype: DType): [number, number] {
  const bits = DTYPES[dtype].bytes * 8;
  return DTYPES[dtype].isSigned ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

function inversePerm(perm: readonly number[]): number[] {
  const inv: number[] = [];
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Why `plan` cannot be run backwards, or undefined when it can. */
function irreversible(plan: InputPlan): string | undefined {
  if (plan.color) return "its colour-space conversion cannot be undone";
  if (plan.slicing) return "its slicing drops data the sample does not have";
  const rt = DTYPES[plan.runtimeDtype];
  if (!rt.isFloat && !rt.isInteger) return `its runtime dtype ${rt.label} is not numeric`;
  return undefined;
}

/** The backward plan as a float graph from `x` (model format) to `y` (runtime format). */
function backwardModel(plan: InputPlan, sample: Tensor) {
  const nodes: NodeSpec[] = [];
  const init: Record<string, Tensor> = {};
  let x = "x";
  const op = (opType: string, inputs: string[], attrs: NodeSpec["attrs"] = {}) => {
    const out = `v${nodes.length}`;
    nodes.push({ opType, inputs, outputs: [out], attrs });
    return out;
  };
  const rank = sample.rank;
  x = op("Cast", [x], { to: attr.int(DTYPES.f32.onnx) });
  if (plan.perm) x = op("Transpose", [x], { perm: attr.ints(inversePerm(plan.perm)) });
  if (plan.norm) {
    const { mean, std } = plan.norm;
    const n = Math.max(mean.length, std.length);
    const shape = n === 1 ? [] : [n, ...Array<number>(rank - plan.chAxis - 1).fill(1)];
    const vec = (xs: number[]) => f32(shape, xs.length === n ? xs : Array<number>(n).fill(xs[0]));
    init.std = vec(std);
    init.mean = vec(mean);
    x = op("Add", [op("Mul", [x, "std"]), "mean"]);
  }
  const rt = plan.runtimeDtype;
  if (DTYPES[rt].isInteger) {
    const [lo, hi] = intBounds(rt);
    init.lo = f32([], [lo]);
    init.hi = f32([], [hi]);
    x = op("Clip", [op("Round", [x]), "lo", "hi"]);
  }
  x = op("Cast", [x], { to: attr.int(DTYPES[rt].onnx) });
  if (plan.padding) {
    const pad = plan.padding;
    const axes = pad.map((_, i) => i).filter((i) => pad[i][0] + pad[i][1] > 0);
    const shape = plan.colorInShape;
    init.starts = s64([axes.length], axes.map((i) => pad[i][0]));
    init.ends = s64([axes.length], axes.map((i) => (shape[i] as number) - pad[i][1]));
    init.axes = s64([axes.length], axes);
    x = op("Slice", [x, "starts", "ends", "axes"]);
  }
  nodes.push({ opType: "Identity", inputs: [x], outputs: ["y"] });
  return buildModel({
    name: "to_runtime_format",
    opset: 13,
    inputs: [{ name: "x", dtype: sample.dtype, shape: [...sample.shape] }],
    outputs: [{ name: "y", dtype: rt, shape: sample.shape.map(() => null) }],
    nodes,
    initializers: init,
  });
}

/**
 * Convert one calibration sample (all inputs) to the compiled model's input format.
 *
 * @param sample the model-format tensors, by input name
 * @param inputs the model's runtime inputs before pre-processing
 * @param processors the config's `input_processors`
 * @param registry operators that run the backward plan
 * @returns per input, the runtime tensor or the reason it has none
 */
export function runtimeSample(
  sample: ReadonlyMap<string, Tensor>,
  inputs: readonly ValueInfo[],
  processors: readonly InputProcessor[],
  registry: OpRegistry,
): Map<string, RuntimeSample> {
  const chosen = byTensorName(processors, inputs.map((v) => v.name), "input_processors", "input");
  const out = new Map<string, RuntimeSample>();
  for (const v of inputs) {
    const t = sample.get(v.name);
    if (!t) {
      out.set(v.name, { ok: false, reason: "the calibration sample has no tensor for it" });
      continue;
    }
    const hit = chosen.get(v.name);
    if (!hit) {
      out.set(v.name, { ok: true, tensor: t });
      continue;
    }
    const plan = planInput(hit.p, v.name, t.dtype, t.shape, `input_processors[${hit.index}]`);
    const why = irreversible(plan);
    if (why) {
      out.set(v.name, { ok: false, reason: `input_processors[${hit.index}]: ${why}` });
      continue;
    }
    const exec = new Executor(backwardModel(plan, t), registry);
    out.set(v.name, { ok: true, tensor: exec.run(new Map([["x", t]])).get("y")! });
  }
  return out;
}
