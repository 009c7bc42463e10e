import { strict as assert } from "node:assert";
import { join } from "node:path";
import { main } from "../../../cli.ts";
import type { CommandIO } from "../../cli/command.ts";
import { readCompiledModel } from "../../container/decode.ts";
import { readHorizonMeta } from "../../container/horizon_meta.ts";
import {
  caffeYaml,
  TINY_CNN,
  tinyYaml,
  type TinyYamlOptions,
  writeTinyCalibration,
} from "./_testing.ts";

function capture(): { io: CommandIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t), debug: false }, out, err };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Run `args` in a fresh temp cwd with tiny calibration files; returns the cwd too. */
async function inTemp(
  args: (dir: string) => Promise<string[]>,
): Promise<{ code: number; dir: string; out: string[]; err: string[] }> {
  const dir = await Deno.makeTempDir({ prefix: "axb_hz_" });
  await writeTinyCalibration(join(dir, "cal"));
  const before = Deno.cwd();
  Deno.chdir(dir);
  try {
    const c = capture();
    const code = await main(await args(dir), c.io);
    return { code, dir, out: c.out, err: c.err };
  } finally {
    Deno.chdir(before);
  }
}

async function yamlIn(dir: string, o: Partial<TinyYamlOptions> = {}): Promise<string> {
  const path = join(dir, "tiny.yaml");
  await Deno.writeTextFile(
    path,
    tinyYaml({ calDir: join(dir, "cal"), workingDir: join(dir, "out"), ...o }),
  );
  return path;
}

Deno.test("hb_mapper makertbin writes the four artifacts, the log in the cwd and the similarity table", async () => {
  const r = await inTemp(async (d) => [
    "hb_mapper",
    "makertbin",
    "--config",
    await yamlIn(d, { layoutRt: "NHWC" }),
    "--model-type",
    "onnx",
  ]);
  assert.equal(r.code, 0, r.err.join("\n"));
  for (
    const f of [
      "_original_float_model.onnx",
      "_optimized_float_model.onnx",
      "_quantized_model.onnx",
      ".bin",
    ]
  ) {
    assert.ok(await exists(join(r.dir, "out", `tiny${f}`)), `tiny${f}`);
  }
  const log = await Deno.readTextFile(join(r.dir, "hb_mapper_makertbin.log"));
  assert.match(log, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO /m);
  assert.match(log, /INFO Convert to runtime bin file successfully!\n.*INFO End Model Convert/);
  const table = r.out.join("\n");
  assert.match(table, /Node\s+ON\s+Subgraph\s+Type\s+Cosine Similarity\s+Threshold/);
  // tiny_cnn ends in Softmax: one row for its output node
  assert.match(table, /\n\S+\s+(BPU|CPU)\s+\S+\s+\S+\s+0\.9\d{5}\s+\d+\.\d{6}/);
  const cm = await readCompiledModel(join(r.dir, "out", "tiny.bin"));
  assert.equal(cm.target, "bernoulli2");
  const meta = readHorizonMeta(cm);
  assert.equal(meta?.tool, "hb_mapper");
  assert.equal(meta?.inputs[0].type_rt, "rgb");
  assert.deepEqual(meta?.inputs[0].mean_value, [128, 128, 128]);
  const input = cm.groups[0].inputs[0].type;
  assert.ok(input && !("kind" in input));
  assert.equal(input.dtype, "u8");
  assert.deepEqual(input.shape, [1, 32, 32, 3]);
});

Deno.test("hb_mapper makertbin with input_type_rt nv12 builds a container that takes NV12 bytes", async () => {
  const r = await inTemp(async (d) => [
    "hb_mapper",
    "makertbin",
    "--config",
    await yamlIn(d, { rt: "nv12" }),
  ]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const cm = await readCompiledModel(join(r.dir, "out", "tiny.bin"));
  const input = cm.groups[0].inputs[0].type;
  assert.ok(input && !("kind" in input));
  assert.deepEqual(input.shape, [1, 48, 32, 1]);
});

Deno.test("hb_mapper makertbin refuses a calibration file of the wrong size before writing anything", async () => {
  const r = await inTemp(async (d) => {
    await Deno.writeFile(join(d, "cal", "short.bin"), new Uint8Array(100));
    return ["hb_mapper", "makertbin", "--config", await yamlIn(d)];
  });
  assert.equal(r.code, 2);
  assert.equal(r.err.filter((l) => l.includes("error")).length, 1);
  assert.match(r.err.join("\n"), /short\.bin" has 100 bytes, expected 3072/);
  assert.equal(await exists(join(r.dir, "out")), false);
});

Deno.test("hb_mapper makertbin refuses an unknown run_on_cpu node before writing anything", async () => {
  const r = await inTemp(async (d) => [
    "hb_mapper",
    "makertbin",
    "--config",
    await yamlIn(d, { calibrationExtra: ["  run_on_cpu: 'conv1;no_such_node'"] }),
  ]);
  assert.equal(r.code, 2);
  assert.match(r.err.join("\n"), /calibration_parameters\.run_on_cpu: node "no_such_node"/);
  assert.equal(await exists(join(r.dir, "out")), false);
});

Deno.test("hb_mapper makertbin refuses an N cell of the train/rt table with exit 2", async () => {
  const r = await inTemp(async (d) => [
    "hb_mapper",
    "makertbin",
    "--config",
    await yamlIn(d, { train: "featuremap", rt: "rgb" }),
  ]);
  assert.equal(r.code, 2);
  assert.match(r.err.join("\n"), /input_type_rt/);
  assert.equal(await exists(join(r.dir, "out")), false);
});

Deno.test("hb_mapper makertbin places run_on_cpu nodes on the CPU in the container", async () => {
  const r = await inTemp(async (d) => [
    "hb_mapper",
    "makertbin",
    "--config",
    await yamlIn(d, { calibrationExtra: ["  run_on_cpu: 'pool1'"] }),
  ]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const cm = await readCompiledModel(join(r.dir, "out", "tiny.bin"));
  const cpuNodes = cm.groups[0].subgraphs.flatMap((s) => s.kind === "cpu" ? s.nodes : []);
  assert.ok(cpuNodes.some((n) => n.name === "pool1"));
});

Deno.test("hb_compile --skip compile writes the ONNX artifacts (and the dumped calibration data) but no .hbm", async () => {
  const r = await inTemp(async (d) => [
    "hb_compile",
    "-c",
    await yamlIn(d, {
      march: "nash-e",
      calibrationType: "kl",
      modelExtra: ["  debug_mode: 'dump_calibration_data'"],
    }),
    "--skip",
    "compile",
  ]);
  assert.equal(r.code, 0, r.err.join("\n"));
  // dump_calibration_data: one .npy per sample and input
  assert.ok(await exists(join(r.dir, "out", "calibration_data", "input", "3.npy")));
  for (const f of ["_calibrated_model.onnx", "_ptq_model.onnx", "_optimized_float_model.onnx"]) {
    assert.ok(await exists(join(r.dir, "out", `tiny${f}`)), `tiny${f}`);
  }
  assert.equal(await exists(join(r.dir, "out", "tiny.hbm")), false);
  assert.ok(await exists(join(r.dir, "hb_compile.log")));
});

Deno.test("hb_compile with calibration_type mix runs the per-node int16 search after the model-level one", async () => {
  const r = await inTemp(async (d) => [
    "hb_compile",
    "-c",
    await yamlIn(d, { march: "nash-e", calibrationType: "mix" }),
    "--skip",
    "compile",
  ]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const log = await Deno.readTextFile(join(r.dir, "hb_compile.log"));
  assert.match(log, /calibration search: chose /);
  // the tiny CNN meets pulsar2's highest_mix_precision goal at int8: nothing is promoted
  assert.match(
    log,
    /auto precision: 0 of \d+ layers to U16, cosine [01]\.\d{5} -> [01]\.\d{5}, .*\(target reached; 0 tried/,
  );
});

Deno.test("hb_compile applies optimization bias_correction to the quantized model's biases", async () => {
  const r = await inTemp(async (d) => [
    "hb_compile",
    "-c",
    await yamlIn(d, {
      march: "nash-e",
      calibrationType: "max",
      calibrationExtra: ["  optimization: 'bias_correction'"],
    }),
    "--skip",
    "compile",
  ]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const log = await Deno.readTextFile(join(r.dir, "hb_compile.log"));
  assert.match(log, /INFO bias correction: [1-9]\d* layer\(s\)/);
  assert.doesNotMatch(log, /bias_correction is not implemented/);
});

Deno.test("hb_compile --fast-perf writes its starter YAML under .fast_perf and an .hbm", async () => {
  const r = await inTemp(() =>
    Promise.resolve(["hb_compile", "--fast-perf", "-m", TINY_CNN, "--march", "nash-m"])
  );
  assert.equal(r.code, 0, r.err.join("\n"));
  const yaml = await Deno.readTextFile(join(r.dir, ".fast_perf", "tiny_cnn_config.yaml"));
  assert.match(yaml, /calibration_type: 'skip'/);
  assert.ok(await exists(join(r.dir, "model_output", "tiny_cnn.hbm")));
});

Deno.test("hb_compile without --config checks the model and prints the placement table", async () => {
  const r = await inTemp(() =>
    Promise.resolve(["hb_compile", "-m", TINY_CNN, "--march", "nash-e"])
  );
  assert.equal(r.code, 0, r.err.join("\n"));
  assert.match(r.out.join("\n"), /conv1\s+BPU\s+id\(0\)\s+Conv/);
});

Deno.test("axb build with a Horizon YAML converts for the YAML's march, not AX650", async () => {
  const r = await inTemp(async (d) => ["build", "--config", await yamlIn(d, { layoutRt: "NHWC" })]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const cm = await readCompiledModel(join(r.dir, "out", "tiny.bin"));
  assert.equal(cm.target, "bernoulli2");
  assert.ok(await exists(join(r.dir, "hb_mapper_makertbin.log")));
});

Deno.test("axb build refuses --target with a Horizon YAML, naming the flag", async () => {
  const r = await inTemp(async (d) => ["build", "--config", await yamlIn(d), "--target", "AX650"]);
  assert.equal(r.code, 2);
  assert.match(r.err.join("\n"), /--target cannot be combined with a Horizon YAML/);
});

Deno.test("axb build --target bernoulli2 refuses an NPU mode name before calibrating", async () => {
  const r = await inTemp(async (d) => {
    const cfg = join(d, "c.json");
    await Deno.writeTextFile(
      cfg,
      JSON.stringify({
        quant: {
          input_configs: [{
            tensor_name: "input",
            calibration_dataset: join(d, "cal"),
            calibration_format: "Binary",
          }],
        },
      }),
    );
    return [
      "build",
      "--input",
      TINY_CNN,
      "--output_dir",
      join(d, "o"),
      "--config",
      cfg,
      "--target",
      "bernoulli2",
      "--npu_mode",
      "NPU2",
    ];
  });
  assert.equal(r.code, 2);
  assert.match(
    r.err.join("\n"),
    /npu_mode NPU2 is not available on bernoulli2; expected one of 1, 2/,
  );
  assert.equal(await exists(join(r.dir, "o")), false);
});

Deno.test("hb_mapper makertbin with layer_out_dump adds every conv layer's result as an output", async () => {
  const r = await inTemp(async (d) => [
    "hb_mapper",
    "makertbin",
    "--config",
    await yamlIn(d, { modelExtra: ["  layer_out_dump: True"] }),
  ]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const cm = await readCompiledModel(join(r.dir, "out", "tiny.bin"));
  // the pre-processing node is a 1×1 Conv too; conv1/conv2 are fused into their Relus:
  // r1, r2; the Gemm fc writes logits
  assert.deepEqual(
    cm.groups[0].outputs.map((o) => o.name),
    ["prob", "input_preprocess_output", "r1", "r2", "logits"],
  );
});

Deno.test("hb_mapper makertbin --model-type caffe converts a prototxt + caffemodel pair", async () => {
  const caffe = join(import.meta.dirname ?? ".", "../../../testdata/caffe");
  const r = await inTemp(async (d) => {
    await Deno.mkdir(join(d, "cal8"));
    for (let k = 0; k < 3; k++) {
      await Deno.writeFile(
        join(d, "cal8", `s${k}.bgr`),
        Uint8Array.from({ length: 3 * 8 * 8 }, (_, i) => (i * 11 + k * 40) % 256),
      );
    }
    const yaml = join(d, "caffe.yaml");
    await Deno.writeTextFile(
      yaml,
      caffeYaml({
        prototxt: join(caffe, "bn_scale.prototxt"),
        caffemodel: join(caffe, "bn_scale.caffemodel"),
        calDir: join(d, "cal8"),
        workingDir: join(d, "out"),
        prefix: "bn_scale",
        calibrationType: "kl",
        coreNum: 2,
      }),
    );
    return ["hb_mapper", "makertbin", "--config", yaml, "--model-type", "caffe"];
  });
  assert.equal(r.code, 0, r.err.join("\n"));
  assert.ok(await exists(join(r.dir, "out", "bn_scale_original_float_model.onnx")));
  const cm = await readCompiledModel(join(r.dir, "out", "bn_scale.bin"));
  assert.equal(readHorizonMeta(cm)?.environment.model_type, "caffe");
  const npu = cm.groups[0].subgraphs.find((s) => s.kind === "npu");
  assert.equal(npu?.kind === "npu" ? npu.npuMode : "", "2");
});
