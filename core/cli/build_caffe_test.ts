/**
 * `axb build --input net.prototxt --weights net.caffemodel`: a Caffe net builds as an ONNX
 * model would, its converted float ONNX in `frontend/`, and its compiled model serves
 * `axb inspect` and `axb run`; bad Caffe input fails with one named line, exit 2, before
 * anything is written.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runCli } from "./_testing.ts";
import {
  cosine,
  exists,
  seededFloat32,
  TESTDATA,
  writeNpyTar,
} from "../build/_acceptance_helpers.ts";
import { encodeCaffemodel, seededWeights } from "../caffe/_testing.ts";
import { convertCaffeNet } from "../caffe/convert.ts";
import { parseCaffeNet } from "../caffe/net.ts";
import { loadModel } from "../onnx/load.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { asFloat32 } from "../ir/tensor.ts";

const CAFFE = join(TESTDATA, "caffe");
const PROTO = join(CAFFE, "bn_scale.prototxt");
const WEIGHTS = join(CAFFE, "bn_scale.caffemodel");

/** A temp dir with a 2-sample calibration set for input `data` and its config. */
async function setup(
  extra: Record<string, unknown> = {},
  shape: readonly number[] = [1, 3, 8, 8],
): Promise<{ dir: string; config: string }> {
  const dir = await Deno.makeTempDir({ prefix: "axb_caffe_build_" });
  const calib = join(dir, "calib.tar");
  await writeNpyTar(calib, [0, 1].map((i) => seededFloat32(shape, i)));
  const config = join(dir, "config.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      quant: {
        input_configs: [{
          tensor_name: "data",
          calibration_dataset: calib,
          calibration_format: "Numpy",
          calibration_size: 2,
        }],
      },
      ...extra,
    }),
  );
  return { dir, config };
}

Deno.test("axb build converts a Caffe prototxt + --weights, keeps the float ONNX in frontend/, and inspect/run read the result", async () => {
  const { dir, config } = await setup();
  try {
    const out = join(dir, "out");
    const r = await runCli([
      "build",
      "--input",
      PROTO,
      "--weights",
      WEIGHTS,
      "--output_dir",
      out,
      "--config",
      config,
      "--quiet",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    const converted = join(out, "frontend", "caffe_converted.onnx");
    assert.equal(json.converted_model, converted);
    assert.equal(json.compiled_model, join(out, "compiled.axmodel"));

    // The converted float model computes what the independently written ONNX twin does.
    const ours = await loadModel(converted);
    const twin = await loadModel(join(CAFFE, "bn_scale.onnx"));
    const x = seededFloat32([1, 3, 8, 8], 9);
    const feeds = new Map([["data", x]]);
    const a = new Executor(ours, defaultRegistry()).run(feeds);
    const b = new Executor(twin, defaultRegistry()).run(feeds);
    assert.deepEqual([...a.keys()].sort(), ["emax", "prod"]);
    for (const name of a.keys()) {
      const got = asFloat32(a.get(name)!);
      const want = asFloat32(b.get(name)!);
      assert.ok(cosine(got, want) >= 0.99999, `${name}: cosine ${cosine(got, want)}`);
      const maxAbs = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
      assert.ok(maxAbs <= 1e-4, `${name}: max |diff| ${maxAbs}`);
    }

    const context = JSON.parse(await Deno.readTextFile(join(out, "build_context.json")));
    assert.equal(context.input, PROTO);
    assert.equal(context.weights, WEIGHTS);

    const inspect = await runCli(["inspect", join(out, "compiled.axmodel"), "--json"]);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /"data"/);

    const inputs = join(dir, "in");
    await Deno.mkdir(inputs);
    const run = await runCli([
      "run",
      "--model",
      join(out, "compiled.axmodel"),
      "--input_dir",
      inputs,
      "--output_dir",
      join(dir, "run"),
      "--random_input",
    ]);
    assert.equal(run.code, 0, run.stderr);
    for (const o of ["prod", "emax"]) {
      // 1 x 6 x 8 x 8 float32 values each
      assert.equal((await Deno.stat(join(dir, "run", `${o}.bin`))).size, 6 * 8 * 8 * 4);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("axb config takes the Caffe pair from the config file's input and weights fields", async () => {
  const { dir, config } = await setup({ input: PROTO, weights: WEIGHTS, output_dir: "o" });
  try {
    const r = await runCli(["config", "--config", config, "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    const effective = JSON.parse(r.stdout);
    assert.equal(effective.input, PROTO);
    assert.equal(effective.weights, WEIGHTS);
    assert.equal(effective.model_type, "ONNX");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("axb config leaves weights out of the effective config of an ONNX model", async () => {
  const r = await runCli(["config", "--input", "m.onnx", "--quiet"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal("weights" in JSON.parse(r.stdout), false);
});

Deno.test("axb build refuses bad Caffe input with one named line, exit 2, nothing written", async (t) => {
  const { dir, config } = await setup();
  try {
    const bytes = await Deno.readFile(WEIGHTS);
    const truncated = join(dir, "truncated.caffemodel");
    await Deno.writeFile(truncated, bytes.subarray(0, bytes.length - 37));
    // The weights the Accuracy net's one real layer needs, so the unknown type is what fails.
    const fcWeights = join(dir, "fc.caffemodel");
    await Deno.writeFile(
      fcWeights,
      encodeCaffemodel([{
        name: "fc",
        blobs: [{ shape: [2, 192], data: new Float32Array(384) }, { shape: [2], data: [0, 0] }],
      }]),
    );
    const syntax = join(CAFFE, "bad/syntax_error.prototxt");
    const accuracy = join(CAFFE, "bad/accuracy.prototxt");
    const cases: [string, string[], RegExp][] = [
      [
        "a truncated caffemodel",
        ["--input", PROTO, "--weights", truncated],
        /Cannot read caffemodel ".*truncated\.caffemodel": file is truncated/,
      ],
      [
        "a prototxt with a syntax error (line and column)",
        ["--input", syntax, "--weights", WEIGHTS],
        /syntax_error\.prototxt:14:1: expected "}" to close the message/,
      ],
      [
        "a layer without weights",
        ["--input", PROTO, "--weights", fcWeights],
        /bn_scale\.prototxt:\d+:\d+: layer "\w+" \(\w+\): has no weights in ".*fc\.caffemodel"/,
      ],
      [
        "an unknown layer type",
        ["--input", accuracy, "--weights", fcWeights],
        /accuracy\.prototxt:5:1: Not support layer name=accuracy type=Accuracy/,
      ],
      [
        "a prototxt without --weights",
        ["--input", PROTO],
        /Invalid input on the command line: ".*bn_scale\.prototxt" is a Caffe net and needs its trained blobs; pass --weights/,
      ],
      [
        "a missing weights file",
        ["--input", PROTO, "--weights", join(dir, "missing.caffemodel")],
        /^axb build: error: weights: ".*missing\.caffemodel" does not exist$/,
      ],
      [
        "the caffemodel given as input",
        ["--input", WEIGHTS, "--weights", PROTO],
        /Invalid input on the command line: ".*bn_scale\.caffemodel" holds Caffe weights/,
      ],
      [
        "weights with an ONNX input",
        ["--input", join(CAFFE, "bn_scale.onnx"), "--weights", WEIGHTS],
        /Invalid weights on the command line: .* is read only with a Caffe input/,
      ],
      [
        "a quantized model type",
        ["--input", PROTO, "--weights", WEIGHTS, "--model_type", "QuantONNX"],
        /Invalid model_type on the command line: QuantONNX does not fit the Caffe input/,
      ],
    ];
    for (const [what, args, want] of cases) {
      await t.step(what, async () => {
        const out = join(dir, "out");
        const r = await runCli([
          "build",
          ...args,
          "--output_dir",
          out,
          "--config",
          config,
          "--quiet",
        ]);
        assert.equal(r.code, 2, r.stderr);
        const lines = r.stderr.trim().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0], want);
        assert.equal(await exists(out), false, "nothing written");
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("axb build compiles the public SqueezeNet v1.1 deploy prototxt with seeded weights at batch 1", async () => {
  const { dir, config } = await setup(
    { input_shapes: "data:1x3x227x227", compiler: { check: 0 } },
    [1, 3, 227, 227],
  );
  try {
    const proto = join(CAFFE, "public/squeezenet_v1.1_deploy.prototxt");
    const seeded = seededWeights(11);
    convertCaffeNet(parseCaffeNet(await Deno.readTextFile(proto), proto), seeded.lookup, {
      registry: defaultRegistry(),
      weightsFile: "seeded",
    });
    const weights = join(dir, "squeezenet.caffemodel");
    await Deno.writeFile(weights, encodeCaffemodel(seeded.layers));
    const out = join(dir, "out");
    const r = await runCli([
      "build",
      "--input",
      proto,
      "--weights",
      weights,
      "--output_dir",
      out,
      "--config",
      config,
      "--quiet",
    ]);
    assert.equal(r.code, 0, r.stderr);
    // The prototxt's batch of 10 became 1 in the converter already.
    const converted = await loadModel(join(out, "frontend", "caffe_converted.onnx"));
    assert.deepEqual(converted.graph.inputs[0].type, { dtype: "f32", shape: [1, 3, 227, 227] });
    const inspect = await runCli(["inspect", join(out, "compiled.axmodel"), "--json"]);
    assert.equal(inspect.code, 0, inspect.stderr);
    const summary = JSON.parse(inspect.stdout);
    assert.deepEqual(summary.inputs, [{ name: "data", dtype: "float32", shape: [1, 3, 227, 227] }]);
    assert.deepEqual(summary.outputs, [{ name: "prob", dtype: "float32", shape: [1, 1000, 1, 1] }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
