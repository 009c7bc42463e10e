/**
 * What a build accepts, the compiled model honours: several inputs of different shapes,
 * an output permutation that moves the batch axis. Each model is built in the test and
 * compiled for AX650; the compiled model is then run through `axb run`.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { encodeRaw } from "../io/raw.ts";
import { ConfigError } from "../errors/mod.ts";
import { runCli } from "../cli/_testing.ts";
import { readFloat32Bin, seededFloat32 } from "./_acceptance_helpers.ts";
import { anySizeModel, buildSmall, twoInputModel, vectorOutputModel } from "./_small_build.ts";

async function withDir(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `axb run` of `model` on the given `.bin` inputs; returns the stderr log. */
async function runModel(
  model: string,
  inputs: Record<string, Uint8Array>,
  dir: string,
  extra: string[] = [],
): Promise<string> {
  const inDir = join(dir, "in");
  await Deno.mkdir(inDir, { recursive: true });
  for (const [name, bytes] of Object.entries(inputs)) {
    await Deno.writeFile(join(inDir, `${name}.bin`), bytes);
  }
  const r = await runCli([
    "run",
    "--model",
    model,
    "--input_dir",
    inDir,
    "--output_dir",
    join(dir, "run_out"),
    ...extra,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.stderr;
}

Deno.test("runBuild() checks and runs a model whose two inputs have different shapes", async () => {
  await withDir("axb_two_inputs_", async (dir) => {
    const built = await buildSmall(
      twoInputModel(),
      [{ name: "a", shape: [1, 3, 8, 8] }, { name: "b", shape: [1, 3, 4, 4] }],
      { compiler: { check: 3 } },
      dir,
    );
    assert.ok(built.result.checks.length > 0, "compiler.check 3 compared nothing");
    assert.ok(built.result.checks.every((c) => c.passed));
    await runModel(built.result.compiledModel, {
      a: encodeRaw(seededFloat32([1, 3, 8, 8], 5)),
      b: encodeRaw(seededFloat32([1, 3, 4, 4], 6)),
    }, dir);
    const out = await readFloat32Bin(join(dir, "run_out", "out.bin"));
    assert.equal(out.length, 4 * 4 * 4);
  });
});

Deno.test("runBuild() with output_processors dst_perm [1, 0] gives a (10, 1) output, also at batch 2", async () => {
  await withDir("axb_dst_perm_", async (dir) => {
    const input = [{ name: "x", shape: [1, 3, 4, 4] }];
    const plain = await buildSmall(vectorOutputModel(), input, {
      compiler: { check: 0, static_batch_sizes: [1, 2] },
    }, join(dir, "plain"));
    const permuted = await buildSmall(vectorOutputModel(), input, {
      output_processors: [{ tensor_name: "y", dst_perm: [1, 0] }],
      compiler: { check: 2, static_batch_sizes: [1, 2] },
    }, join(dir, "perm"));
    // check 2 (all-equal) compares the first sample of the b2 run along the moved axis
    assert.deepEqual(permuted.result.checks.map((c) => [c.batch, c.shape, c.passed]), [
      [1, [10, 1], true],
      [2, [10, 1], true],
    ]);
    // the batch axis moved to dim 1: the declared output carries the largest batch there
    assert.deepEqual(permuted.summary.groups[0].outputs[0].shape, [10, 2]);
    assert.deepEqual(plain.summary.groups[0].outputs[0].shape, [2, 10]);

    const x = seededFloat32([2, 3, 4, 4], 9);
    const bytes = encodeRaw(x);
    const half = bytes.length / 2;
    const rows: Float32Array[] = [];
    for (const i of [0, 1]) {
      await runModel(
        plain.result.compiledModel,
        { x: bytes.slice(i * half, (i + 1) * half) },
        dir,
        [
          "--batch_size",
          "1",
        ],
      );
      rows.push(await readFloat32Bin(join(dir, "run_out", "y.bin")));
    }
    await runModel(permuted.result.compiledModel, { x: bytes.slice(0, half) }, dir, [
      "--batch_size",
      "1",
    ]);
    const single = await readFloat32Bin(join(dir, "run_out", "y.bin"));
    assert.equal(single.length, 10, "a (10, 1) output is 10 floats");
    assert.deepEqual([...single], [...rows[0]]);

    await runModel(permuted.result.compiledModel, { x: bytes }, dir, ["--batch_size", "2"]);
    const both = await readFloat32Bin(join(dir, "run_out", "y.bin"));
    assert.equal(both.length, 20);
    // (10, 2): element [c, n] at c * 2 + n is channel c of sample n
    for (let c = 0; c < 10; c++) {
      assert.equal(both[c * 2], rows[0][c], `channel ${c} of sample 0`);
      assert.equal(both[c * 2 + 1], rows[1][c], `channel ${c} of sample 1`);
    }
  });
});

Deno.test("runBuild() with dst_perm [1, 0] and output_dtype U8 joins the batch on the moved axis", async () => {
  // AX620E has no Round: the output's post-processing is split between NPU and CPU
  // subgraphs, which must not meet at a value whose batch is on the moved axis (the NPU
  // subgraph after the Round split it on axis 0 and returned the wrong layout). Found by the
  // differential generator (`core/fuzz/differential/`).
  await withDir("axb_dst_perm_u8_", async (dir) => {
    const built = await buildSmall(vectorOutputModel(), [{ name: "x", shape: [1, 3, 4, 4] }], {
      target_hardware: "AX620E",
      output_processors: [{ tensor_name: "y", dst_perm: [1, 0], output_dtype: "U8" }],
      compiler: { check: 0, static_batch_sizes: [1, 2] },
    }, dir);
    assert.deepEqual(built.summary.groups[0].outputs[0].shape, [10, 2]);
    const x = encodeRaw(seededFloat32([2, 3, 4, 4], 9));
    await runModel(built.result.compiledModel, { x: x.slice(0, x.length / 2) }, dir, [
      "--batch_size",
      "1",
    ]);
    const single = await Deno.readFile(join(dir, "run_out", "y.bin"));
    assert.equal(single.length, 10, "a (10, 1) uint8 output is 10 bytes");
    await runModel(built.result.compiledModel, { x }, dir, ["--batch_size", "2"]);
    const both = await Deno.readFile(join(dir, "run_out", "y.bin"));
    assert.equal(both.length, 20);
    for (let c = 0; c < 10; c++) assert.equal(both[c * 2], single[c], `channel ${c} of sample 0`);
    // the same run on the float model, quantized to U8 as the processor does: within 1
    const plain = await buildSmall(vectorOutputModel(), [{ name: "x", shape: [1, 3, 4, 4] }], {
      target_hardware: "AX620E",
      compiler: { check: 0 },
    }, join(dir, "plain"));
    await runModel(plain.result.compiledModel, { x: x.slice(0, x.length / 2) }, dir);
    const y = await readFloat32Bin(join(dir, "run_out", "y.bin"));
    for (let c = 0; c < 10; c++) {
      const want = Math.min(255, Math.max(0, Math.round(y[c])));
      assert.ok(Math.abs(single[c] - want) <= 1, `channel ${c}: ${single[c]} vs ${want}`);
    }
  });
});

Deno.test("runBuild() reads src_extra_shapes in the model's layout (NCHW) and compiles the NHWC runtime input from it", async () => {
  await withDir("axb_extra_shapes_", async (dir) => {
    const built = await buildSmall(anySizeModel(), [{ name: "x", shape: [1, 3, 8, 8] }], {
      input_processors: [{
        tensor_name: "x",
        tensor_layout: "NCHW",
        src_layout: "NHWC",
        src_dtype: "U8",
        src_extra_shapes: [{ shape: [1, 3, 12, 12] }],
      }],
      compiler: { check: 0 },
    }, dir);
    const groups = built.summary.groups;
    assert.deepEqual(groups.map((g) => g.inputs[0].shape), [[1, 8, 8, 3], [1, 12, 12, 3]]);
    assert.deepEqual(groups.map((g) => g.inputs[0].dtype), ["uint8", "uint8"]);
    assert.deepEqual(groups.map((g) => g.outputs[0].shape), [[1, 4], [1, 4]]);
    const pixels = new Uint8Array(12 * 12 * 3).map((_, i) => (i * 37) % 256);
    await runModel(built.result.compiledModel, { x_1: pixels }, dir, ["--group_index", "1"]);
    const y = await readFloat32Bin(join(dir, "run_out", "y_1.bin"));
    assert.equal(y.length, 4);
  });
});

Deno.test("runBuild() checks with the first calibration sample in the compiled input format when compiler.input_sample_dir is empty", async () => {
  await withDir("axb_check_calib_", async (dir) => {
    const log: string[] = [];
    const built = await buildSmall(
      anySizeModel(),
      [{ name: "x", shape: [1, 3, 8, 8] }],
      {
        input_processors: [{ tensor_name: "x", src_layout: "NHWC", src_dtype: "U8" }],
        compiler: { check: 3 },
      },
      dir,
      log,
    );
    assert.ok(built.result.checks.length > 0 && built.result.checks.every((c) => c.passed));
    assert.ok(
      log.includes("use calibration data as gt input: x, uint8, (1, 8, 8, 3)"),
      log.join("\n"),
    );
    assert.ok(!log.some((l) => l.startsWith("use random data")), log.join("\n"));
  });
});

Deno.test("runBuild() refuses a Conv at data_type FP32, naming the layer", async () => {
  await withDir("axb_fp32_conv_", async (dir) => {
    await assert.rejects(
      buildSmall(anySizeModel(), [{ name: "x", shape: [1, 3, 8, 8] }], {
        quant: { layer_configs: [{ layer_name: "conv", data_type: "FP32" }] },
        compiler: { check: 0 },
      }, dir),
      (e) => e instanceof ConfigError && /Conv "conv" to data_type FP32/.test(e.message),
    );
  });
});
