import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { horizonToBuildConfig, parseHorizonConfig } from "../../config/horizon/mod.ts";
import { convertHorizon } from "../../cli/horizon_convert.ts";
import { readCompiledModel } from "../../container/decode.ts";
import type { CompiledModel } from "../../compile/types.ts";
import { runCompiled } from "../../container/runtime.ts";
import { Tensor } from "../../ir/tensor.ts";
import { loadModel } from "../../onnx/load.ts";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";
import { tinyYaml, writeTinyCalibration } from "./_testing.ts";

// The host ONNX artifacts of a Horizon conversion in plain onnxruntime with its default
// options (one module per process, as onnxruntime-node requires), against the emulated
// container. The artifacts store int8 weights as uint8 + 128 so that onnxruntime's fused
// integer kernels are exact on every CPU (`withUnsignedWeights`).

const targets = new TargetRegistry(builtinTargets());

async function convert(
  tool: "hb_mapper" | "hb_compile",
  march: string,
  rt = "rgb",
  modelExtra: readonly string[] = [],
  quantConfig?: unknown,
  calibrationExtra: readonly string[] = [],
) {
  const dir = await Deno.makeTempDir({ prefix: "axb_hz_ort_" });
  await writeTinyCalibration(join(dir, "cal"), 6);
  if (quantConfig) await Deno.writeTextFile(join(dir, "qc.json"), JSON.stringify(quantConfig));
  const yaml = join(dir, "tiny.yaml");
  await Deno.writeTextFile(
    yaml,
    tinyYaml({
      march,
      rt,
      calDir: join(dir, "cal"),
      workingDir: join(dir, "out"),
      layoutRt: march === "bernoulli2" && rt === "rgb" ? "NHWC" : undefined,
      // the logits: a Gemm tail that keeps its 32-bit accumulator
      modelExtra: ["  output_nodes: 'fc'", ...modelExtra],
      calibrationExtra: [
        ...(quantConfig ? ["  quant_config: './qc.json'"] : []),
        ...calibrationExtra,
      ],
    }),
  );
  const h = parseHorizonConfig(yaml, { targets, tool });
  const quiet = { stdout: () => {}, stderr: () => {}, debug: false };
  return await convertHorizon(horizonToBuildConfig(h, targets), quiet, {
    targets,
    logFile: join(dir, "convert.log"),
    command: tool,
  });
}

/** A seeded HWC uint8 image of 32×32. */
function image(seed: number): Uint8Array {
  return Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 13 + seed * 101 + (i >> 5)) % 256);
}

/** NCHW uint8 of an HWC image of 32×32. */
function planar(hwc: Uint8Array): Uint8Array {
  return Uint8Array.from(
    { length: hwc.length },
    (_, i) => hwc[(i % 1024) * 3 + Math.floor(i / 1024)],
  );
}

/**
 * Over four images, the container's `logits` (runtime input: uint8 NHWC on bernoulli2, planar
 * on nash) are within one int8 step of the output's calibrated `threshold` of the host ONNX's
 * (int8 NHWC input in onnxruntime) on at least 99 % of the elements.
 */
async function assertHostMatchesContainer(
  session: ort.InferenceSession,
  cm: CompiledModel,
  march: string,
  threshold: number,
): Promise<void> {
  const lsb = threshold / 127;
  let within = 0;
  let total = 0;
  for (let seed = 0; seed < 4; seed++) {
    const hwc = image(seed);
    const host = new ort.Tensor("int8", Int8Array.from(hwc, (v) => v - 128), [1, 32, 32, 3]);
    const got = (await session.run({ input: host }))[session.outputNames[0]];
    assert.ok(got.data instanceof Float32Array);
    const runtime = march === "bernoulli2"
      ? new Tensor("u8", [1, 32, 32, 3], Uint8Array.from(hwc))
      : new Tensor("u8", [1, 3, 32, 32], planar(hwc));
    const emu = runCompiled(cm, new Map([["input", runtime]])).outputs.get("logits");
    assert.ok(emu);
    for (let i = 0; i < got.data.length; i++) {
      total++;
      if (Math.abs(Number(emu.data[i]) - got.data[i]) <= lsb * 1.0001) within++;
    }
  }
  assert.ok(within / total >= 0.99, `${within}/${total} within 1 LSB (${lsb})`);
}

for (const [tool, march] of [["hb_mapper", "bernoulli2"], ["hb_compile", "nash-e"]] as const) {
  Deno.test(`${tool} ${march}: the host ONNX takes int8 NHWC in onnxruntime and matches the container within 1 LSB`, async () => {
    const r = await convert(tool, march);
    const session = await ort.InferenceSession.create(r.quantizedOnnx);
    assert.deepEqual(session.inputNames, ["input"]);
    const cm = await readCompiledModel(r.container ?? "");
    // one int8 step of the output's calibrated range
    await assertHostMatchesContainer(session, cm, march, r.similarity[0].threshold);
  });
}

Deno.test("hb_mapper bernoulli2 nv12: the container decodes NV12 bytes like the host ONNX's YUV444 input", async () => {
  const r = await convert("hb_mapper", "bernoulli2", "nv12");
  const session = await ort.InferenceSession.create(r.quantizedOnnx);
  const cm = await readCompiledModel(r.container ?? "");
  const lsb = r.similarity[0].threshold / 127;
  let within = 0;
  let total = 0;
  for (let seed = 0; seed < 4; seed++) {
    // NV12: a 32×32 Y plane, then 16 rows of interleaved U V pairs (one per 2×2 block)
    const nv12 = Uint8Array.from({ length: 48 * 32 }, (_, i) => (i * 29 + seed * 57) % 256);
    const yuv444 = new Int8Array(32 * 32 * 3);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const c = 32 * 32 + (y >> 1) * 32 + 2 * (x >> 1);
        const at = 3 * (y * 32 + x);
        yuv444[at] = nv12[y * 32 + x] - 128;
        yuv444[at + 1] = nv12[c] - 128;
        yuv444[at + 2] = nv12[c + 1] - 128;
      }
    }
    const host = new ort.Tensor("int8", yuv444, [1, 32, 32, 3]);
    const got = (await session.run({ input: host }))[session.outputNames[0]];
    assert.ok(got.data instanceof Float32Array);
    const runtime = new Tensor("u8", [1, 48, 32, 1], nv12);
    const emu = runCompiled(cm, new Map([["input", runtime]])).outputs.get("logits");
    assert.ok(emu);
    for (let i = 0; i < got.data.length; i++) {
      total++;
      if (Math.abs(Number(emu.data[i]) - got.data[i]) <= lsb * 1.0001) within++;
    }
  }
  assert.ok(within / total >= 0.99, `${within}/${total} within 1 LSB (${lsb})`);
});

Deno.test("hb_compile nash-e float16 quant_config: the ptq ONNX rounds through float16 like the container, within 1 LSB", async () => {
  const r = await convert("hb_compile", "nash-e", "rgb", [], {
    node_config: { conv2: { type: "float16" } },
  });
  const session = await ort.InferenceSession.create(r.quantizedOnnx);
  const ptq = await loadModel(r.quantizedOnnx);
  const toHalf = ptq.graph.nodes.filter((n) =>
    n.opType === "Cast" && n.attrs.get("to")?.value === 10
  );
  assert.equal(toHalf.length, 2, "conv2's input and output go through float16");
  const cm = await readCompiledModel(r.container ?? "");
  const compiledHalf = cm.groups[0].subgraphs.flatMap((p) =>
    (p.kind === "npu" ? p.program.graph.nodes : p.nodes).filter((n) =>
      n.opType === "Cast" && n.attrs.get("to")?.value === 10
    )
  );
  assert.equal(compiledHalf.length, 2, "the container computes the same float16 rounding");
  await assertHostMatchesContainer(session, cm, "nash-e", r.similarity[0].threshold);
});

for (const [tool, march] of [["hb_mapper", "bernoulli2"], ["hb_compile", "nash-e"]] as const) {
  Deno.test(`${tool} ${march} per_channel: per-axis feature maps in the host ONNX match the container within 1 LSB`, async () => {
    const r = await convert(tool, march, "rgb", [], undefined, ["  per_channel: True"]);
    const onnx = await loadModel(r.quantizedOnnx);
    const perAxis = onnx.graph.nodes.filter((n) =>
      n.opType === "QuantizeLinear" && n.attrs.has("axis") &&
      (onnx.graph.initializers.get(n.inputs[1])?.size ?? 0) > 1
    );
    // few feature maps of the tiny CNN lie between Convs only (its Relu outputs feed pools)
    assert.ok(perAxis.length >= 1, `${perAxis.length} per-channel feature maps`);
    const session = await ort.InferenceSession.create(r.quantizedOnnx);
    const cm = await readCompiledModel(r.container ?? "");
    await assertHostMatchesContainer(session, cm, march, r.similarity[0].threshold);
  });
}
