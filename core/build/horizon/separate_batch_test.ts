import { strict as assert } from "node:assert";
import { join } from "node:path";
import { horizonToBuildConfig, parseHorizonConfig } from "../../config/horizon/mod.ts";
import { convertHorizon } from "../../cli/horizon_convert.ts";
import { readCompiledModel } from "../../container/decode.ts";
import { runCompiled } from "../../container/runtime.ts";
import { asFloat32, Tensor } from "../../ir/tensor.ts";
import { GraphError } from "../../errors/mod.ts";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";
import { tinyYaml, writeTinyCalibration } from "./_testing.ts";
import { withSeparateBatch } from "./separate_batch.ts";

const targets = new TargetRegistry(builtinTargets());

/** The .hbm of the tiny CNN for nash-e with input_batch 2. */
async function hbm(separate: boolean): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "axb_hz_sep_" });
  await writeTinyCalibration(join(dir, "cal"), 4);
  const yaml = join(dir, "tiny.yaml");
  await Deno.writeTextFile(
    yaml,
    tinyYaml({ march: "nash-e", calDir: join(dir, "cal"), workingDir: join(dir, "out") })
      .replace(
        "  input_name: 'input'",
        `  input_name: 'input'\n  input_batch: 2\n  separate_batch: ${separate ? "True" : "False"}`,
      ),
  );
  const h = parseHorizonConfig(yaml, { targets, tool: "hb_compile" });
  const quiet = { stdout: () => {}, stderr: () => {}, debug: false };
  const r = await convertHorizon(horizonToBuildConfig(h, targets), quiet, {
    targets,
    logFile: join(dir, "convert.log"),
    command: "hb_compile",
  });
  return r.container ?? "";
}

/** A seeded NCHW uint8 image of 3×32×32. */
function image(seed: number): Uint8Array {
  return Uint8Array.from({ length: 3 * 32 * 32 }, (_, i) => (i * 17 + seed * 89) % 256);
}

Deno.test("withSeparateBatch() gives the .hbm one 1×… input per batch item that computes like the contiguous batch", async () => {
  const together = await readCompiledModel(await hbm(false));
  const apart = await readCompiledModel(await hbm(true));
  assert.deepEqual(together.groups[0].inputs.map((v) => v.name), ["input"]);
  assert.deepEqual(
    apart.groups[0].inputs.map((v) => [v.name, v.type && "shape" in v.type && v.type.shape]),
    [["input_batch_0", [1, 3, 32, 32]], ["input_batch_1", [1, 3, 32, 32]]],
  );
  const cpuParts = (cm: typeof apart) => cm.groups[0].subgraphs.filter((s) => s.kind === "cpu");
  const head = cpuParts(apart)[0];
  assert.equal(head.kind === "cpu" && head.nodes[0].opType, "Concat");
  assert.deepEqual(
    cpuParts(apart).map((s) => s.name),
    [...cpuParts(together), head].map((_, i) => `subgraph_cpu_${i}`),
    "CPU parts stay numbered in order",
  );
  const a = image(1);
  const b = image(2);
  const both = new Uint8Array(a.length * 2);
  both.set(a);
  both.set(b, a.length);
  const one = runCompiled(together, new Map([["input", new Tensor("u8", [2, 3, 32, 32], both)]]));
  const two = runCompiled(
    apart,
    new Map([
      ["input_batch_0", new Tensor("u8", [1, 3, 32, 32], a)],
      ["input_batch_1", new Tensor("u8", [1, 3, 32, 32], b)],
    ]),
  );
  const want = asFloat32(one.outputs.get("prob")!);
  const got = asFloat32(two.outputs.get("prob")!);
  assert.equal(want.length, 20);
  assert.deepEqual([...got], [...want]);
  // the two samples differ, so a swapped or duplicated input would show
  assert.notDeepEqual([...got.slice(0, 10)], [...got.slice(10)]);
});

Deno.test("withSeparateBatch() refuses an input the compiled model lacks", async () => {
  const cm = await readCompiledModel(await hbm(false));
  assert.throws(() => withSeparateBatch(cm, "image", 2), GraphError);
  assert.throws(() => withSeparateBatch(cm, "input", 4), GraphError);
});
