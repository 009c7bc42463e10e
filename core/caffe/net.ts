/**
 * The network description of a prototxt in the shape the converter needs: the inputs with
 * their shapes and the layers that run in the TEST phase, with V1 (`layers { type: RELU }`)
 * layers upgraded to V2 type names the way Caffe's own upgrade does.
 *
 * Inputs come from the legacy `input` + `input_shape` / `input_dim` fields or from `Input`
 * layers. Layer inclusion follows Caffe's NetState rules for the deploy state (phase TEST,
 * the level and stages of the net's `state` when it names any).
 *
 * @module
 */
import { ModelFormatError } from "../errors/mod.ts";
import { readTextMessage, type TextMessage } from "./text_message.ts";

/** A network input blob and its shape. */
export interface CaffeInput {
  /** Blob name. */
  readonly name: string;
  /** Shape as the prototxt declares it (NCHW for images). */
  readonly shape: readonly number[];
}

/** One layer of the TEST-phase network. */
export interface CaffeLayer {
  /** Layer name (weights are matched by it). */
  readonly name: string;
  /** V2 layer type, e.g. `Convolution`. */
  readonly type: string;
  /** Input blob names. */
  readonly bottoms: readonly string[];
  /** Output blob names (equal to a bottom for in-place layers). */
  readonly tops: readonly string[];
  /** The layer's text, for its `*_param` messages. */
  readonly text: TextMessage;
}

/** A parsed prototxt. */
export interface CaffeNet {
  /** Net name ("" when unset). */
  readonly name: string;
  /** The prototxt path or label, for messages. */
  readonly file: string;
  /** Input blobs in declaration order. */
  readonly inputs: readonly CaffeInput[];
  /** Layers in prototxt order, `Input` layers removed. */
  readonly layers: readonly CaffeLayer[];
}

/** V1LayerParameter.LayerType names → V2 type strings (as Caffe's UpgradeV1LayerType). */
const V1_TYPES: Readonly<Record<string, string>> = {
  NONE: "",
  ABSVAL: "AbsVal",
  ACCURACY: "Accuracy",
  ARGMAX: "ArgMax",
  BNLL: "BNLL",
  CONCAT: "Concat",
  CONTRASTIVE_LOSS: "ContrastiveLoss",
  CONVOLUTION: "Convolution",
  DATA: "Data",
  DECONVOLUTION: "Deconvolution",
  DROPOUT: "Dropout",
  DUMMY_DATA: "DummyData",
  EUCLIDEAN_LOSS: "EuclideanLoss",
  ELTWISE: "Eltwise",
  EXP: "Exp",
  FLATTEN: "Flatten",
  HDF5_DATA: "HDF5Data",
  HDF5_OUTPUT: "HDF5Output",
  HINGE_LOSS: "HingeLoss",
  IM2COL: "Im2col",
  IMAGE_DATA: "ImageData",
  INFOGAIN_LOSS: "InfogainLoss",
  INNER_PRODUCT: "InnerProduct",
  LRN: "LRN",
  MEMORY_DATA: "MemoryData",
  MULTINOMIAL_LOGISTIC_LOSS: "MultinomialLogisticLoss",
  MVN: "MVN",
  POOLING: "Pooling",
  POWER: "Power",
  RELU: "ReLU",
  SIGMOID: "Sigmoid",
  SIGMOID_CROSS_ENTROPY_LOSS: "SigmoidCrossEntropyLoss",
  SILENCE: "Silence",
  SOFTMAX: "Softmax",
  SOFTMAX_LOSS: "SoftmaxWithLoss",
  SPLIT: "Split",
  SLICE: "Slice",
  TANH: "TanH",
  WINDOW_DATA: "WindowData",
  THRESHOLD: "Threshold",
};

/**
 * Parse prototxt text into a {@linkcode CaffeNet}.
 *
 * @param text the prototxt
 * @param file path or label used in messages
 * @throws {ModelFormatError} `file:line:col: …` on a syntax or schema error, a net without
 *   inputs, or input shapes that do not match the inputs
 */
export function parseCaffeNet(text: string, file: string): CaffeNet {
  const net = readTextMessage(text, file, "NetParameter");
  const v2 = net.msgs("layer");
  const v1 = net.msgs("layers");
  if (v2.length > 0 && v1.length > 0) {
    throw new ModelFormatError(
      `${net.where("layers")}: the net mixes "layer" and legacy "layers" entries; use one form`,
    );
  }
  const state = deployState(net);
  const inputs: CaffeInput[] = legacyInputs(net);
  const layers: CaffeLayer[] = [];
  for (const l of v2.length > 0 ? v2 : v1) {
    if (!included(l, state)) continue;
    const layer = toLayer(l, v1.length > 0);
    if (layer.type === "Input") inputs.push(...inputLayerShapes(layer));
    else layers.push(layer);
  }
  if (inputs.length === 0) {
    throw new ModelFormatError(
      `${file}: the net declares no input; add "input" with "input_shape"/"input_dim" or an ` +
        `Input layer`,
    );
  }
  return { name: net.str("name"), file, inputs, layers };
}

function toLayer(l: TextMessage, legacy: boolean): CaffeLayer {
  const type = legacy ? V1_TYPES[l.enumName("type")] ?? l.enumName("type") : l.str("type");
  const name = l.str("name");
  if (!type) throw new ModelFormatError(`${l.where()}: layer "${name}" has no type`);
  return { name, type, bottoms: l.strs("bottom"), tops: l.strs("top"), text: l };
}

function legacyInputs(net: TextMessage): CaffeInput[] {
  const names = net.strs("input");
  const shapes = net.msgs("input_shape").map((s) => s.nums("dim"));
  const dims = net.nums("input_dim");
  if (names.length === 0) {
    if (shapes.length > 0 || dims.length > 0) {
      throw new ModelFormatError(`${net.where("input_shape")}: input shapes given without "input"`);
    }
    return [];
  }
  if (shapes.length > 0 && dims.length > 0) {
    throw new ModelFormatError(
      `${net.where("input_dim")}: give input shapes as "input_shape" or "input_dim", not both`,
    );
  }
  if (shapes.length > 0) {
    if (shapes.length !== names.length) {
      throw new ModelFormatError(
        `${net.where("input_shape")}: ${names.length} input(s) but ${shapes.length} input_shape`,
      );
    }
    return names.map((name, i) => ({ name, shape: shapes[i] }));
  }
  if (dims.length !== 4 * names.length) {
    throw new ModelFormatError(
      `${net.where(dims.length ? "input_dim" : "input")}: ${names.length} input(s) need ` +
        `${4 * names.length} input_dim values (N, C, H, W each), found ${dims.length}`,
    );
  }
  return names.map((name, i) => ({ name, shape: dims.slice(4 * i, 4 * i + 4) }));
}

function inputLayerShapes(layer: CaffeLayer): CaffeInput[] {
  const shapes = layer.text.msg("input_param")?.msgs("shape").map((s) => s.nums("dim")) ?? [];
  if (shapes.length !== 1 && shapes.length !== layer.tops.length) {
    throw new ModelFormatError(
      `${layer.text.where("input_param")}: Input layer "${layer.name}" has ` +
        `${layer.tops.length} top(s) and ${shapes.length} shape(s); give one shape or one per top`,
    );
  }
  return layer.tops.map((name, i) => ({ name, shape: shapes[shapes.length === 1 ? 0 : i] }));
}

interface NetState {
  phase: string;
  level: number;
  stages: readonly string[];
}

function deployState(net: TextMessage): NetState {
  const s = net.msg("state");
  return { phase: "TEST", level: s ? s.num("level") : 0, stages: s ? s.strs("stage") : [] };
}

/** Caffe's StateMeetsRule for one include/exclude rule. */
function meetsRule(rule: TextMessage, state: NetState): boolean {
  if (rule.has("phase") && rule.enumName("phase") !== state.phase) return false;
  if (rule.has("min_level") && state.level < rule.num("min_level")) return false;
  if (rule.has("max_level") && state.level > rule.num("max_level")) return false;
  if (!rule.strs("stage").every((s) => state.stages.includes(s))) return false;
  return !rule.strs("not_stage").some((s) => state.stages.includes(s));
}

function included(layer: TextMessage, state: NetState): boolean {
  const inc = layer.msgs("include");
  const exc = layer.msgs("exclude");
  if (inc.length > 0 && exc.length > 0) {
    throw new ModelFormatError(
      `${layer.where("exclude")}: ${layer.path} has both include and exclude rules; use one`,
    );
  }
  if (inc.length > 0) return inc.some((r) => meetsRule(r, state));
  return !exc.some((r) => meetsRule(r, state));
}
