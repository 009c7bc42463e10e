import { strict as assert } from "node:assert";
import { join } from "node:path";
import { encode as encodeJpeg } from "jpeg-js";
import type { HorizonInput } from "../../config/horizon/types.ts";
import { type HorizonInputPlan, planHorizonInputs } from "./input_plan.ts";
import { listCalibrationFiles, readCalibrationSample } from "./calibration_data.ts";
import { preprocessAffine } from "./original_model.ts";

const RGB: HorizonInput = {
  name: "data",
  typeTrain: "rgb",
  typeRt: "rgb",
  layoutTrain: "NCHW",
  normType: "data_mean_and_scale",
  mean: [10, 20, 30],
  scale: [0.5],
  spaceAndRange: "regular",
  source: "ddr",
};

function plan(inp: Partial<HorizonInput>, shape = [1, 3, 2, 2]): HorizonInputPlan {
  return planHorizonInputs([{ ...RGB, ...inp }], [{ name: "data", dims: shape }])[0];
}

const CAL = {
  cal_data_dir: [],
  preprocess_on: false,
  calibration_type: "max" as const,
  max_percentile: 1,
  per_channel: false,
  run_on_cpu: [],
  run_on_bpu: [],
  optimization: [],
};

/** Write one uint8 NCHW sample of 2×2 pixels, every pixel `px`. */
async function onePixelSample(dir: string, px: number[]): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(join(dir, "s.rgb"), Uint8Array.from(px.flatMap((v) => [v, v, v, v])));
}

Deno.test("readCalibrationSample() gives RGB − 128 for an rgb runtime input", async () => {
  const dir = await Deno.makeTempDir();
  const p = plan({ calDataDir: dir });
  await onePixelSample(dir, [200, 50, 10]);
  const s = await readCalibrationSample(await listCalibrationFiles([p], CAL), 0, false);
  assert.deepEqual([...s.get("data")!.data].filter((_, i) => i % 4 === 0), [72, -78, -118]);
});

Deno.test("readCalibrationSample() converts RGB to YUV444 − 128 (BT.601 full range) for nv12", async () => {
  const dir = await Deno.makeTempDir();
  const p = plan({ calDataDir: dir, typeRt: "nv12" });
  // gray 100 → Y 100, U V 128; red 255 → Y 76.2, U 85.0, V 255.5 (clamped to 255)
  await onePixelSample(dir, [100, 100, 100]);
  const gray = await readCalibrationSample(await listCalibrationFiles([p], CAL), 0, false);
  assert.deepEqual([...gray.get("data")!.data].filter((_, i) => i % 4 === 0), [-28, 0, 0]);
  await onePixelSample(dir, [255, 0, 0]);
  const red = await readCalibrationSample(await listCalibrationFiles([p], CAL), 0, false);
  assert.deepEqual([...red.get("data")!.data].filter((_, i) => i % 4 === 0), [-52, -43, 127]);
});

Deno.test("readCalibrationSample() decodes and resizes images with preprocess_on", async () => {
  const dir = await Deno.makeTempDir();
  const w = 40;
  const data = new Uint8Array(w * w * 4);
  for (let i = 0; i < w * w; i++) data.set([200, 50, 10, 255], 4 * i);
  await Deno.writeFile(join(dir, "a.jpg"), encodeJpeg({ data, width: w, height: w }, 95).data);
  const p = plan({ calDataDir: dir }, [1, 3, 32, 32]);
  const s = await readCalibrationSample(
    await listCalibrationFiles([p], { ...CAL, preprocess_on: true }),
    0,
    true,
  );
  const t = s.get("data")!;
  assert.deepEqual(t.shape, [1, 3, 32, 32]);
  [72, -78, -118].forEach((v, c) =>
    assert.ok(Math.abs(Number(t.data[c * 1024 + 500]) - v) <= 4, `${c}`)
  );
});

Deno.test("preprocessAffine() undoes the −128 and applies (x − mean) · scale", () => {
  const { w, b } = preprocessAffine(plan({}));
  assert.deepEqual(w, [[0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5]]);
  // (x + 128 − mean) · 0.5
  assert.deepEqual(b, [59, 54, 49]);
});

Deno.test("planHorizonInputs() refuses an odd NV12 side, naming input_type_rt", () => {
  assert.throws(
    () => plan({ typeRt: "nv12" }, [1, 3, 223, 224]),
    /input_parameters\.input_type_rt: 'nv12' needs even height and width, but input "data" is 223x224/,
  );
});
