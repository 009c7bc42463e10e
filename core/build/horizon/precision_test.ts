import { strict as assert } from "node:assert";
import { attr, buildModel } from "../../ir/builder.ts";
import { f32 } from "../../ir/tensor.ts";
import type { Node } from "../../ir/graph.ts";
import { createLogger } from "../../util/log.ts";
import { horizonToBuildConfig, parseHorizonConfig } from "../../config/horizon/mod.ts";
import { precisionOf } from "../../quant/precision.ts";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";
import { horizonPrecision } from "./precision.ts";

const targets = new TargetRegistry(builtinTargets());

/** x → conv_a → relu → conv_b → softmax. */
function model() {
  const conv = (name: string, x: string, y: string) => ({
    opType: "Conv",
    name,
    inputs: [x, `${name}_w`],
    outputs: [y],
    attrs: { kernel_shape: attr.ints([1, 1]) },
  });
  return buildModel({
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 4, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 4, 4] }],
    initializers: {
      conv_a_w: f32([2, 2, 1, 1], [1, 0, 0, 1]),
      conv_b_w: f32([2, 2, 1, 1], [1, 0, 0, 1]),
    },
    nodes: [
      conv("conv_a", "x", "a"),
      { opType: "Relu", name: "relu", inputs: ["a"], outputs: ["r"] },
      conv("conv_b", "r", "b"),
      {
        opType: "Softmax",
        name: "softmax",
        inputs: ["b"],
        outputs: ["y"],
        attrs: { axis: attr.int(1) },
      },
    ],
  });
}

function yaml(march: string, extra: string[]): string {
  return [
    "model_parameters:",
    "  onnx_model: 'm.onnx'",
    `  march: '${march}'`,
    "  output_model_file_prefix: 'm'",
    ...extra.filter((l) => l.startsWith("  node_info")),
    "input_parameters:",
    "  input_type_train: 'featuremap'",
    "  input_layout_train: 'NCHW'",
    "  input_type_rt: 'featuremap'",
    "  norm_type: 'no_preprocess'",
    "calibration_parameters:",
    ...(march === "bernoulli2"
      ? ["  cal_data_dir: 'cal'", "  calibration_type: 'max'"]
      : ["  calibration_type: 'skip'"]),
    ...extra.filter((l) => !l.startsWith("  node_info")),
    "compiler_parameters:",
    "  compile_mode: 'latency'",
    "  core_num: 1",
    `  optimize_level: '${march === "bernoulli2" ? "O3" : "O2"}'`,
    "",
  ].join("\n");
}

function plan(
  march: string,
  extra: string[],
  cpu: (n: Node) => boolean = () => false,
  numericOf = march,
) {
  const m = model();
  const lines: string[] = [];
  const h = parseHorizonConfig(yaml(march, extra), { targets });
  const layers = horizonToBuildConfig(h, targets).build.quant.layer_configs;
  const log = createLogger({ sink: (l) => lines.push(l), verbose: true });
  const p = horizonPrecision(
    m,
    h,
    layers,
    targets.get(numericOf).numeric,
    new Set(m.graph.nodes.filter(cpu)),
    log,
  );
  const node = (name: string) => m.graph.nodes.find((n) => n.name === name)!;
  return { p, lines, node };
}

Deno.test("horizonPrecision() turns int16 requests into int8 with bernoulli2's 8-bit numeric model, with a log line", () => {
  // bernoulli2's YAML has no int16 setting; a nash config checked against its numerics
  const { p, lines, node } = plan(
    "nash-e",
    ["  node_info: 'conv_b:int16'"],
    () => false,
    "bernoulli2",
  );
  assert.equal(precisionOf(p.plan, node("conv_b")).data, "U8");
  assert.ok(lines.some((l) => /conv_b: nash-e has no int16; the node falls back to int8/.test(l)));
});

Deno.test("horizonPrecision() logs the neighbours an int16 node updates on nash-e", () => {
  const { p, lines, node } = plan("nash-e", ["  node_info: 'conv_b:int16'"]);
  assert.equal(precisionOf(p.plan, node("conv_b")).data, "U16");
  assert.ok(lines.some((l) => /int16 conv_b: producer relu now writes r in int16/.test(l)));
  assert.ok(lines.some((l) => /int16 conv_b: consumer softmax now reads b in int16/.test(l)));
});

Deno.test("horizonPrecision() caps the tensor of a CPU producer at int8 next to an int16 node", () => {
  const { p, lines } = plan("nash-e", ["  node_info: 'conv_b:int16'"], (n) => n.name === "relu");
  assert.equal(p.tensorPrecision.get("r"), "U8");
  assert.ok(
    lines.some((l) => /relu runs on the CPU and cannot follow; r falls back to int8/.test(l)),
  );
});

Deno.test("horizonPrecision() keeps Softmax float on nash unless set_Softmax_input_int8 asks otherwise", () => {
  const float = plan("nash-m", []);
  assert.equal(precisionOf(float.p.plan, float.node("softmax")).data, "FP32");
  const int8 = plan("nash-m", ["  optimization: 'set_Softmax_input_int8'"]);
  assert.equal(precisionOf(int8.p.plan, int8.node("softmax")).data, "U8");
  const b2 = plan("bernoulli2", []);
  assert.equal(precisionOf(b2.p.plan, b2.node("softmax")).data, "U8");
});

Deno.test("horizonPrecision() makes activations asymmetric with optimization asymmetric", () => {
  const { p } = plan("nash-e", ["  optimization: 'asymmetric'"]);
  assert.equal(p.numeric.activation8, "U8");
  assert.equal(plan("nash-e", []).p.numeric.activation8, "S8");
});

Deno.test("horizonPrecision() sets the model outputs to int16 with set_model_output_int16", () => {
  const { p } = plan("nash-e", ["  optimization: 'set_model_output_int16'"]);
  assert.equal(p.tensorPrecision.get("y"), "U16");
});

Deno.test("horizonPrecision() lists float16 nodes by quant_config priority on nash and falls back to float32 elsewhere", () => {
  const qc = `  quant_config: {"op_config": {"Conv": {"type": "float16"}}, ` +
    `"node_config": {"conv_a": {"type": "int8"}}}`;
  const nash = plan("nash-e", [qc]);
  assert.deepEqual([...nash.p.float16], ["conv_b"], "node_config int8 beats op_config float16");
  assert.equal(precisionOf(nash.p.plan, nash.node("conv_b")).data, "FP32");
  const bayes = plan("nash-e", [qc], () => false, "bayes-e");
  assert.deepEqual([...bayes.p.float16], []);
  assert.ok(
    bayes.lines.some((l) => /conv_b: nash-e has no float16; the node computes in float32/.test(l)),
  );
});
