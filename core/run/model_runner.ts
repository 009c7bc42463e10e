/**
 * One interface over the kinds of model `axb run` executes, as `pulsar2 run` does:
 *
 * - a float ONNX model: the float reference executor;
 * - a quantized QDQ model (`quant/quant_axmodel.onnx`, pulsar2's QuantAxModel): the
 *   integer reference emulator (`--mode Reference`); inputs and outputs are float, as
 *   in the original model;
 * - a compiled model (`compiled.axmodel`): CPU subgraphs in float, NPU subgraphs in the
 *   NPU numeric model, one input-shape group at a time; a batch is split over the
 *   compiled batch variants (largest first);
 * - a Horizon container (`.bin`/`.hbm`, a compiled model with an `axb.horizon` entry): run
 *   as a compiled model, its inputs read in their runtime type (`horizon_inputs.ts`).
 *
 * @module
 */
import type { Model, ValueInfo } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { OpRegistry } from "../ops/op.ts";
import { Executor } from "../exec/executor.ts";
import { fromQdqModel, isQdqModel } from "../quant/qdq_import.ts";
import { QuantEmulator } from "../quant/emulator.ts";
import { isCompiledModel } from "../container/decode.ts";
import { CompiledRunner } from "../container/runtime.ts";
import { npuRunLog } from "../container/npu_kernel.ts";
import { UsageError } from "../errors/mod.ts";
import { readHorizonMeta } from "../container/horizon_meta.ts";
import { type HorizonRunInput, horizonRunInputs } from "./horizon_inputs.ts";

/** Runs one model on named inputs. */
export interface ModelRunner {
  /** What kind of model this is, as pulsar2 run names it. */
  readonly kind: "ONNX" | "QuantAxModel" | "CompiledAxModel" | "HorizonModel";
  /** The inputs a caller feeds, with the shapes the input files must have. */
  readonly inputs: readonly ValueInfo[];
  /** Run once; with `perLayer`, also return every intermediate tensor. */
  run(feeds: ReadonlyMap<string, Tensor>, perLayer: boolean): Map<string, Tensor>;
}

/** Options of {@linkcode modelRunner}. */
export interface RunnerOptions {
  /** `--batch_size`: samples per run (compiled models; 0 = the model's own batch). */
  batch?: number;
  /** `--group_index` (compiled models). */
  group?: number;
  /** Progress lines (`running npu subgraph: …`). */
  info?: (line: string) => void;
}

/** A runner for any model axb can execute. */
export function modelRunner(
  model: Model,
  registry: OpRegistry,
  what: string,
  opts: RunnerOptions = {},
): ModelRunner {
  if (isCompiledModel(model)) {
    const compiled = compiledRunner(model, registry, opts);
    const meta = readHorizonMeta(model, what);
    return meta ? horizonRunner(compiled, horizonRunInputs(compiled.inputs, meta), opts) : compiled;
  }
  if (opts.group) {
    throw new UsageError(`--group_index applies to compiled axmodels; ${what} is an ONNX model`);
  }
  const inputs = model.graph.runtimeInputs;
  if (isQdqModel(model)) {
    const emu = new QuantEmulator(fromQdqModel(model, what), registry);
    return {
      kind: "QuantAxModel",
      inputs,
      run(feeds, perLayer) {
        const all = new Map<string, Tensor>();
        const out = emu.run(feeds, perLayer ? { onValue: (n, t) => all.set(n, t) } : {});
        for (const [k, v] of out) all.set(k, v);
        return all;
      },
    };
  }
  const exec = new Executor(model, registry);
  return {
    kind: "ONNX",
    inputs,
    run(feeds, perLayer) {
      const out = exec.run(feeds, { keep: perLayer ? "all" : undefined });
      for (const k of model.graph.initializers.keys()) out.delete(k);
      return out;
    },
  };
}

function compiledRunner(model: Model, registry: OpRegistry, opts: RunnerOptions): ModelRunner {
  const runner = new CompiledRunner(model, { group: opts.group ?? 0, registry });
  const batch = opts.batch ?? 0;
  const inputs = runner.inputs.map((v): ValueInfo => {
    const t = v.type;
    if (!t || "kind" in t || !t.shape?.length) return v;
    const declared = model.graph.inputs.find((i) => i.name === v.name)?.type;
    const dim0 = batch > 0
      ? batch
      : declared && !("kind" in declared) && typeof declared.shape?.[0] === "number"
      ? declared.shape[0]
      : 1;
    return { ...v, type: { dtype: t.dtype, shape: [dim0, ...t.shape.slice(1)] } };
  });
  return {
    kind: "CompiledAxModel",
    inputs,
    run(feeds, perLayer) {
      const r = runner.run(feeds, { keep: perLayer ? "all" : undefined });
      for (const run of r.npuRuns) for (const line of npuRunLog(run)) opts.info?.(line);
      return r.outputs;
    },
  };
}

/** A compiled runner whose inputs are read in their runtime type and adapted. */
function horizonRunner(
  compiled: ModelRunner,
  inputs: readonly HorizonRunInput[],
  opts: RunnerOptions,
): ModelRunner {
  for (const i of inputs) opts.info?.(i.note);
  return {
    kind: "HorizonModel",
    inputs: inputs.map((i) => i.runtime),
    run(feeds, perLayer) {
      const adapted = new Map(feeds);
      for (const i of inputs) {
        const t = feeds.get(i.name);
        if (t) adapted.set(i.name, i.adapt(t));
      }
      return compiled.run(adapted, perLayer);
    },
  };
}
