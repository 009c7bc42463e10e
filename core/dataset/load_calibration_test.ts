import { strict as assert } from "node:assert";
import { join } from "node:path";
import { zipSync } from "fflate";
import { createTar } from "nanotar";
import {
  defaultInputProcessor,
  type InputProcessor,
  type InputQuantConfig,
} from "../config/build_config.ts";
import type { ValueInfo } from "../ir/graph.ts";
import type { DType } from "../ir/dtype.ts";
import type { Dim } from "../ir/types.ts";
import { encodeNpy } from "../io/npy.ts";
import { f32 } from "../ir/tensor.ts";
import { createLogger } from "../util/log.ts";
import { ConfigError, InputDataError } from "../errors/mod.ts";
import { openDataset } from "./archive.ts";
import { decodeImage } from "./image.ts";
import { loadCalibrationSet } from "./load_calibration.ts";

const CALIB = "/work/shared/calib";
const IMAGENET_MEAN = [123.675, 116.28, 103.53];
const IMAGENET_STD = [58.395, 57.12, 57.375];

function cfg(o: Partial<InputQuantConfig>): InputQuantConfig {
  return {
    tensor_name: "DEFAULT",
    calibration_dataset: "",
    calibration_format: "Image",
    calibration_size: 32,
    calibration_mean: [],
    calibration_std: [],
    ...o,
  };
}

function proc(o: Partial<InputProcessor>): InputProcessor {
  return { ...defaultInputProcessor(), tensor_name: "DEFAULT", ...o };
}

function input(name: string, dtype: DType, shape: Dim[]): ValueInfo {
  return { name, type: { dtype, shape } };
}

async function writeTemp(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(await Deno.makeTempDir({ prefix: "axb_calib_" }), name);
  await Deno.writeFile(path, bytes);
  return path;
}

/** A tar of raw float32 files, each holding its index as every value. */
async function indexedBinTar(names: string[], size: number): Promise<string> {
  const files = names.map((name, i) => ({
    name,
    data: new Uint8Array(new Float32Array(size).fill(i + 1).buffer),
  }));
  return await writeTemp("set.tar", createTar(files));
}

Deno.test("loadCalibrationSet() loads images-32.tar normalised with ImageNet mean/std", async () => {
  const work = await Deno.makeTempDir({ prefix: "axb_calib_work_" });
  const lines: string[] = [];
  const progress: number[][] = [];
  const set = await loadCalibrationSet(
    [cfg({
      calibration_dataset: `${CALIB}/images-32.tar`,
      calibration_mean: IMAGENET_MEAN,
      calibration_std: IMAGENET_STD,
    })],
    [input("input", "f32", [1, 3, 224, 224])],
    {
      processors: [proc({ tensor_format: "RGB" })],
      workDir: work,
      log: createLogger({ sink: (l) => lines.push(l) }),
      onProgress: (d, t) => progress.push([d, t]),
    },
  );
  assert.deepEqual(set.inputNames, ["input"]);
  assert.equal(set.samples.length, 32);
  const first = set.samples[0].get("input");
  assert.ok(first?.is("f32"));
  assert.deepEqual(first.shape, [1, 3, 224, 224]);

  // First pixel, normalised by hand from the decoded file.
  const files = (await openDataset(`${CALIB}/images-32.tar`)).files;
  const px = decodeImage(files[0].bytes, files[0].name).data;
  const plane = 224 * 224;
  for (let c = 0; c < 3; c++) {
    const want = (px[c] - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
    assert.ok(Math.abs(first.data[c * plane] - want) < 1e-5, `channel ${c}`);
  }
  // Per-channel means over all 32 samples of natural images lie near 0 after normalisation.
  for (let c = 0; c < 3; c++) {
    let s = 0;
    for (const sample of set.samples) {
      const d = sample.get("input")?.data as Float32Array;
      for (let i = c * plane; i < (c + 1) * plane; i++) s += d[i];
    }
    const m = s / (32 * plane);
    assert.ok(m > -1.5 && m < 1.5, `channel ${c} mean ${m}`);
  }
  assert.deepEqual(progress.at(-1), [32, 32]);
  assert.equal(progress.length, 32);
  const dir = join(work, "quant", "dataset", "input");
  assert.ok((await Deno.stat(join(dir, "0031.jpg"))).isFile);
  assert.deepEqual(set.source, [{
    input: "input",
    shape: [1, 3, 224, 224],
    datasetDirectory: dir,
    dataFormat: "Image",
    tensorFormat: "RGB",
    mean: IMAGENET_MEAN.map(Math.fround),
    std: IMAGENET_STD.map(Math.fround),
  }]);
  assert.ok(lines[0].endsWith(`extract [${CALIB}/images-32.tar] to [${dir}]...`), lines[0]);
  assert.ok(lines[1].endsWith("| INFO     | 32 File(s) Loaded."), lines[1]);
});

Deno.test("loadCalibrationSet() reads BGR order and uint8 NHWC inputs without normalising", async () => {
  const files = (await openDataset(`${CALIB}/images-32.tar`)).files;
  const px = decodeImage(files[0].bytes, files[0].name).data;
  const bgr = await loadCalibrationSet(
    [cfg({ calibration_dataset: `${CALIB}/images-32.tar`, calibration_size: 1 })],
    [input("x", "f32", ["N", 3, 224, 224])],
    { processors: [proc({ tensor_format: "BGR" })] },
  );
  const t = bgr.samples[0].get("x")?.data as Float32Array;
  assert.deepEqual([t[0], t[224 * 224], t[2 * 224 * 224]], [px[2], px[1], px[0]]);
  // NHWC uint8 model; the processor's default NCHW layout cannot fit [1, 224, 224, 3].
  const u8 = await loadCalibrationSet(
    [cfg({ calibration_dataset: `${CALIB}/images-32.tar`, calibration_size: 1 })],
    [input("x", "u8", [1, 224, 224, 3])],
    { processors: [proc({})] },
  );
  const u = u8.samples[0].get("x");
  assert.deepEqual([u?.dtype, u?.shape], ["u8", [1, 224, 224, 3]]);
  assert.deepEqual(u?.data, px);
});

Deno.test("loadCalibrationSet() resizes images to a smaller input", async () => {
  const set = await loadCalibrationSet(
    [cfg({ calibration_dataset: `${CALIB}/images-32.tar`, calibration_size: 2 })],
    [input("x", "f32", [1, 1, 112, 112])],
  );
  assert.deepEqual(set.samples[1].get("x")?.shape, [1, 1, 112, 112]);
  assert.equal(set.source[0].tensorFormat, "AutoColorSpace");
});

Deno.test("loadCalibrationSet() loads npy-32.tar as Numpy and refuses a wrong shape or dtype", async () => {
  const numpy = cfg({ calibration_dataset: `${CALIB}/npy-32.tar`, calibration_format: "Numpy" });
  const set = await loadCalibrationSet([numpy], [input("images", "f32", ["batch", 3, 224, 224])]);
  assert.equal(set.samples.length, 32);
  assert.deepEqual(set.samples[31].get("images")?.shape, [1, 3, 224, 224]);
  await assert.rejects(
    loadCalibrationSet([numpy], [input("images", "f32", [1, 3, 112, 112])]),
    (e: Error) => {
      assert.ok(e instanceof InputDataError);
      assert.match(e.message, /"0000\.npy"/);
      assert.match(e.message, /is float32 \[1, 3, 224, 224\], expected float32 \[1, 3, 112, 112\]/);
      return true;
    },
  );
  await assert.rejects(
    loadCalibrationSet([numpy], [input("images", "f16", [1, 3, 224, 224])]),
    /expected float16 \[1, 3, 224, 224\]/,
  );
});

Deno.test("loadCalibrationSet() loads bin-32.tar as Binary and refuses a wrong size", async () => {
  const bin = cfg({ calibration_dataset: `${CALIB}/bin-32.tar`, calibration_format: "Binary" });
  const set = await loadCalibrationSet([bin], [input("rgb", "u8", [1, 224, 224, 3])]);
  assert.equal(set.samples.length, 32);
  const t = set.samples[0].get("rgb");
  assert.deepEqual([t?.dtype, t?.shape], ["u8", [1, 224, 224, 3]]);
  await assert.rejects(
    loadCalibrationSet([bin], [input("rgb", "u8", [1, 3, 112, 112])]),
    (e: Error) =>
      e instanceof InputDataError &&
      /"0000\.bin".* holds 150528 bytes, which is not uint8 \[1, 3, 112, 112\] \(37632 bytes\)/
        .test(e.message),
  );
  await assert.rejects(
    loadCalibrationSet([bin], [input("rgb", "f32", [1, 224, 224, 3])]),
    /holds 150528 bytes, which is not float32/,
  );
});

Deno.test("loadCalibrationSet() honours calibration_size -1, 5 and 100 in sorted name order", async () => {
  const names = ["c.bin", "a.bin", "b.bin", "e.bin", "d.bin", "f.bin", "g.bin"];
  const path = await indexedBinTar(names, 2);
  const x = [input("x", "f32", [1, 2])];
  const firstValues = async (size: number) => {
    const set = await loadCalibrationSet(
      [cfg({ calibration_dataset: path, calibration_format: "Binary", calibration_size: size })],
      x,
    );
    return set.samples.map((s) => (s.get("x")?.data as Float32Array)[0]);
  };
  // values are 1 + the index in `names`; sorted a..g → 2, 3, 1, 5, 4, 6, 7
  assert.deepEqual(await firstValues(-1), [2, 3, 1, 5, 4, 6, 7]);
  assert.deepEqual(await firstValues(5), [2, 3, 1, 5, 4]);
  assert.deepEqual(await firstValues(100), [2, 3, 1, 5, 4, 6, 7]);
  const bins = await loadCalibrationSet(
    [cfg({
      calibration_dataset: `${CALIB}/bin-32.tar`,
      calibration_format: "Binary",
      calibration_size: -1,
    })],
    [input("rgb", "u8", [1, 224, 224, 3])],
  );
  assert.equal(bins.samples.length, 32);
});

Deno.test("loadCalibrationSet() pairs multi-input samples by file name stem", async () => {
  const a = await indexedBinTar(["0002.bin", "0001.bin", "0003.bin"], 2);
  const zip = zipSync({
    "b/0003.bin": new Uint8Array(new Float32Array([30, 30, 30]).buffer),
    "b/0001.bin": new Uint8Array(new Float32Array([10, 10, 10]).buffer),
    "b/0002.bin": new Uint8Array(new Float32Array([20, 20, 20]).buffer),
    "b/0004.bin": new Uint8Array(new Float32Array([40, 40, 40]).buffer),
  });
  const b = await writeTemp("b.zip", zip);
  const inputs = [input("a", "f32", [1, 2]), input("b", "f32", [1, 3])];
  const configs = [
    cfg({ tensor_name: "b", calibration_dataset: b, calibration_format: "Binary" }),
    cfg({ tensor_name: "DEFAULT", calibration_dataset: a, calibration_format: "Binary" }),
  ];
  const set = await loadCalibrationSet(configs, inputs);
  assert.deepEqual(set.inputNames, ["a", "b"]);
  const pairs = set.samples.map((s) => [
    (s.get("a")?.data as Float32Array)[0],
    (s.get("b")?.data as Float32Array)[0],
  ]);
  // a/0001 holds 2, a/0002 holds 1, a/0003 holds 3
  assert.deepEqual(pairs, [[2, 10], [1, 20], [3, 30]]);

  const short = await writeTemp("s.zip", zipSync({ "0001.bin": zip.subarray(0, 0) }));
  await assert.rejects(
    loadCalibrationSet([configs[1], { ...configs[0], calibration_dataset: short }], inputs),
    (e: Error) =>
      e instanceof InputDataError &&
      /Calibration file "0002" of input "a" has no partner in the dataset ".*s\.zip" of input "b"/
        .test(e.message),
  );
});

Deno.test("loadCalibrationSet() reads NumpyObject .npz and pickled-dict files for every input", async () => {
  const npz = (k: number) =>
    zipSync({
      "rgb.npy": encodeNpy(f32([1, 2], [k, k])),
      "emb.npy": encodeNpy(f32([1, 3], [k, 0, -k])),
    });
  const pickled = await Deno.readFile(
    new URL("../../testdata/dataset/np_save_dict_p4.npy", import.meta.url),
  );
  const path = await writeTemp(
    "obj.tar",
    createTar([
      { name: "s1.npz", data: npz(1) },
      { name: "s2.npz", data: npz(2) },
      { name: "notes.txt", data: "not data" },
    ]),
  );
  const set = await loadCalibrationSet(
    [cfg({ calibration_dataset: path, calibration_format: "NumpyObject" })],
    [input("rgb", "f32", [1, 2]), input("emb", "f32", [1, 3])],
  );
  assert.equal(set.samples.length, 2);
  assert.deepEqual([...(set.samples[1].get("emb")?.data as Float32Array)], [2, 0, -2]);
  assert.deepEqual([...(set.samples[0].get("rgb")?.data as Float32Array)], [1, 1]);

  const dir = await Deno.makeTempDir({ prefix: "axb_obj_" });
  await Deno.writeFile(join(dir, "0.npy"), pickled);
  const fromPickle = await loadCalibrationSet(
    [cfg({ calibration_dataset: dir, calibration_format: "NumpyObject" })],
    [input("rgb", "f32", [2, 2]), input("ids", "s64", [1, 3])],
  );
  assert.deepEqual([...(fromPickle.samples[0].get("rgb")?.data as Float32Array)], [
    0.5,
    1.5,
    2.5,
    3.5,
  ]);
  await assert.rejects(
    loadCalibrationSet(
      [cfg({ calibration_dataset: dir, calibration_format: "NumpyObject" })],
      [input("depth", "f32", [2, 2])],
    ),
    /"0\.npy".* has no entry for input "depth"; it holds "rgb", "ids"/,
  );
});

Deno.test("loadCalibrationSet() refuses missing, unknown and out-of-range configs", async () => {
  const ins = [input("a", "f32", [1, 2]), input("b", "f32", [1, 2])];
  await assert.rejects(
    loadCalibrationSet([cfg({ tensor_name: "a", calibration_dataset: "x.tar" })], ins),
    (e: Error) => e instanceof ConfigError && /for model input "b"/.test(e.message),
  );
  await assert.rejects(
    loadCalibrationSet([cfg({ tensor_name: "c", calibration_dataset: "x.tar" })], ins),
    (e: Error) =>
      e instanceof ConfigError && e.field === "quant.input_configs[0].tensor_name" &&
      /"c", which is not a model input; inputs are "a", "b"/.test(e.message),
  );
  await assert.rejects(
    loadCalibrationSet([cfg({ calibration_dataset: "x.tar", calibration_size: 0 })], ins),
    /calibration_size is 0; expected a positive integer or -1/,
  );
});
