/**
 * The integer reference emulator of a {@linkcode QuantModel} (pulsar2 run's QuantAxModel
 * "Reference" mode). It runs through the float executor's scheduler with its own node
 * steps; quantized tensors travel as float32 tensors holding integer codes.
 *
 * Per node, the first path that applies (the operator capability table,
 * `op_capabilities.ts`, says which an operator may take; `kernel_applicability.ts` says
 * whether a node qualifies):
 * 1. a Relu/Clip whose input is `fused`: identity (its producer already requantized
 *    into this activation's parameters, clamped to its bounds);
 * 2. the operator's integer kernel (`integer_steps.ts`) — exact accumulation, then
 *    requantization in the chosen arithmetic and saturation; in `qdq`, a group that
 *    onnxruntime runs in float (16-bit, mixed types) is realised as it does
 *    (`qdq_realisation.ts`), requantizing into the same target and bounds;
 * 3. operators sharing their input's parameters (Reshape, Transpose, MaxPool, …):
 *    the float kernel on the codes (Pad pads with the code of its constant value);
 * 4. table operators on one quantized input: a lookup table over every code
 *    (256 entries for 8-bit, 65536 for 16-bit), built from the float kernel;
 * 5. everything else: dequantize (coded weights and biases too, as DequantizeLinear
 *    gives them), float kernel, quantize (round half to even, as ONNX QuantizeLinear) —
 *    what a QDQ graph means for operators without an integer form. A node that reads or
 *    writes a per-channel activation (or is fused into a Relu/Clip that writes one) always
 *    takes this path: no integer kernel takes per-channel activations, and onnxruntime
 *    runs such nodes in float too.
 *
 * Float kernels in the `qdq` arithmetic round as onnxruntime's where `ort_float.ts`
 * has them (MatMul, Gemm, Softmax, LayerNormalization, Sigmoid, Tanh).
 *
 * @module
 */
import type { Node } from "../ir/graph.ts";
import { opsetOf } from "../ir/opset.ts";
import { asFloat32, Tensor } from "../ir/tensor.ts";
import { isTensor } from "../ir/value.ts";
import type { OpRegistry, PreparedNode } from "../ops/op.ts";
import { Executor } from "../exec/executor.ts";
import { activationParams, type QuantModel } from "./quant_model.ts";
import type { Arithmetic } from "./int_kernels.ts";
import { nodeCapabilities } from "./op_capabilities.ts";
import { kernelApplies, quantOperand, tableApplies } from "./kernel_applicability.ts";
import { KernelError } from "../errors/mod.ts";
import { dequantizeTensor, type QParams, quantizeTensor } from "./codes.ts";
import {
  type EmulationPath,
  type PrepareContext,
  requantTarget,
  step,
  tableStep,
} from "./emulator_steps.ts";
import { INTEGER_STEPS } from "./integer_steps.ts";
import {
  dequantizedConstants,
  floatRequantStep,
  floatRunOf,
  onnxruntimeRunsInteger,
} from "./qdq_realisation.ts";

export { dequantizeTensor, quantizeTensor } from "./codes.ts";
export type { EmulationPath } from "./emulator_steps.ts";

/** Options of {@linkcode QuantEmulator.run}. */
export interface EmulateOptions {
  /** Called with every node output, dequantized to float (fused tensors are skipped). */
  onValue?: (name: string, value: Tensor, node: Node) => void;
  /**
   * Called with every node output as the emulator holds it (fused tensors are skipped):
   * the integer codes and their parameters, or float values without parameters. For a
   * caller that reduces the values without needing them dequantized.
   */
  onCodes?: (name: string, value: Tensor, params: QParams | undefined, node: Node) => void;
}

/** One output of {@linkcode QuantEmulator.runNodeCodes}. */
export interface NodeOutput {
  /** Integer codes when `params` is set, float values otherwise. */
  value: Tensor;
  /** The output's quantization parameters. */
  params?: QParams;
}

/** Options of the {@linkcode QuantEmulator} constructor. */
export interface EmulatorOptions {
  /**
   * `qdq` (default): the QDQ graph's meaning as onnxruntime realises it (float32
   * multipliers, round half to even) — pulsar2 run's QuantAxModel Reference mode.
   * `npu`: the NPU numeric model (fixed-point multiplier and shift, round half away
   * from zero) — what compiled NPU subgraphs compute.
   */
  arithmetic?: Arithmetic;
}

/** Runs a quantized model with integer reference kernels. */
export class QuantEmulator {
  /** The quantized model this emulator runs. */
  readonly quant: QuantModel;
  readonly #exec: Executor;
  /** The path each node takes, by node name. */
  readonly paths: Map<string, EmulationPath> = new Map();
  readonly #steps = new Map<Node, PreparedNode>();
  readonly #producers: Map<string, Node>;

  /**
   * Prepare every node of `quant` (integer, passive, table or float-inside step).
   *
   * @throws {UnsupportedOpError} when the model uses an operator axb lacks
   */
  constructor(quant: QuantModel, registry: OpRegistry, opts: EmulatorOptions = {}) {
    this.quant = quant;
    const g = quant.model.graph;
    const ctx: PrepareContext = {
      arithmetic: opts.arithmetic ?? "qdq",
      opset: opsetOf(quant.model, ""),
      q: quant,
      g,
      model: quant.model,
      consumers: g.consumers(),
      producers: g.producers(),
      paths: this.paths,
    };
    this.#producers = ctx.producers;
    this.#exec = new Executor(quant.model, registry, {
      prepareNode: (node, floatKernel) => {
        const s = prepareQuantNode(node, floatKernel, ctx);
        this.#steps.set(node, s);
        return s;
      },
      // If/Loop bodies run float kernels: they read captured activations as real values.
      capturedValue: (name, v) => {
        const p = activationParams(quant, name);
        return p && isTensor(v) ? dequantizeTensor(v, p) : v;
      },
    });
  }

  /**
   * Run one node in isolation on float values (PerLayer analysis): quantized inputs are
   * quantized with their own parameters, outputs are dequantized. A Relu/Clip fused into
   * its producer runs the producer (which requantizes into the activation's parameters).
   *
   * @param quantize quantizes input `name` (`quantizeTensor(t, p)`); a caller that feeds
   *   the same tensor to several nodes passes a memo so it is quantized once
   */
  runNode(
    node: Node,
    valueOf: (name: string) => Tensor | undefined,
    quantize?: (name: string, t: Tensor, p: QParams) => Tensor,
  ): (Tensor | undefined)[] {
    return this.runNodeCodes(node, valueOf, quantize).map((o) =>
      o && (o.params ? dequantizeTensor(o.value, o.params) : o.value)
    );
  }

  /** {@linkcode runNode}, its quantized outputs left as codes with their parameters. */
  runNodeCodes(
    node: Node,
    valueOf: (name: string) => Tensor | undefined,
    quantize: (name: string, t: Tensor, p: QParams) => Tensor = (_, t, p) => quantizeTensor(t, p),
  ): (NodeOutput | undefined)[] {
    const q = this.quant;
    const fusedInput = node.inputs[0] && q.fused.has(node.inputs[0]);
    const runner = fusedInput ? this.#producers.get(node.inputs[0]) : node;
    if (!runner) return [];
    const step = this.#steps.get(runner);
    if (!step) return [];
    const inputs = runner.inputs.map((name) => {
      if (!name) return undefined;
      const t = valueOf(name) ?? q.model.graph.initializers.get(name);
      const p = activationParams(q, name);
      return t && p ? quantize(name, t, p) : t;
    });
    const outs = step.run(inputs, {
      opset: this.#exec.opsetOf(runner.domain),
      node: runner,
      runSubgraph: () => {
        throw new KernelError(`Node "${runner.name}": subgraphs are not analysed layer by layer`);
      },
    });
    const names = fusedInput ? node.outputs : runner.outputs;
    return names.map((name, i) => {
      const t = outs[i];
      if (!t || !name || q.fused.has(name)) return undefined;
      const p = activationParams(q, name);
      return p ? { value: t, params: p } : { value: t };
    });
  }

  /** Run on float inputs; returns float (dequantized) outputs. */
  run(feeds: ReadonlyMap<string, Tensor>, opts: EmulateOptions = {}): Map<string, Tensor> {
    const q = this.quant;
    const codes = new Map<string, Tensor>();
    for (const [name, t] of feeds) {
      const p = activationParams(q, name);
      codes.set(name, p ? quantizeTensor(t, p) : t);
    }
    const { onValue, onCodes } = opts;
    const out = this.#exec.run(codes, {
      onValue: onValue || onCodes
        ? (name, t, node) => {
          if (q.fused.has(name)) return;
          const p = activationParams(q, name);
          onCodes?.(name, t, p, node);
          onValue?.(name, p ? dequantizeTensor(t, p) : t, node);
        }
        : undefined,
    });
    const result = new Map<string, Tensor>();
    for (const [name, t] of out) {
      const p = activationParams(q, name);
      result.set(name, p ? dequantizeTensor(t, p) : t);
    }
    return result;
  }

  /** Run and return the raw integer codes of quantized outputs (floats for float outputs). */
  runCodes(feeds: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
    const codes = new Map<string, Tensor>();
    for (const [name, t] of feeds) {
      const p = activationParams(this.quant, name);
      codes.set(name, p ? quantizeTensor(t, p) : t);
    }
    return this.#exec.run(codes);
  }
}

function prepareQuantNode(
  node: Node,
  floatKernelOf: () => PreparedNode,
  c: PrepareContext,
): PreparedNode {
  const fk = floatKernelOf();
  const record = (p: EmulationPath) => c.paths.set(node.name, p);
  const q = c.q;
  const inQ = node.inputs.map((i) => (i ? activationParams(q, i) : undefined));
  const outQ = node.outputs.map((o) => (o ? activationParams(q, o) : undefined));
  // Per-channel activations (no integer kernel takes them): the QDQ meaning, as
  // onnxruntime realises it — dequantize per channel, float kernel, quantize per channel.
  // A producer fused into a Relu/Clip that runs this way hands the Relu/Clip float values,
  // so the Relu/Clip runs in float too.
  const fusedProducer = node.inputs[0] && q.fused.has(node.inputs[0])
    ? c.producers.get(node.inputs[0])
    : undefined;
  if (
    readsOrWritesPerChannel(node, c) || (fusedProducer && readsOrWritesPerChannel(fusedProducer, c))
  ) {
    record("float-inside");
    return floatInsideStep(node, fk, inQ, outQ, c);
  }
  // 1. fused activation: pass codes through
  if (node.inputs[0] && q.fused.has(node.inputs[0])) {
    record("fused");
    return step(node, fk, (inputs) => [inputs[0]!]);
  }
  const caps = nodeCapabilities(node);
  const operands = node.inputs.map((i) => quantOperand(q, i));
  // 2. integer kernel, requantizing into this node's output or its fused activation's
  const target = requantTarget(node, outQ[0], c);
  const kernel = caps.integer?.kernel;
  const query = {
    node,
    opset: c.opset,
    operands,
    outputQuantized: target !== undefined,
    arithmetic: c.arithmetic,
  };
  if (kernel && target && kernelApplies(kernel, query)) {
    record("integer");
    if (c.arithmetic === "qdq" && !onnxruntimeRunsInteger(kernel, inQ, target.params)) {
      return floatRequantStep(node, fk, inQ, target, c);
    }
    return INTEGER_STEPS[kernel](node, fk, inQ, target, c);
  }
  const fusedOutput = node.outputs[0] !== undefined && q.fused.has(node.outputs[0]);
  if (fusedOutput) {
    throw new KernelError(
      `Node "${node.name}" (${node.opType}): its output "${node.outputs[0]}" is marked fused ` +
        `into the next Relu/Clip, but no integer kernel of axb computes this node; ` +
        `re-quantize the model with axb to drop the stale fusion`,
    );
  }
  const anyQuant = inQ.some((p) => p) || outQ.some((p) => p);
  if (!anyQuant) {
    record("float");
    return fk;
  }
  // 3. shared parameters: the float kernel on codes
  if (
    caps.scales === "shared" && inQ[0] &&
    outQ.every((p, i) => !node.outputs[i] || (p && p.dominator === inQ[0]!.dominator))
  ) {
    record("passive");
    if (node.opType === "Pad") {
      // constant padding writes the code of the pad value (0 by default) on the input's grid
      const x = inQ[0];
      return step(node, fk, (inputs, ctx) => {
        const patched = [...inputs];
        while (patched.length < 3) patched.push(undefined);
        const value = patched[2] ? asFloat32(patched[2])[0] : 0;
        const code = quantizeTensor(new Tensor("f32", [], Float32Array.of(value)), x);
        patched[2] = code;
        return fk.run(patched, ctx);
      });
    }
    return fk;
  }
  // 4. lookup table
  if (tableApplies(node, operands, outQ[0] !== undefined)) {
    record("table");
    return tableStep(node, fk, inQ[0]!, outQ[0]!, floatRunOf(node, fk, c));
  }
  // 5. float inside
  record("float-inside");
  return floatInsideStep(node, fk, inQ, outQ, c);
}

/**
 * Whether `node` reads or writes a per-channel activation — its own, or, when its output is
 * fused into a Relu/Clip, that activation's output.
 */
function readsOrWritesPerChannel(node: Node, c: PrepareContext): boolean {
  const perChannel = (name: string | undefined) =>
    !!name && !!activationParams(c.q, name)?.channels;
  if (node.inputs.some(perChannel) || node.outputs.some(perChannel)) return true;
  const out = node.outputs[0];
  if (!out || !c.q.fused.has(out)) return false;
  return perChannel((c.consumers.get(out) ?? [])[0]?.outputs[0]);
}

/** Dequantize the inputs (coded constants too), run the float kernel, quantize the outputs. */
function floatInsideStep(
  node: Node,
  fk: PreparedNode,
  inQ: readonly (QParams | undefined)[],
  outQ: readonly (QParams | undefined)[],
  c: PrepareContext,
): PreparedNode {
  const constants = dequantizedConstants(node, c.q);
  const run = floatRunOf(node, fk, c);
  const floatInside = step(node, fk, (inputs, ctx) => {
    const real = inputs.map((t, i) =>
      constants[i] ?? (t && inQ[i] ? dequantizeTensor(t, inQ[i]!) : t)
    );
    const outs = run(real, ctx);
    return outs.map((t, i) => (outQ[i] ? quantizeTensor(t, outQ[i]!) : t));
  });
  const values = fk.values;
  if (!values) return floatInside;
  // Operators over sequences/optionals (If, Loop with such outputs): tensors cross as codes.
  return {
    ...floatInside,
    values: {
      infer: (c) => values.infer(c),
      run: (inputs, ctx) => {
        const real = inputs.map((
          v,
          i,
        ) => (isTensor(v) && inQ[i] ? dequantizeTensor(v, inQ[i]!) : v));
        return values.run(real, ctx).map((v, i) =>
          isTensor(v) && outQ[i] ? quantizeTensor(v, outQ[i]!) : v
        );
      },
    },
  };
}
