import { strict as assert } from "node:assert";
import { attr } from "../core/ir/builder.ts";
import { f32, scalar } from "../core/ir/tensor.ts";
import { bernoulli2 } from "./bernoulli2.ts";
import { bayes, bayesE } from "./bayes.ts";
import { nashE, nashH, nashM, nashP } from "./nash.ts";
import { legalityOf, type NodeCase } from "./_testing.ts";

const X4 = { shape: [1, 8, 16, 16] };
const conv = (w: number[], attrs: NodeCase["attrs"] = {}): NodeCase => ({
  op: "Conv",
  inputs: [{ shape: [1, w[1], 32, 32] }, { value: f32(w) }],
  attrs,
});

const ROWS: { what: string; node: NodeCase; expect: "npu" | string }[] = [
  { what: "Conv 3x3, 8 channels", node: conv([8, 8, 3, 3]), expect: "npu" },
  {
    what: "Conv 9x9 kernel",
    node: conv([8, 8, 9, 9]),
    expect: "kernel_shape is [9, 9], bernoulli2 supports kernel H×W in [1, 7]×[1, 7] only",
  },
  {
    what: "Conv with 4096 input channels",
    node: conv([8, 4096, 1, 1]),
    expect: "channels per group are 4096, bernoulli2 supports at most 2048",
  },
  {
    what: "Conv 7x7x1024 (50,176 > 32,768)",
    node: conv([8, 1024, 7, 7]),
    expect: "kernel H×W×C is 7×7×1024 = 50176",
  },
  {
    what: "Conv dilation 3 with stride 2",
    node: conv([8, 8, 3, 3], { dilations: attr.ints([3, 3]), strides: attr.ints([2, 2]) }),
    expect: "dilation 3 is not divisible by stride 2",
  },
  {
    what: "ConvTranspose stride 3",
    node: {
      op: "ConvTranspose",
      inputs: [X4, { value: f32([8, 8, 4, 4]) }],
      attrs: { strides: attr.ints([3, 3]) },
    },
    expect: "strides are [3, 3], bernoulli2 supports deconvolution stride 2 or 4 only",
  },
  {
    what: "ConvTranspose 4x4 stride 2 pad 1",
    node: {
      op: "ConvTranspose",
      inputs: [X4, { value: f32([8, 8, 4, 4]) }],
      attrs: { strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) },
    },
    expect: "npu",
  },
  {
    what: "AveragePool stride 3",
    node: {
      op: "AveragePool",
      inputs: [X4],
      attrs: { kernel_shape: attr.ints([3, 3]), strides: attr.ints([3, 3]) },
    },
    expect: "strides are [3, 3], bernoulli2 supports pooling strides in {1, 2} only",
  },
  {
    what: "GlobalAveragePool 128x128 (> 8192)",
    node: { op: "GlobalAveragePool", inputs: [{ shape: [1, 8, 128, 128] }] },
    expect: "kernel H×W is 128×128 = 16384",
  },
  {
    what: "Add with 4096 channels",
    node: { op: "Add", inputs: [{ shape: [1, 4096, 2, 2] }, { shape: [1, 4096, 2, 2] }] },
    expect: "has 4096 channels",
  },
  {
    what: "Clip as ReLU6",
    node: { op: "Clip", inputs: [X4, { value: scalar("f32", 0) }, { value: scalar("f32", 6) }] },
    expect: "npu",
  },
  {
    what: "Clip (-1, 1)",
    node: { op: "Clip", inputs: [X4, { value: scalar("f32", -1) }, { value: scalar("f32", 1) }] },
    expect: "Clip bounds are [-1, 1]",
  },
  {
    what: "ArgMax over 100 channels",
    node: { op: "ArgMax", inputs: [{ shape: [1, 100, 4, 4] }], attrs: { axis: attr.int(1) } },
    expect: "at most 64 channels",
  },
  {
    what: "Softmax (float by default)",
    node: { op: "Softmax", inputs: [X4] },
    expect: "set_Softmax_input_int8",
  },
  {
    what: "MatMul (not a BPU op)",
    node: { op: "MatMul", inputs: [{ shape: [4, 8] }, { value: f32([8, 4]) }] },
    expect: "MatMul is not in the bernoulli2 BPU operator list",
  },
  {
    what: "Flatten after global pooling",
    node: { op: "Flatten", inputs: [{ shape: [1, 512, 1, 1] }] },
    expect: "npu",
  },
];

for (const row of ROWS) {
  Deno.test(`bernoulli2.legality() ${row.expect === "npu" ? "accepts" : "rejects"} ${row.what}`, () => {
    const l = legalityOf(bernoulli2, row.node);
    if (row.expect === "npu") return assert.deepEqual(l, { action: "npu" });
    assert.ok(l.action === "cpu" && l.reason.includes(row.expect), JSON.stringify(l));
  });
}

for (const bpu of [bayes, bayesE]) {
  Deno.test(`${bpu.name}.legality() applies bernoulli2's table, with one core`, () => {
    const k9 = legalityOf(bpu, conv([8, 8, 9, 9]));
    assert.ok(
      k9.action === "cpu" &&
        k9.reason.includes(`kernel_shape is [9, 9], ${bpu.name} supports kernel H×W in [1, 7]`),
      JSON.stringify(k9),
    );
    assert.equal(legalityOf(bpu, conv([8, 8, 3, 3])).action, "npu");
    assert.deepEqual(bpu.npuModes, [{ name: "1", cores: 1 }]);
  });
}

for (const nash of [nashE, nashM, nashP, nashH]) {
  Deno.test(`${nash.name}.legality() accepts standard ops and rejects control flow and foreign domains`, () => {
    assert.equal(
      legalityOf(nash, { op: "MatMul", inputs: [{ shape: [4, 8] }, { value: f32([8, 4]) }] })
        .action,
      "npu",
    );
    assert.equal(legalityOf(nash, { op: "Softmax", inputs: [X4] }).action, "npu");
    const nz = legalityOf(nash, { op: "NonZero", inputs: [X4] });
    assert.ok(nz.action === "cpu" && nz.reason.includes("the output shape depends on the data"));
    const ms = legalityOf(nash, { op: "Gelu", inputs: [X4], domain: "com.microsoft" });
    assert.ok(
      ms.action === "cpu" &&
        ms.reason.includes("com.microsoft::Gelu is not in the nash BPU operator set"),
    );
    assert.deepEqual(nash.npuModes, [{ name: "1", cores: 1 }]);
  });
}
