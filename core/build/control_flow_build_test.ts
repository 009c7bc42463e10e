/**
 * The VAD-like fixture (testdata/models/vad_if_lstm.onnx: an If on the sample rate around
 * an LSTM) built for AX650: with `sr` pinned by a const processor the taken branch is
 * inlined and its LSTM placed per the AX650 operator table (LSTM is listed, no
 * sequence_lens, default activations: NPU); unpinned, the If stays on the CPU and the
 * placement says how to pin it.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runBuild } from "./build.ts";
import { resolveBuildConfig } from "../config/resolve.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { createLogger } from "../util/log.ts";
import { encodeNpy } from "../io/npy.ts";
import { f32, scalar, type Tensor } from "../ir/tensor.ts";
import type { PlacementRecord } from "../partition/placement_table.ts";

const ROOT = join(import.meta.dirname ?? ".", "../..");
const MODEL = join(ROOT, "testdata/models/vad_if_lstm.onnx");

async function writeCalibration(dir: string, withRate: boolean): Promise<void> {
  const inputs: [string, (k: number) => Tensor][] = [
    ["input", (k) => f32([1, 64], Array.from({ length: 64 }, (_, i) => Math.sin(i * (k + 1) / 5)))],
    ["h", (k) => f32([1, 1, 8], Array.from({ length: 8 }, (_, i) => Math.cos(i + k) / 2))],
    ["c", (k) => f32([1, 1, 8], Array.from({ length: 8 }, (_, i) => Math.sin(i - k) / 2))],
  ];
  if (withRate) inputs.push(["sr", () => scalar("s64", 16000n)]);
  for (const [name, sample] of inputs) {
    await Deno.mkdir(join(dir, name), { recursive: true });
    for (let k = 0; k < 4; k++) {
      await Deno.writeFile(join(dir, name, `${k}.npy`), encodeNpy(sample(k)));
    }
  }
}

async function build(dir: string, pin: boolean) {
  await writeCalibration(join(dir, "calib"), !pin);
  const names = pin ? ["input", "h", "c"] : ["input", "h", "c", "sr"];
  const raw = {
    input: MODEL,
    output_dir: join(dir, "out"),
    work_dir: join(dir, "out"),
    model_type: "ONNX",
    target_hardware: "AX650",
    const_processors: pin ? [{ name: "sr", data: [16000] }] : [],
    quant: {
      input_configs: names.map((n) => ({
        tensor_name: n,
        calibration_dataset: join(dir, "calib", n),
        calibration_format: "Numpy",
        calibration_size: -1,
      })),
      calibration_method: "MinMax",
      precision_analysis: false,
    },
    compiler: { check: pin ? 3 : 0 },
  };
  const targets = new TargetRegistry(builtinTargets());
  const { config } = await resolveBuildConfig({ raw }, { requireIo: true, targets });
  const result = await runBuild(config, {
    registry: defaultRegistry(),
    targets,
    log: createLogger({ quiet: true, sink: () => {} }),
    quiet: true,
  });
  const placement: PlacementRecord[] = JSON.parse(
    await Deno.readTextFile(join(dir, "out/compiler/placement.json")),
  );
  return { result, placement };
}

Deno.test("runBuild() inlines the 16 kHz LSTM branch of a pinned sample rate and places LSTM on the AX650 NPU", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb-vad-" });
  try {
    const { result, placement } = await build(dir, true);
    assert.ok(!placement.some((p) => p.type === "If"), "no If is left");
    const lstm = placement.find((p) => p.type === "LSTM");
    assert.equal(lstm?.node, "rate_switch/then/k16_lstm");
    assert.equal(lstm?.on, "NPU");
    assert.ok(placement.every((p) => p.on === "NPU"), JSON.stringify(placement));
    assert.ok(result.checks.length > 0 && result.checks.every((c) => c.passed));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runBuild() keeps an unpinned If on the CPU and its placement says to pin sr", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb-vad-" });
  try {
    const { placement } = await build(dir, false);
    const ifRow = placement.find((p) => p.type === "If");
    assert.equal(ifRow?.on, "CPU");
    assert.match(
      ifRow?.reason ?? "",
      /If stays on the CPU: condition "cond" depends on input "sr"; pin it with a const processor/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
