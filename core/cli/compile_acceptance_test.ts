/**
 * Acceptance of the compilation pipeline (`axb build` → `compiled.axmodel` → `axb run`):
 *
 * 1. mobilenet_v2 compiles into one NPU subgraph on every AXera chip/core mode and passes
 *    `compiler.check 3` (cosine >= 0.999);
 * 2. npu_cpu_npu.onnx (Selu on the CPU) compiles into NPU, CPU, NPU subgraphs, runs with
 *    `axb run` and stays as close to the float model as the quantized reference does;
 * 3. static [1, 2, 4] and dynamic (max 8) batch variants: batch lists, I/O shapes, and
 *    `axb run --batch_size 3 / 9` bit-identical to per-sample runs with the greedy split;
 * 4. cost estimates order sensibly (cores, batch) and the dynamic rule stops where the
 *    per-sample latency stops improving;
 * 5. bad inputs exit 2 naming the field or file, and write no `compiled.axmodel`.
 *
 * Builds share work: one build per chip/mode (memoised), one static and one dynamic build.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { CompiledSummary, SubgraphSummary } from "../container/inspect.ts";
import type { CheckRecord } from "../build/compile_check.ts";
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import { encodeNpy } from "../io/npy.ts";
import { loadModel } from "../onnx/load.ts";
import { Executor } from "../exec/executor.ts";
import { QuantEmulator } from "../quant/emulator.ts";
import { fromQdqModel } from "../quant/qdq_import.ts";
import { defaultRegistry } from "../ops/mod.ts";
import {
  buildQuietly,
  checkCosine,
  cosine,
  exists,
  fixtureConfig,
  MODELS,
  readFloat32Bin,
  seededFloat32,
  seededUint8,
  targetBatchIndices,
  TESTDATA,
  withDataset,
  writeNpyTar,
} from "../build/_acceptance_helpers.ts";
import { runCli } from "./_testing.ts";

const MOBILENET = join(MODELS, "mobilenet_v2.onnx");
const NPU_CPU_NPU = join(TESTDATA, "models", "npu_cpu_npu.onnx");

/** Every AXera chip and core mode the acceptance names. */
const CHIP_MODES: readonly (readonly [string, string])[] = [
  ["AX650", "NPU1"],
  ["AX650", "NPU2"],
  ["AX650", "NPU3"],
  ["M76H", "NPU1"],
  ["AX620E", "NPU1"],
  ["AX620E", "NPU2"],
  ["AX615", "NPU1"],
  ["M57", "NPU1"],
];

/** What a per-chip build leaves behind once its output directory is gone. */
interface ChipBuild {
  summary: CompiledSummary;
  checks: CheckRecord[];
}

const chipBuilds = new Map<string, Promise<ChipBuild>>();

/** mobilenet_v2 for `chip`/`mode` (calibration_size 4, check 3, batch [1]), built once. */
function chipBuild(chip: string, mode: string): Promise<ChipBuild> {
  const key = `${chip} ${mode}`;
  let p = chipBuilds.get(key);
  if (!p) {
    p = (async () => {
      const dir = await Deno.makeTempDir({ prefix: "axb_accept_chip_" });
      try {
        const raw = await fixtureConfig("mobilenet_v2.json", {
          target_hardware: chip,
          npu_mode: mode,
        });
        const b = await buildQuietly(raw, MOBILENET, join(dir, "out"));
        return { summary: b.summary, checks: b.result.checks };
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    })();
    chipBuilds.set(key, p);
  }
  return p;
}

function onlyNpu(s: CompiledSummary): SubgraphSummary {
  assert.equal(s.subgraphs.length, 1, `subgraphs: ${s.subgraphs.map((x) => x.kind).join(", ")}`);
  const sg = s.subgraphs[0];
  assert.equal(sg.kind, "npu");
  return sg;
}

function latencyAt(sg: SubgraphSummary, batch: number): number {
  const c = sg.cost?.find((k) => k.batch === batch);
  assert.ok(c, `no cost entry for batch ${batch} in ${sg.name}`);
  return c.latencyMs;
}

// ---- 1. every chip/mode: one NPU subgraph, compiler.check 3 passes ---------------------

for (const [chip, mode] of CHIP_MODES) {
  Deno.test(`runBuild() compiles mobilenet_v2 for ${chip} ${mode} into one NPU subgraph passing check 3`, async (t) => {
    const { summary, checks } = await chipBuild(chip, mode);
    await t.step("one NPU subgraph for the requested chip and mode", () => {
      const sg = onlyNpu(summary);
      assert.equal(sg.target, `${chip} ${mode}`);
      assert.equal(summary.target, chip);
      assert.deepEqual(sg.batches, [1]);
      assert.ok(sg.nodes["Conv"] >= 50, `Conv count ${sg.nodes["Conv"]}`);
    });
    await t.step("compiler.check 3 compared the output and passed with cosine >= 0.999", () => {
      assert.ok(checks.length >= 1, "check 3 ran no comparison");
      for (const c of checks) {
        assert.ok(c.passed, `${c.subgraph}_b${c.batch} ${c.tensor}: ${c.detail}`);
        assert.ok(checkCosine(c.detail) >= 0.999, c.detail);
      }
      assert.deepEqual(checks.map((c) => c.tensor), ["output"]);
      const sg = onlyNpu(summary);
      console.log(
        `${chip} ${mode}: check cosine ${checkCosine(checks[0].detail)}, b1 ${
          latencyAt(sg, 1).toFixed(3)
        } ms, ${sg.cost ? Math.round(sg.cost[0].cycles) : "n/a"} cycles`,
      );
    });
  });
}

// ---- 4a. more NPU cores, lower latency --------------------------------------------------

Deno.test("AX650 batch-1 latency estimates order NPU1 > NPU2 > NPU3", async () => {
  const ms: number[] = [];
  for (const mode of ["NPU1", "NPU2", "NPU3"]) {
    ms.push(latencyAt(onlyNpu((await chipBuild("AX650", mode)).summary), 1));
  }
  console.log(`AX650 b1 latency ms: NPU1 ${ms[0]}, NPU2 ${ms[1]}, NPU3 ${ms[2]}`);
  assert.ok(ms[0] > ms[1], `NPU1 ${ms[0]} ms vs NPU2 ${ms[1]} ms`);
  assert.ok(ms[1] > ms[2], `NPU2 ${ms[1]} ms vs NPU3 ${ms[2]} ms`);
  assert.ok(ms[2] > 0, "latency is positive");
});

// ---- 2. NPU → CPU → NPU ----------------------------------------------------------------

Deno.test("npu_cpu_npu.onnx compiles into NPU, CPU, NPU subgraphs and runs as close to float as the quantized reference", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "axb_accept_ncn_" });
  try {
    const calib = join(dir, "calib.tar");
    await writeNpyTar(calib, Array.from({ length: 8 }, (_, i) => seededFloat32([1, 3, 16, 16], i)));
    const raw = withDataset(await fixtureConfig("npu_cpu_npu.json"), calib);
    const out = join(dir, "out");
    const { result } = await buildQuietly(raw, NPU_CPU_NPU, out);
    const compiled = result.compiledModel;

    await t.step(
      "axb inspect shows NPU (Conv, Relu), CPU (Selu), NPU (Conv, Relu, GAP)",
      async () => {
        const r = await runCli(["inspect", compiled, "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const s: CompiledSummary = JSON.parse(r.stdout);
        assert.deepEqual(s.subgraphs.map((x) => x.kind), ["npu", "cpu", "npu"]);
        assert.deepEqual(s.subgraphs[0].nodes, { Conv: 1, Relu: 1 });
        assert.deepEqual(s.subgraphs[1].nodes, { Selu: 1 });
        assert.deepEqual(s.subgraphs[2].nodes, { Conv: 1, GlobalAveragePool: 1, Relu: 1 });
        // the CPU part reads what the first NPU part writes, and feeds the second
        assert.deepEqual(s.subgraphs[1].inputs, s.subgraphs[0].outputs);
        assert.deepEqual(s.subgraphs[2].inputs, s.subgraphs[1].outputs);
        assert.deepEqual(s.groups[0].inputs[0].shape, [4, 3, 16, 16]);
        assert.deepEqual(s.subgraphs.map((x) => x.batches), [[1, 2, 4], [], [1, 2, 4]]);
        // check 3 compared both NPU subgraphs at every batch variant
        assert.equal(result.checks.length, 6);
        assert.ok(result.checks.every((c) => c.passed && checkCosine(c.detail) >= 0.999));
      },
    );

    await t.step("--batch_size 3 crosses the CPU subgraph and equals per-sample runs", async () => {
      const x = seededFloat32([3, 3, 16, 16], 2000);
      const per = 3 * 16 * 16;
      const write = async (sub: string, from: number, n: number) => {
        await Deno.mkdir(join(dir, sub), { recursive: true });
        const bytes = new Uint8Array(x.data.buffer, from * per * 4, n * per * 4);
        await Deno.writeFile(join(dir, sub, "input.bin"), bytes);
      };
      const run = (sub: string, batch: number) =>
        runCli([
          "run",
          "--model",
          compiled,
          "--input_dir",
          join(dir, sub),
          "--output_dir",
          join(dir, `${sub}_out`),
          "--batch_size",
          String(batch),
        ]);
      await write("b3", 0, 3);
      const r = await run("b3", 3);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(targetBatchIndices(r.stderr, "subgraph_npu_0"), [1, 0]);
      assert.deepEqual(targetBatchIndices(r.stderr, "subgraph_npu_1"), [1, 0]);
      const all = await readFloat32Bin(join(dir, "b3_out", "output.bin"));
      assert.equal(all.length, 3 * 8);
      for (let i = 0; i < 3; i++) {
        await write(`one${i}`, i, 1);
        const one = await run(`one${i}`, 1);
        assert.equal(one.code, 0, one.stderr);
        const want = await readFloat32Bin(join(dir, `one${i}_out`, "output.bin"));
        assert.deepEqual([...all.subarray(i * 8, i * 8 + 8)], [...want], `sample ${i}`);
      }
    });

    await t.step(
      "axb run matches the float model within the quantized reference's error",
      async () => {
        const registry = defaultRegistry();
        const float = new Executor(await loadModel(NPU_CPU_NPU), registry);
        const quant = new QuantEmulator(
          fromQdqModel(await loadModel(result.quantModel), "quant_axmodel.onnx"),
          registry,
        );
        const inputs = join(dir, "run_in");
        const outputs = join(dir, "run_out");
        const labels = ["a", "b", "c", "d"];
        const samples: Tensor[] = labels.map((_, i) => seededFloat32([1, 3, 16, 16], 1000 + i));
        for (const [i, l] of labels.entries()) {
          await Deno.mkdir(join(inputs, l), { recursive: true });
          await Deno.writeFile(join(inputs, l, "input.npy"), encodeNpy(samples[i]));
        }
        await Deno.writeTextFile(join(dir, "list.txt"), labels.join("\n") + "\n");
        const r = await runCli([
          "run",
          "--model",
          compiled,
          "--input_dir",
          inputs,
          "--output_dir",
          outputs,
          "--list",
          join(dir, "list.txt"),
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /running npu subgraph: subgraph_npu_0/);
        assert.match(r.stderr, /running npu subgraph: subgraph_npu_1/);
        for (const [i, l] of labels.entries()) {
          const feeds = new Map([["input", samples[i]]]);
          const want = asFloat32(float.run(feeds).get("output")!);
          const ref = asFloat32(quant.run(feeds).get("output")!);
          const got = await readFloat32Bin(join(outputs, l, "output.bin"));
          assert.equal(got.length, want.length);
          const cGot = cosine(got, want);
          const cRef = cosine(ref, want);
          console.log(
            `npu_cpu_npu sample ${l}: compiled ${cGot.toFixed(6)}, quant ${cRef.toFixed(6)}`,
          );
          assert.ok(cGot >= 0.99, `compiled vs float cosine ${cGot}`);
          assert.ok(cGot >= cRef - 0.002, `compiled ${cGot} vs quantized reference ${cRef}`);
        }
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- 3 and 4b. batch variants -----------------------------------------------------------

/** Greedy, largest first: the compiled-batch indices covering `n` (padding the last run). */
function expectedIndices(n: number, batches: readonly number[]): number[] {
  const order = batches.map((b, i) => [b, i] as const).sort((x, y) => y[0] - x[0]);
  const out: number[] = [];
  let left = n;
  for (const [b, i] of order) {
    for (; left >= b; left -= b) out.push(i);
  }
  if (left > 0) out.push(order[order.length - 1][1]);
  return out;
}

const IMAGE = [224, 224, 3];
const SAMPLE_BYTES = 224 * 224 * 3;
const OUTPUT_FLOATS = 1000;

/**
 * Run `compiled` on `n` seeded U8 images at `--batch_size n` and each image alone at
 * `--batch_size 1`; the outputs must be bit-identical and the log must show the split.
 */
async function assertBatchRuns(
  compiled: string,
  dir: string,
  batches: readonly number[],
  n: number,
  singles: Float32Array[],
): Promise<void> {
  const images = seededUint8([9, ...IMAGE], 77);
  const input = join(dir, `in_b${n}`);
  await Deno.mkdir(input, { recursive: true });
  await Deno.writeFile(join(input, "input.bin"), images.data.subarray(0, n * SAMPLE_BYTES));
  const r = await runCli([
    "run",
    "--model",
    compiled,
    "--input_dir",
    input,
    "--output_dir",
    join(dir, `out_b${n}`),
    "--batch_size",
    String(n),
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    targetBatchIndices(r.stderr, "subgraph_npu_0"),
    expectedIndices(n, batches),
    `--batch_size ${n} over [${batches.join(", ")}]`,
  );
  const got = await readFloat32Bin(join(dir, `out_b${n}`, "output.bin"));
  assert.equal(got.length, n * OUTPUT_FLOATS);
  for (let i = 0; i < n; i++) {
    const part = got.subarray(i * OUTPUT_FLOATS, (i + 1) * OUTPUT_FLOATS);
    const same = part.every((x, k) => Object.is(x, singles[i][k]));
    assert.ok(same, `sample ${i} of --batch_size ${n} differs from its --batch_size 1 run`);
  }
}

/** The 9 seeded images run one by one at `--batch_size 1` (one `--list` call). */
async function singleRuns(compiled: string, dir: string): Promise<Float32Array[]> {
  const images = seededUint8([9, ...IMAGE], 77);
  const labels = Array.from({ length: 9 }, (_, i) => `s${i}`);
  for (const [i, l] of labels.entries()) {
    await Deno.mkdir(join(dir, "in_b1", l), { recursive: true });
    await Deno.writeFile(
      join(dir, "in_b1", l, "input.bin"),
      images.data.subarray(i * SAMPLE_BYTES, (i + 1) * SAMPLE_BYTES),
    );
  }
  await Deno.writeTextFile(join(dir, "list_b1.txt"), labels.join("\n"));
  const r = await runCli([
    "run",
    "--model",
    compiled,
    "--input_dir",
    join(dir, "in_b1"),
    "--output_dir",
    join(dir, "out_b1"),
    "--list",
    join(dir, "list_b1.txt"),
    "--batch_size",
    "1",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(targetBatchIndices(r.stderr, "subgraph_npu_0"), labels.map(() => 0));
  const out: Float32Array[] = [];
  for (const l of labels) out.push(await readFloat32Bin(join(dir, "out_b1", l, "output.bin")));
  return out;
}

function ioBatch(s: CompiledSummary): [unknown, unknown] {
  const g = s.groups[0];
  return [g.inputs[0].shape?.[0], g.outputs[0].shape?.[0]];
}

Deno.test("static_batch_sizes [1, 2, 4]: batch variants, I/O at batch 4, and --batch_size 3 / 9 split 2+1 / 4+4+1 bit-identically", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "axb_accept_static_" });
  try {
    const raw = await fixtureConfig("mobilenet_v2.json", {
      compiler: { check: 0, static_batch_sizes: [4, 1, 2] },
    });
    const { result, summary } = await buildQuietly(raw, MOBILENET, join(dir, "out"));
    const sg = onlyNpu(summary);
    await t.step("batches [1, 2, 4]; graph input and output at batch 4", () => {
      assert.deepEqual(sg.batches, [1, 2, 4]);
      assert.deepEqual(sg.cost?.map((c) => c.batch), [1, 2, 4]);
      assert.deepEqual(ioBatch(summary), [4, 4]);
      assert.deepEqual(summary.groups[0].inputs[0].shape, [4, 224, 224, 3]);
      assert.equal(summary.groups[0].inputs[0].dtype, "uint8");
    });
    await t.step("per-sample latency at b2 is below b1", () => {
      const b1 = latencyAt(sg, 1);
      const b2 = latencyAt(sg, 2) / 2;
      const b4 = latencyAt(sg, 4) / 4;
      console.log(`AX650 NPU1 static per-sample ms: b1 ${b1}, b2 ${b2}, b4 ${b4}`);
      assert.ok(b2 < b1, `b2 ${b2} ms/sample vs b1 ${b1} ms/sample`);
      assert.ok(latencyAt(sg, 2) > b1, "a batch of 2 takes longer than a batch of 1");
    });
    await t.step("--batch_size 3 and 9 equal per-sample runs; logged 2+1 and 4+4+1", async () => {
      assert.deepEqual(expectedIndices(3, [1, 2, 4]), [1, 0]);
      assert.deepEqual(expectedIndices(9, [1, 2, 4]), [2, 2, 0]);
      const singles = await singleRuns(result.compiledModel, dir);
      await assertBatchRuns(result.compiledModel, dir, [1, 2, 4], 3, singles);
      await assertBatchRuns(result.compiledModel, dir, [1, 2, 4], 9, singles);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("max_dynamic_batch_size 8: a doubling prefix kept while per-sample latency improves, I/O at batch 8, --batch_size 3 / 9 bit-identical", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "axb_accept_dynamic_" });
  try {
    const raw = await fixtureConfig("mobilenet_v2.json", {
      compiler: { check: 0, max_dynamic_batch_size: 8 },
    });
    const { result, summary } = await buildQuietly(raw, MOBILENET, join(dir, "out"));
    const sg = onlyNpu(summary);
    const kept = sg.batches;
    console.log(`AX650 NPU1 dynamic max 8 batches: [${kept.join(", ")}]`);

    await t.step("batches are a prefix of [1, 2, 4, 8]; graph input and output at batch 8", () => {
      assert.ok(kept.length >= 1 && kept.length <= 4, `[${kept.join(", ")}]`);
      assert.deepEqual(kept, [1, 2, 4, 8].slice(0, kept.length));
      assert.deepEqual(sg.cost?.map((c) => c.batch), kept);
      assert.deepEqual(ioBatch(summary), [8, 8]);
    });

    await t.step(
      "the rule kept batches while per-sample latency fell, and stopped after",
      async () => {
        // Costs of every candidate: the same quantized model compiled for static [1, 2, 4, 8].
        const probe = await buildQuietly(
          await fixtureConfig("mobilenet_v2.json", {
            model_type: "QuantAxModel",
            compiler: { check: 0, static_batch_sizes: [1, 2, 4, 8] },
          }),
          result.quantModel,
          join(dir, "probe"),
        );
        const all = onlyNpu(probe.summary);
        for (const b of kept) {
          assert.equal(latencyAt(all, b), latencyAt(sg, b), `b${b} cost differs between builds`);
        }
        const perSample = [1, 2, 4, 8].map((b) => latencyAt(all, b) / b);
        console.log(
          `AX650 NPU1 per-sample ms b1..b8: ${perSample.map((x) => x.toFixed(4)).join(", ")}`,
        );
        for (let i = 1; i < kept.length; i++) {
          assert.ok(perSample[i] < perSample[i - 1], `b${kept[i]} kept without improving`);
        }
        if (kept.length < 4) {
          const next = kept.length;
          assert.ok(
            !(perSample[next] < perSample[next - 1]),
            `b${[1, 2, 4, 8][next]} improves per-sample latency but was not kept`,
          );
        }
      },
    );

    await t.step(
      "--batch_size 3 and 9 equal per-sample runs, split greedily over the kept batches",
      async () => {
        const singles = await singleRuns(result.compiledModel, dir);
        await assertBatchRuns(result.compiledModel, dir, kept, 3, singles);
        await assertBatchRuns(result.compiledModel, dir, kept, 9, singles);
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- 5. bad inputs ----------------------------------------------------------------------

/** `axb build` with fixture `name` (paths made absolute) into a fresh output directory. */
async function badBuild(
  name: string,
  extra: string[] = [],
): Promise<{ code: number; stderr: string; out: string; cfg: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "axb_accept_bad_" });
  const cfg = join(dir, name);
  await Deno.writeTextFile(cfg, JSON.stringify(await fixtureConfig(name), null, 2));
  const out = join(dir, "out");
  const r = await runCli([
    "build",
    "--input",
    MOBILENET,
    "--output_dir",
    out,
    "--config",
    cfg,
    "--quiet",
    ...extra,
  ]);
  return { code: r.code, stderr: r.stderr, out, cfg, dir };
}

Deno.test("axb build exits 2 naming the field or file for a bad target, npu_mode or calibration archive, writing no compiled.axmodel", async (t) => {
  const dirs: string[] = [];
  try {
    await t.step("unknown target_hardware in the config file", async () => {
      const r = await badBuild("bad_target_hardware.json");
      dirs.push(r.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /target_hardware/);
      assert.match(r.stderr, /AX999/);
      assert.ok(r.stderr.includes(r.cfg), r.stderr);
      assert.equal(await exists(join(r.out, "compiled.axmodel")), false);
    });
    await t.step("unknown --target_hardware on the command line", async () => {
      const r = await badBuild("mobilenet_v2.json", ["--target_hardware", "AX999"]);
      dirs.push(r.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /target_hardware/);
      assert.equal(await exists(join(r.out, "compiled.axmodel")), false);
    });
    await t.step("npu_mode NPU3 on AX620E", async () => {
      const r = await badBuild("bad_npu_mode.json");
      dirs.push(r.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /npu_mode/);
      assert.match(r.stderr, /NPU3/);
      assert.match(r.stderr, /AX620E/);
      assert.equal(await exists(join(r.out, "compiled.axmodel")), false);
    });
    await t.step("a calibration archive that does not exist", async () => {
      const r = await badBuild("missing_calibration.json");
      dirs.push(r.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /no_such_dir\/missing_calibration\.tar/);
      assert.equal(await exists(join(r.out, "compiled.axmodel")), false);
      assert.equal(await exists(join(r.out, "quant", "quant_axmodel.onnx")), false);
    });
  } finally {
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});
