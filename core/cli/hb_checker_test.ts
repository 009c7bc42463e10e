/**
 * `axb hb_mapper checker` end to end: the 9×9-kernel acceptance model (ONNX and the seed's
 * Caffe net), repeated `--input-shape`, `--output`, the log file in the working directory and
 * the failure log.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { attr, buildModel } from "../ir/builder.ts";
import { f32 } from "../ir/tensor.ts";
import { saveModel } from "../onnx/save.ts";
import { encodeCaffemodel } from "../caffe/_testing.ts";
import { inTempCwd, runCli } from "./_testing.ts";

/** Conv(3×3) → Conv(9×9) → Conv(3×3), 8 channels, 16×16 input. */
function nineByNine() {
  const conv = (name: string, input: string, output: string, k: number) => ({
    opType: "Conv",
    name,
    inputs: [input, `${name}_w`],
    outputs: [output],
    attrs: { kernel_shape: attr.ints([k, k]), pads: attr.ints(Array(4).fill((k - 1) / 2)) },
  });
  const weight = (k: number) =>
    f32([8, 8, k, k], Array.from({ length: 64 * k * k }, (_, i) => ((i % 7) - 3) / 50));
  return buildModel({
    inputs: [{ name: "data", dtype: "f32", shape: [1, 8, 16, 16] }],
    outputs: [{ name: "out", dtype: "f32", shape: [1, 8, 16, 16] }],
    nodes: [
      conv("conv_a", "data", "a", 3),
      conv("conv_big", "a", "b", 9),
      conv("conv_c", "b", "out", 3),
    ],
    initializers: { conv_a_w: weight(3), conv_big_w: weight(9), conv_c_w: weight(3) },
    opset: 11,
  });
}

function tableRows(stdout: string): string[][] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => l.startsWith("Node "));
  return lines.slice(start + 2).filter((l) => l.trim() !== "").map((l) => l.trim().split(/\s{2,}/));
}

Deno.test("hb_mapper checker puts a 9x9 Conv between two 3x3 Convs on the CPU: BPU id(0) / CPU -- / BPU id(1)", async () => {
  await inTempCwd("axb_checker_", async (dir) => {
    const model = join(dir, "nine.onnx");
    await saveModel(nineByNine(), model);
    const r = await runCli([
      "hb_mapper",
      "checker",
      "--model-type",
      "onnx",
      "--march",
      "bernoulli2",
      "--model",
      model,
      "--output",
      "check_result.txt",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tableRows(r.stdout), [
      ["conv_a", "BPU", "id(0)", "BpuConv"],
      ["conv_big", "CPU", "--", "Conv"],
      ["conv_c", "BPU", "id(1)", "BpuConv"],
    ]);
    assert.match(
      r.stdout,
      /Layer conv_big\n {8}.*kernel_shape is \[9, 9\].*kernel H×W in \[1, 7\]×\[1, 7\]/,
    );
    assert.match(r.stderr, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO Start hb_mapper/m);
    const log = await Deno.readTextFile(join(dir, "hb_mapper_checker.log"));
    assert.match(log, /INFO End model checking/);
    assert.ok(log.includes(r.stdout), "the log file holds the result");
    assert.equal(await Deno.readTextFile(join(dir, "check_result.txt")), r.stdout + "\n");
  });
});

Deno.test("hb_mapper checker reads the seed's Caffe net with --proto and its --input-shape", async () => {
  await inTempCwd("axb_checker_", async (dir) => {
    const layer = (name: string, bottom: string, k: number, pad: number) => `
layer {
  name: "${name}" type: "Convolution" bottom: "${bottom}" top: "${name}"
  convolution_param { num_output: 8 bias_term: false pad: ${pad} kernel_size: ${k} group: 1 stride: 1 }
}`;
    const proto = `name: "seed"
layer { name: "data" type: "Input" top: "data" input_param { shape: { dim: 1 dim: 3 dim: 224 dim: 224 } } }
${layer("Convolution1", "data", 1, 0)}${layer("Convolution2", "Convolution1", 9, 4)}${
      layer("Convolution3", "Convolution2", 3, 1)
    }`;
    const blob = (cin: number, k: number) => ({
      shape: [8, cin, k, k],
      data: Array.from({ length: 8 * cin * k * k }, (_, i) => ((i % 5) - 2) / 40),
    });
    await Deno.writeTextFile(join(dir, "net.prototxt"), proto);
    await Deno.writeFile(
      join(dir, "net.caffemodel"),
      encodeCaffemodel([
        { name: "Convolution1", type: "Convolution", blobs: [blob(3, 1)] },
        { name: "Convolution2", type: "Convolution", blobs: [blob(8, 9)] },
        { name: "Convolution3", type: "Convolution", blobs: [blob(8, 3)] },
      ]),
    );
    const r = await runCli([
      "hb_mapper",
      "checker",
      "--model-type",
      "caffe",
      "--proto",
      join(dir, "net.prototxt"),
      "--model",
      join(dir, "net.caffemodel"),
      "--input-shape",
      "data",
      "1x3x32x32",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tableRows(r.stdout).map((row) => row.slice(0, 3)), [
      ["Convolution1", "BPU", "id(0)"],
      ["Convolution2", "CPU", "--"],
      ["Convolution3", "BPU", "id(1)"],
    ]);
    assert.match(r.stdout, /Layer Convolution2\n.*kernel_shape is \[9, 9\]/);
  });
});

Deno.test("hb_mapper checker applies one --input-shape per input of a two-input model", async () => {
  await inTempCwd("axb_checker_", async (dir) => {
    const m = buildModel({
      inputs: [
        { name: "a", dtype: "f32", shape: [1, 3, 8, 8] },
        { name: "b", dtype: "f32", shape: [1, 3, 8, 8] },
      ],
      outputs: [
        { name: "ya", dtype: "f32", shape: [1, 3, 1, 1] },
        { name: "yb", dtype: "f32", shape: [1, 3, 1, 1] },
      ],
      nodes: [
        { opType: "GlobalAveragePool", name: "gap_a", inputs: ["a"], outputs: ["ya"] },
        { opType: "GlobalAveragePool", name: "gap_b", inputs: ["b"], outputs: ["yb"] },
      ],
      opset: 11,
    });
    await saveModel(m, join(dir, "two.onnx"));
    const r = await runCli([
      "hb_mapper",
      "checker",
      "--model-type",
      "onnx",
      "--model",
      join(dir, "two.onnx"),
      "--input-shape",
      "a",
      "1x3x64x64",
      "--input-shape",
      "b",
      "1x3x128x128",
    ]);
    assert.equal(r.code, 0, r.stderr);
    // bernoulli2 global pooling takes at most 8192 elements per channel: 64x64 fits, 128x128 not
    assert.deepEqual(tableRows(r.stdout).map((row) => row.slice(0, 2)), [
      ["gap_a", "BPU"],
      ["gap_b", "CPU"],
    ]);
    assert.match(r.stdout, /Layer gap_b\n.*16384/);
  });
});

Deno.test("hb_mapper checker writes the loading error to hb_mapper_checker.log and exits 2", async () => {
  await inTempCwd("axb_checker_", async (dir) => {
    const proto =
      `layer { name: "data" type: "Input" top: "data" input_param { shape: { dim: 1 dim: 3 dim: 8 dim: 8 } } }
layer { name: "accuracy" type: "Accuracy" bottom: "data" top: "accuracy" }`;
    await Deno.writeTextFile(join(dir, "acc.prototxt"), proto);
    await Deno.writeFile(
      join(dir, "acc.caffemodel"),
      encodeCaffemodel([{ name: "data", type: "Input", blobs: [] }]),
    );
    const r = await runCli([
      "hb_mapper",
      "checker",
      "--model-type",
      "caffe",
      "--proto",
      join(dir, "acc.prototxt"),
      "--model",
      join(dir, "acc.caffemodel"),
    ]);
    assert.equal(r.code, 2);
    const log = await Deno.readTextFile(join(dir, "hb_mapper_checker.log"));
    assert.match(log, /ERROR .*Not support layer name=accuracy type=Accuracy/);
    assert.match(r.stderr, /ERROR exception in command: checker/);
  });
});
