/**
 * Regenerates `testdata/models/vad_if_lstm.onnx` from code, with seeded weights: a small
 * voice-activity detector shaped like PyTorch's export of a scripted model that branches
 * on the sample rate (opset 16).
 *
 * Inputs: `input` float32[1, 64] (one audio chunk), `sr` int64 scalar (16000 or 8000),
 * `h`, `c` float32[1, 1, 8] (LSTM state). `cond = Equal(sr, 16000)` selects a branch:
 * - then (16 kHz): the chunk as 4 frames of 16 → LSTM(hidden 8) → head;
 * - else (8 kHz): the chunk as 8 frames of 8 → another LSTM(hidden 8) → head.
 * Each branch returns `prob` (Sigmoid(MatMul(Y_h, W) + b)), `states` =
 * SequenceConstruct(Y_h) and `c_opt` = Optional(Y_c), as the exporter returns lists and
 * optional values; the main graph reads `hn = SequenceAt(states, 0)` and
 * `cn = OptionalGetElement(c_opt)`. Outputs: `output` [1, 1], `hn`, `cn` [1, 1, 8].
 *
 * Usage: deno run --allow-read --allow-write tools/build_control_flow_fixtures.ts
 *
 * @module
 */
import { join } from "node:path";
import { attr, buildModel } from "../core/ir/builder.ts";
import { Graph, type Model, type Node } from "../core/ir/graph.ts";
import { s64, scalar, Tensor } from "../core/ir/tensor.ts";
import type { ValueType } from "../core/ir/types.ts";
import { saveModel } from "../core/onnx/save.ts";
import { seededRandom } from "../core/util/random.ts";

const rand = seededRandom(16000);
const HIDDEN = 8;

/** Weights uniform in ±sqrt(3/fanIn) (variance 1/fanIn). */
function weights(shape: number[], fanIn: number): Tensor<"f32"> {
  const t = new Tensor("f32", shape);
  const a = Math.sqrt(3 / fanIn);
  for (let i = 0; i < t.size; i++) t.data[i] = (rand() * 2 - 1) * a;
  return t;
}

const state: ValueType = { dtype: "f32", shape: [1, 1, HIDDEN] };

function node(name: string, opType: string, inputs: string[], outputs: string[], attrs = {}): Node {
  return { name, opType, domain: "", inputs, outputs, attrs: new Map(Object.entries(attrs)) };
}

/** One branch: frames of `frame` samples → LSTM → head; names carry the `tag`. */
function branch(tag: string, frame: number): Graph {
  const steps = 64 / frame;
  const g = new Graph({
    name: `${tag}_branch`,
    nodes: [
      node(`${tag}_reshape`, "Reshape", ["input", `${tag}_frames_shape`], [`${tag}_x`]),
      node(
        `${tag}_lstm`,
        "LSTM",
        [`${tag}_x`, `${tag}_W`, `${tag}_R`, `${tag}_B`, "", "h", "c"],
        [`${tag}_Y`, `${tag}_Yh`, `${tag}_Yc`],
        { hidden_size: attr.int(HIDDEN) },
      ),
      node(`${tag}_flat`, "Reshape", [`${tag}_Yh`, `${tag}_flat_shape`], [`${tag}_hflat`]),
      node(`${tag}_head`, "MatMul", [`${tag}_hflat`, `${tag}_Wout`], [`${tag}_logit0`]),
      node(`${tag}_bias`, "Add", [`${tag}_logit0`, `${tag}_bout`], [`${tag}_logit`]),
      node(`${tag}_sigmoid`, "Sigmoid", [`${tag}_logit`], [`${tag}_prob`]),
      node(`${tag}_states`, "SequenceConstruct", [`${tag}_Yh`], [`${tag}_states_seq`]),
      node(`${tag}_copt`, "Optional", [`${tag}_Yc`], [`${tag}_c_opt`]),
    ],
    outputs: [
      { name: `${tag}_prob`, type: { dtype: "f32", shape: [1, 1] } },
      { name: `${tag}_states_seq`, type: { kind: "sequence", elem: state } },
      { name: `${tag}_c_opt`, type: { kind: "optional", elem: state } },
    ],
  });
  g.initializers.set(`${tag}_frames_shape`, s64([3], [steps, 1, frame]));
  g.initializers.set(`${tag}_flat_shape`, s64([2], [1, HIDDEN]));
  g.initializers.set(`${tag}_W`, weights([1, 4 * HIDDEN, frame], frame));
  g.initializers.set(`${tag}_R`, weights([1, 4 * HIDDEN, HIDDEN], HIDDEN));
  g.initializers.set(`${tag}_B`, weights([1, 8 * HIDDEN], HIDDEN));
  g.initializers.set(`${tag}_Wout`, weights([HIDDEN, 1], HIDDEN));
  g.initializers.set(`${tag}_bout`, weights([1], 1));
  return g;
}

/** The VAD-like model (see the module doc). */
export function vadIfLstmModel(): Model {
  const model = buildModel({
    name: "vad_if_lstm",
    opset: 16,
    inputs: [
      { name: "input", dtype: "f32", shape: [1, 64] },
      { name: "sr", dtype: "s64", shape: [] },
      { name: "h", dtype: "f32", shape: [1, 1, HIDDEN] },
      { name: "c", dtype: "f32", shape: [1, 1, HIDDEN] },
    ],
    outputs: [
      { name: "output", dtype: "f32", shape: [1, 1] },
      { name: "hn", dtype: "f32", shape: [1, 1, HIDDEN] },
      { name: "cn", dtype: "f32", shape: [1, 1, HIDDEN] },
    ],
    initializers: { rate_16k: scalar("s64", 16000n), zero: scalar("s64", 0n) },
    nodes: [
      { opType: "Equal", name: "is_16k", inputs: ["sr", "rate_16k"], outputs: ["cond"] },
      {
        opType: "If",
        name: "rate_switch",
        inputs: ["cond"],
        outputs: ["output", "states", "c_opt"],
        attrs: {
          then_branch: attr.graph(branch("k16", 16)),
          else_branch: attr.graph(branch("k8", 8)),
        },
      },
      { opType: "SequenceAt", name: "take_h", inputs: ["states", "zero"], outputs: ["hn"] },
      { opType: "OptionalGetElement", name: "take_c", inputs: ["c_opt"], outputs: ["cn"] },
    ],
  });
  model.producerName = "axb fixtures";
  return model;
}

if (import.meta.main) {
  const out = join(import.meta.dirname ?? ".", "../testdata/models/vad_if_lstm.onnx");
  await saveModel(vadIfLstmModel(), out);
  console.log(`wrote ${out}`);
}
