/**
 * The Horizon model tools end to end through `axb`: hb_model_info, hb_model_modifier,
 * hb_pack (and `-p` in the others), hb_perf, and `axb run` on `.bin` files fed in their
 * runtime type — on fixture containers and on a container built by `runBuild`.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { saveModel } from "../onnx/save.ts";
import { loadModel } from "../onnx/load.ts";
import { Tensor, toNumbers } from "../ir/tensor.ts";
import { runCompiled } from "../container/runtime.ts";
import { withHorizonMeta } from "../container/horizon_meta.ts";
import { horizonSampleMeta, horizonSampleModel } from "../container/_horizon_testing.ts";
import {
  buildQuietly,
  fixtureConfig,
  readFloat32Bin,
  seededFloat32,
  TESTDATA,
  withDataset,
  writeNpyTar,
} from "../build/_acceptance_helpers.ts";
import { inTempCwd, runCli } from "./_testing.ts";

Deno.test("hb_model_info prints the environment, the inputs' runtime types and the YAML groups in template order", async () => {
  await inTempCwd("axb_hb_tools_", async (dir) => {
    await saveModel(horizonSampleModel({ typeRt: "nv12" }), join(dir, "m.bin"));
    const r = await runCli(["hb_model_info", "m.bin"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /converted by\s+: axb 0\.1\.0 \(hb_mapper\)/);
    assert.match(r.stdout, /march\s+: bernoulli2/);
    // 80 columns (stdout is not a terminal): the wide inputs table prints one field per line
    for (const row of ["Input +\\| data", "input_type_rt +\\| nv12", "input_shape +\\| 1x3x4x4"]) {
      assert.match(r.stdout, new RegExp(`\\| ${row} +\\|`));
    }
    const groups = [...r.stdout.matchAll(/#+ ([\w ]+?) info #+/g)].map((m) => m[1]);
    assert.deepEqual(groups, [
      "model_parameters",
      "input_parameters",
      "calibration_parameters",
      "compiler_parameters",
      "removed node",
    ]);
    assert.match(r.stdout, /mean_value\s+: 123\.675 116\.28 103\.53/);
    assert.match(r.stdout, /debug\s+: False/);
  });
});

Deno.test("hb_model_modifier removes the head Transpose and hb_model_info still shows its parameters", async () => {
  await inTempCwd("axb_hb_tools_", async (dir) => {
    await saveModel(horizonSampleModel(), join(dir, "m.bin"));
    const r = await runCli(["hb_model_modifier", "m.bin", "-r", "data_transpose"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /save modified model to \[.*m_modified\.bin\]/);
    const info = await runCli(["hb_model_info", "m_modified.bin"]);
    assert.match(
      info.stdout,
      /data_transpose \(Transpose\)\n\s+boundary : input\n\s+perm\s+: \[0,3,1,2\]\n\s+tensor\s+: data/,
    );
    assert.match(info.stdout, /\| input +\| data +\| float32 \| \(1, 3, 4, 4\) \|/);
    const again = await runCli([
      "hb_model_modifier",
      "m_modified.bin",
      "-r",
      "prob_transpose",
      "-o",
      "two.bin",
    ]);
    assert.equal(again.code, 0, again.stderr);
    const two = await runCli(["hb_model_info", "two.bin"]);
    assert.match(two.stdout, /data_transpose \(Transpose\)[^]*prob_transpose \(Transpose\)/);
  });
});

Deno.test("hb_model_modifier refuses a node that is not a removable input/output node, writing nothing", async () => {
  await inTempCwd("axb_hb_tools_", async (dir) => {
    await saveModel(horizonSampleModel(), join(dir, "m.bin"));
    const r = await runCli(["hb_model_modifier", "m.bin", "-r", "cpu_out_sigmoid", "-o", "x.bin"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Node "cpu_out_sigmoid" cannot be removed: it is a Sigmoid/);
    assert.match(r.stderr, /removable nodes: data_transpose, prob_transpose/);
    await assert.rejects(() => Deno.stat(join(dir, "x.bin")), Deno.errors.NotFound);
    const none = await runCli(["hb_model_modifier", "m.bin"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs -r NODE/);
  });
});

Deno.test("hb_pack packs two models that hb_model_info -p and hb_perf -p read back", async () => {
  await inTempCwd("axb_hb_tools_", async (dir) => {
    await saveModel(horizonSampleModel(), join(dir, "alpha.bin"));
    await saveModel(horizonSampleModel({ typeRt: "rgb", inputDtype: "u8" }), join(dir, "beta.bin"));
    const p = await runCli(["hb_pack", "-o", "both.bin", "alpha.bin", "beta.bin"]);
    assert.equal(p.code, 0, p.stderr);
    const info = await runCli(["hb_model_info", "-p", "both.bin"]);
    assert.equal(info.code, 0, info.stderr);
    assert.deepEqual([...info.stdout.matchAll(/#+ model (\w+) #+/g)].map((m) => m[1]), [
      "alpha",
      "beta",
    ]);
    const noP = await runCli(["hb_model_info", "both.bin"]);
    assert.equal(noP.code, 2);
    assert.match(noP.stderr, /is a packed model; add -p/);
    const perf = await runCli(["hb_perf", "-p", "both.bin"]);
    assert.equal(perf.code, 0, perf.stderr);
    for (const m of ["alpha", "beta"]) {
      assert.ok((await Deno.stat(join(dir, "hb_perf_result", m, `${m}.html`))).isFile);
    }
    const one = await runCli(["hb_pack", "-o", "x.bin", "alpha.bin"]);
    assert.equal(one.code, 2);
    const nested = await runCli(["hb_pack", "-o", "x.bin", "both.bin", "alpha.bin"]);
    assert.equal(nested.code, 2);
    assert.match(nested.stderr, /already a packed model/);
  });
});

/** 4x4 NV12 bytes (Y plane, then 2 rows of interleaved U,V) and their yuv444_128 NCHW form. */
function nv12Sample(): { bytes: Uint8Array; intermediate: Tensor } {
  const y = Array.from({ length: 16 }, (_, i) => 16 + i * 13);
  const uv = [90, 160, 100, 170, 110, 180, 120, 190];
  const u = (i: number, j: number) => uv[(i >> 1) * 4 + (j >> 1) * 2];
  const v = (i: number, j: number) => uv[(i >> 1) * 4 + (j >> 1) * 2 + 1];
  const planes: number[] = [];
  for (const f of [(i: number, j: number) => y[i * 4 + j], u, v]) {
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) planes.push(f(i, j) - 128);
  }
  return {
    bytes: Uint8Array.from([...y, ...uv]),
    intermediate: new Tensor("f32", [1, 3, 4, 4], Float32Array.from(planes)),
  };
}

Deno.test("axb run feeds a .bin its NV12 bytes and a packed file's model by --model_name", async () => {
  await inTempCwd("axb_hb_tools_", async (dir) => {
    const model = horizonSampleModel({ typeRt: "nv12", head: "none" });
    await saveModel(model, join(dir, "cam.bin"));
    const { bytes, intermediate } = nv12Sample();
    await Deno.mkdir(join(dir, "in"));
    await Deno.writeFile(join(dir, "in", "data.bin"), bytes);
    const r = await runCli([
      "run",
      "--model",
      "cam.bin",
      "--input_dir",
      "in",
      "--output_dir",
      "out",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /input \[data\]: nv12 uint8 \(1, 6, 4, 1\) → yuv444_128 float32/);
    assert.match(r.stderr, /run HorizonModel model/);
    const want = runCompiled(model, new Map([["data", intermediate]])).outputs.get("prob")!;
    assert.deepEqual([...await readFloat32Bin(join(dir, "out", "prob.bin"))], toNumbers(want));

    await saveModel(horizonSampleModel(), join(dir, "other.bin"));
    assert.equal((await runCli(["hb_pack", "-o", "both.bin", "cam.bin", "other.bin"])).code, 0);
    const packed = await runCli([
      "run",
      "--model",
      "both.bin",
      "--model_name",
      "cam",
      "--input_dir",
      "in",
      "--output_dir",
      "out2",
    ]);
    assert.equal(packed.code, 0, packed.stderr);
    assert.deepEqual(
      await Deno.readFile(join(dir, "out2", "prob.bin")),
      await Deno.readFile(join(dir, "out", "prob.bin")),
    );
    const unnamed = await runCli([
      "run",
      "--model",
      "both.bin",
      "--input_dir",
      "in",
      "--output_dir",
      "o3",
    ]);
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.stderr, /packed model holding cam, other; choose one with --model_name/);
  });
});

Deno.test("a runBuild container with the Horizon entry runs from rgb bytes and gets an hb_perf report", async () => {
  await inTempCwd("axb_hb_tools_", async (dir) => {
    const calib = join(dir, "calib.tar");
    await writeNpyTar(calib, Array.from({ length: 4 }, (_, i) => seededFloat32([1, 3, 16, 16], i)));
    const raw = withDataset(await fixtureConfig("npu_cpu_npu.json"), calib);
    const { result } = await buildQuietly(
      raw,
      join(TESTDATA, "models", "npu_cpu_npu.onnx"),
      join(dir, "o"),
    );
    const meta = horizonSampleMeta({ typeRt: "rgb", debug: true });
    const container = withHorizonMeta(await loadModel(result.compiledModel), {
      ...meta,
      inputs: [{ ...meta.inputs[0], name: "input", shape: [1, 3, 16, 16] }],
    });
    await saveModel(container, join(dir, "ncn.bin"));
    const perf = await runCli(["hb_perf", "ncn.bin"]);
    assert.equal(perf.code, 0, perf.stderr);
    const report = JSON.parse(
      await Deno.readTextFile(join(dir, "hb_perf_result", "ncn", "ncn.json")),
    );
    assert.deepEqual(report.subgraphs, ["subgraph_npu_0", "subgraph_npu_1"]);
    assert.ok(report.latency_ms > 0 && report.frame_rate_fps > 0);
    assert.deepEqual(
      report.structure.nodes.map((n: { kind: string; label: string }) => `${n.kind}:${n.label}`),
      ["input:input", "bpu:subgraph_npu_0", "cpu:selu", "bpu:subgraph_npu_1", "output:output"],
    );
    // four 16x16 rgb images: the run equals the compiled model fed their values minus 128
    const pixels = Uint8Array.from({ length: 4 * 16 * 16 * 3 }, (_, i) => (i * 29 + 7) % 256);
    await Deno.mkdir(join(dir, "in"));
    await Deno.writeFile(join(dir, "in", "input.bin"), pixels);
    const r = await runCli([
      "run",
      "--model",
      "ncn.bin",
      "--input_dir",
      "in",
      "--output_dir",
      "out",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const nchw = new Float32Array(pixels.length);
    for (let b = 0; b < 4; b++) {
      for (let q = 0; q < 256; q++) {
        for (let c = 0; c < 3; c++) {
          nchw[(b * 3 + c) * 256 + q] = pixels[(b * 256 + q) * 3 + c] - 128;
        }
      }
    }
    const want = runCompiled(
      container,
      new Map([["input", new Tensor("f32", [4, 3, 16, 16], nchw)]]),
    )
      .outputs.get("output")!;
    assert.deepEqual([...await readFloat32Bin(join(dir, "out", "output.bin"))], toNumbers(want));
  });
});
