import { strict as assert } from "node:assert";
import { attr, buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { Executor } from "../exec/executor.ts";
import { calibrate } from "../quant/calibrate.ts";
import { quantizeModel } from "../quant/quantize.ts";
import { resolvePrecision } from "../quant/precision.ts";
import { QuantEmulator } from "../quant/emulator.ts";
import { analyzePrecision, type PrecisionMethod } from "../quant/precision_analysis.ts";
import { formatPrecisionTable, precisionMermaid } from "./precision_report.ts";

/** x [1, 2, 4, 4] → Conv 1×1 "conv1" → Relu "relu1" (fused into the Conv) → MaxPool "pool" → y. */
function fixture() {
  const model = buildModel({
    opset: 13,
    inputs: [{ name: "x", dtype: "f32", shape: [1, 2, 4, 4] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 2, 2, 2] }],
    nodes: [
      {
        opType: "Conv",
        name: "conv1",
        inputs: ["x", "w"],
        outputs: ["c"],
        attrs: { kernel_shape: attr.ints([1, 1]) },
      },
      { opType: "Relu", name: "relu1", inputs: ["c"], outputs: ["r"] },
      {
        opType: "MaxPool",
        name: "pool",
        inputs: ["r"],
        outputs: ["y"],
        attrs: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) },
      },
    ],
    initializers: { w: f32([2, 2, 1, 1], [1, -0.5, 0.25, 2]) },
  });
  const registry = defaultRegistry();
  const exec = new Executor(model, registry);
  const samples = [0, 1].map((s) =>
    new Map([[
      "x",
      f32([1, 2, 4, 4], Array.from({ length: 32 }, (_, i) => ((i * 7 + s) % 11) / 5 - 1)),
    ]])
  );
  const quant = quantizeModel(model, calibrate(exec, samples, { method: "MinMax" }), {
    method: "MinMax",
    precision: resolvePrecision(model.graph, []),
    biasDataType: "S32",
    refineWeightThreshold: 0,
  });
  const emu = new QuantEmulator(quant, registry);
  return {
    model,
    rows: (method: PrecisionMethod) => analyzePrecision(exec, emu, samples, method),
  };
}

Deno.test("analyzePrecision() names both operators of a fused Conv → Relu and ends with the output's DequantizeLinear", () => {
  const { rows } = fixture();
  for (const method of ["PerLayer", "EndToEnd"] as const) {
    const r = rows(method);
    assert.deepEqual(
      r.map((x) => [x.kind, x.operator, x.type, x.tensor, x.inputs, x.qdtype]),
      [
        ["input", "x", "Input", "x", [], "U8"],
        ["node", "conv1 + relu1", "Conv + Relu", "r", ["x"], "U8"],
        ["node", "pool", "MaxPool", "y", ["r"], "U8"],
        ["output", "y_DequantizeLinear", "DequantizeLinear", "y", ["y"], "FP32"],
      ],
      method,
    );
    assert.deepEqual(r[1].nodes, [{ name: "conv1", type: "Conv" }, {
      name: "relu1",
      type: "Relu",
    }]);
    for (const x of r) {
      assert.ok(x.cosine > 0.99 && x.cosine <= 1.0000001, `${x.tensor} ${x.cosine}`);
    }
  }
});

Deno.test("formatPrecisionTable() lists the operators, then the output row, without input rows", () => {
  const { rows } = fixture();
  const lines = formatPrecisionTable(rows("PerLayer"), "PerLayer", "Reference", {
    maxWidth: Infinity,
  }).split("\n");
  assert.equal(lines[0], "Quant Precision Table【PerLayer Reference】");
  const body = lines.filter((l) => l.startsWith("| ") && !l.startsWith("| Operator"));
  assert.deepEqual(body.map((l) => l.split("|")[1].trim()), [
    "conv1 + relu1",
    "pool",
    "y_DequantizeLinear",
  ]);
});

Deno.test("precisionMermaid() labels every tensor with its shape and types, and draws a fused chain as one edge", () => {
  const { model, rows } = fixture();
  const mmd = precisionMermaid(model.graph, rows("PerLayer"), "PerLayer", "Reference");
  assert.doesNotMatch(mmd, /None/);
  assert.match(mmd, /\n {2}t_x\["x,\(1, 2, 4, 4\),FP32->U8,[01]\.\d{5},\d\.\d{5}"\]\n/);
  assert.match(mmd, /\n {2}t_x -->\|"Conv \+ Relu,conv1 \+ relu1"\| t_r\n/);
  assert.match(mmd, /\n {2}t_r -->\|"MaxPool,pool"\| t_y\n/);
  assert.match(mmd, /\n {2}t_y__float\["y,\(1, 2, 2, 2\),U8->FP32,/);
  assert.match(mmd, /\n {2}t_y -->\|"DequantizeLinear,y_DequantizeLinear"\| t_y__float\n/);
  // the fused Conv output is never drawn: it is not a tensor of the quantized model
  assert.doesNotMatch(mmd, /t_c\b/);
});

Deno.test("formatPrecisionTable() adds the isolated and accumulated cosine and marks the top offenders", () => {
  const { rows } = fixture();
  const r = rows("EndToEnd");
  const text = formatPrecisionTable(r, "EndToEnd", "Reference", { maxWidth: Infinity });
  const header = text.split("\n").find((l) => l.startsWith("| Operator"))!;
  assert.deepEqual(header.split("|").slice(9, 13).map((c) => c.trim()), [
    "Isolated",
    "Accum",
    "Top",
    "Collapse",
  ]);
  const first = r.find((x) => x.offender === 1)!;
  const line = text.split("\n").find((l) => l.startsWith(`| ${first.operator} `))!;
  assert.equal(line.split("|")[11].trim(), "*1");
  assert.match(text, new RegExp(`\\n {2}\\*1 ${first.operator.replace(/\+/g, "\\+")} \\(`));
  assert.match(text, /\n {2}y: per-channel cosine min [01]\.\d{5}, median [01]\.\d{5}$/);
});

Deno.test("precisionMermaid() gives the top offenders the offender class", () => {
  const { model, rows } = fixture();
  const r = rows("PerLayer");
  const mmd = precisionMermaid(model.graph, r, "PerLayer", "Reference");
  const first = r.find((x) => x.offender === 1)!;
  assert.match(mmd, new RegExp(`\\n {2}class t_${first.tensor} offender\\n`));
  assert.match(mmd, /\n {2}classDef offender /);
});
