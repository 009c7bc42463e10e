/**
 * `input_processors` (spec `pulsar2-build.md` §4.6, §5.4, §5.5): compile the bridge from
 * what the deployed model receives (`src_*`) to what the float model expects (`tensor_*`)
 * into the graph, as standard ONNX operators.
 *
 * Before: `data: float32[1, 3, 224, 224]` → Conv …
 * After (`src_dtype U8`, `src_layout NHWC`, mean/std):
 * `data: uint8[1, 224, 224, 3]` → Cast → Sub(mean) → Div(std) → Transpose[0,3,1,2] → Conv …
 *
 * The graph input keeps its name and gets the runtime dtype and shape. Step order and
 * its reasons are in `_input_plan.ts`; CSC details and coefficients in `csc.ts`.
 * Logs follow pulsar2: `preprocess tensor [data]`, then one `op:` line per logical step
 * (named as the vendor's Ax operators) and a `tensor:` line for each step's output.
 *
 * @module
 */
import { byTensorName } from "./_by_tensor_name.ts";
import type { Model, Node } from "../ir/graph.ts";
import type { DType } from "../ir/dtype.ts";
import type { Dim } from "../ir/types.ts";
import { f32, scalar } from "../ir/tensor.ts";
import { attr } from "../ir/builder.ts";
import type { Logger } from "../util/log.ts";
import type { ColorSpace, InputProcessor, Layout } from "../config/build_config.ts";
import { ConfigError } from "../errors/mod.ts";
import { NameScope } from "../ir/names.ts";
import { castTo, dataTypeName, Emitter } from "./_edit.ts";
import { type InputPlan, planInput } from "./_input_plan.ts";
import { emitCsc } from "./csc.ts";
import { pyFloat32, pyList, pyString, pyTuple } from "./_pyrepr.ts";

/** The logical steps inserted for one input, in order. */
export type PreStep = "slice" | "pad" | "dequant" | "csc" | "norm" | "transpose" | "cast";

/** One runtime input of the processed model. */
export interface RuntimeInput {
  /** Graph input name (unchanged from the float model). */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  /** Layout of the runtime tensor (`DefaultLayout` when no processor applies). */
  readonly layout: Layout;
  /** Colour format of the runtime tensor (`AutoColorSpace` when unknown). */
  readonly format: ColorSpace;
  readonly steps: readonly PreStep[];
}

/** Result of {@linkcode applyInputProcessors}. */
export interface InputProcessing {
  readonly model: Model;
  /** Every runtime input in graph order. */
  readonly inputs: readonly RuntimeInput[];
}

/** The vendor's warning when CSC settings do not apply. */
export const CSC_IGNORED_WARNING =
  "ignore input csc config because of src_format is AutoColorSpace or src_format and tensor_format are the same";

/**
 * Insert the pre-processing of every input a processor names (`DEFAULT` = every input
 * no other entry names), editing `model` in place.
 *
 * @throws {ConfigError} naming `input_processors[i].<field>` for unknown inputs,
 *   duplicate entries and settings that do not fit the input
 */
export function applyInputProcessors(
  model: Model,
  processors: readonly InputProcessor[],
  log: Logger,
): InputProcessing {
  const g = model.graph;
  const runtime = g.runtimeInputs;
  const chosen = byTensorName(processors, runtime.map((v) => v.name), "input_processors", "input");
  // Validate and plan every input first, so warnings precede the per-tensor lines.
  const plans = runtime.map((v) => {
    const hit = chosen.get(v.name);
    const type = v.type && !("kind" in v.type) ? v.type : undefined;
    if (!hit || !type) return { v, type };
    const field = `input_processors[${hit.index}]`;
    if (!type.shape) {
      throw new ConfigError(
        `${field}: input "${v.name}" has no known shape; set it with input_shapes`,
        {
          field: `${field}.tensor_name`,
        },
      );
    }
    const plan = planInput(hit.p, v.name, type.dtype, type.shape, field);
    if (plan.cscIgnored) log.warn(CSC_IGNORED_WARNING);
    if (plan.note) log.warn(plan.note);
    return { v, type, plan, format: hit.p.src_format };
  });
  const names = new NameScope(g);
  const inserted: Node[] = [];
  const inputs: RuntimeInput[] = [];
  let k = 0;
  for (const { v, type, plan, format } of plans) {
    log.info(`preprocess tensor [${v.name}]`);
    if (!plan) {
      inputs.push({
        name: v.name,
        dtype: type?.dtype ?? "f32",
        shape: type?.shape ?? [],
        layout: "DefaultLayout",
        format: "AutoColorSpace",
        steps: [],
      });
      continue;
    }
    const em = new Emitter(g, names);
    const { out, steps } = emitPlan(em, plan, ++k, log);
    // A graph output that is the input itself keeps reading the runtime tensor.
    if (out !== v.name) g.replaceAllUses(v.name, out);
    g.inputs[g.inputs.indexOf(v)] = {
      ...v,
      type: { dtype: plan.runtimeDtype, shape: [...plan.runtimeShape] },
    };
    inserted.push(...em.nodes);
    inputs.push({
      name: v.name,
      dtype: plan.runtimeDtype,
      shape: plan.runtimeShape,
      layout: plan.srcLayout,
      format,
      steps,
    });
  }
  g.addNodes(inserted, 0);
  return { model, inputs };
}

/** Emit the plan's nodes; returns the value the model's consumers should read. */
function emitPlan(
  em: Emitter,
  plan: InputPlan,
  k: number,
  log: Logger,
): { out: string; steps: PreStep[] } {
  const steps: PreStep[] = [];
  let x = plan.name;
  let dtype = plan.runtimeDtype;
  let shape: readonly Dim[] = plan.runtimeShape;
  const first = `tensor: ${x}, ${pyTuple(shape)}, ${dataTypeName(dtype)}`;
  const step = (
    kind: PreStep,
    axName: string,
    attrs: string,
    next: readonly Dim[],
    emit: (base: string) => string,
  ) => {
    const base = `pre_${kind}_${k}`;
    if (steps.length === 0) log.info(first);
    log.info(`op: op:${base}, ${axName}, {${attrs}}`);
    x = emit(base);
    shape = next;
    steps.push(kind);
    log.info(`tensor: ${x}, ${pyTuple(shape)}, ${dataTypeName(dtype)}`);
  };
  const rank = shape.length;
  if (plan.slicing) {
    const sl = plan.slicing;
    const axes = sl.map((_, i) => i).filter((i) => sl[i][0] + sl[i][1] > 0);
    const starts = axes.map((i) => sl[i][0]);
    const ends = axes.map((i) => (shape[i] as number) - sl[i][1]);
    step(
      "slice",
      "AxSlice",
      `'starts': ${pyList(starts)}, 'ends': ${pyList(ends)}, 'axes': ${pyList(axes)}`,
      plan.slicedShape,
      (b) =>
        em.op("Slice", [
          x,
          em.ints(`${b}/starts`, starts),
          em.ints(`${b}/ends`, ends),
          em.ints(`${b}/axes`, axes),
        ], b),
    );
  }
  if (plan.padding) {
    const pads = [...plan.padding.map((q) => q[0]), ...plan.padding.map((q) => q[1])];
    const value = plan.padValue;
    step(
      "pad",
      "AxPad",
      `'pads': ${pyList(pads)}, 'mode': 'constant', 'constant_value': ${value}`,
      plan.colorInShape,
      (b) =>
        em.op(
          "Pad",
          [x, em.ints(`${b}/pads`, pads), em.constant(`${b}/value`, scalar(dtype, value))],
          b,
          { mode: attr.string("constant") },
        ),
    );
  }
  const work: DType = plan.floatSteps ? "f32" : plan.modelDtype;
  if (dtype !== work) {
    const to = work;
    dtype = to;
    const kind: PreStep = to === "f32" ? "dequant" : "cast";
    const attrs = to === "f32"
      ? "'const_inputs': {'x_scale': 1.0, 'x_zeropoint': 0}, 'output_dtype': 'FP32'"
      : `'to': ${pyString(dataTypeName(to))}`;
    step(
      kind,
      to === "f32" ? "AxDequantizeLinear" : "AxCast",
      attrs,
      shape,
      (b) => em.op("Cast", [x], b, castTo(to)),
    );
  }
  const color = plan.color;
  if (color?.kind === "yuv") {
    const { weights, bias } = color.affine;
    const mat = weights.flatMap((r, c) => [...r, bias[c]]).map(Math.fround);
    const attrs = `'src_format': ${pyString(color.format)}, 'matrix': ${pyList(mat, false)}`;
    step(
      "csc",
      "AxCSC",
      attrs,
      plan.preTransposeShape,
      (b) => emitCsc(em, x, color.format, color.affine, color.size, b),
    );
  } else if (color?.kind === "gray_to_color") {
    const target = shape.map((_, i) => (i === plan.chAxis ? 3 : 1));
    step(
      "csc",
      "AxCSC",
      `'src_format': 'GRAY', 'repeats': ${pyList(target)}`,
      plan.preTransposeShape,
      (b) => em.op("Expand", [x, em.ints(`${b}/shape`, target)], b),
    );
  }
  if (plan.norm) {
    const { mean, std } = plan.norm;
    const axis = plan.chAxis;
    const n = Math.max(mean.length, std.length);
    // One value per channel along `axis`, broadcasting over the axes after it.
    const vshape = n === 1 ? [] : [n, ...Array<number>(rank - axis - 1).fill(1)];
    const vec = (xs: number[]) => f32(vshape, xs.length === n ? xs : Array<number>(n).fill(xs[0]));
    const show = (xs: number[]) => `[${xs.map(pyFloat32).join(", ")}]`;
    step(
      "norm",
      "AxNormalize",
      `'dim': ${axis}, 'mean': ${show(mean)}, 'std': ${show(std)}`,
      shape,
      (b) => {
        const centred = em.op("Sub", [x, em.constant(`${b}/mean`, vec(mean))], `${b}/sub`);
        return em.op("Div", [centred, em.constant(`${b}/std`, vec(std))], b);
      },
    );
  }
  if (plan.perm) {
    const perm = plan.perm;
    step(
      "transpose",
      "AxTranspose",
      `'perm': ${pyList(perm)}`,
      plan.modelShape,
      (b) => em.op("Transpose", [x], b, { perm: attr.ints([...perm]) }),
    );
  }
  if (dtype !== plan.modelDtype) {
    const to = plan.modelDtype;
    dtype = to;
    step(
      "cast",
      "AxCast",
      `'to': ${pyString(dataTypeName(to))}`,
      shape,
      (b) => em.op("Cast", [x], b, castTo(to)),
    );
  }
  return { out: x, steps };
}
