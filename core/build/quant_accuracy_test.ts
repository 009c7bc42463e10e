/**
 * Acceptance of the quantization issue: models from ../shared/models calibrated with
 * MinMax on the first 24 images of ../shared/calib/images-32.tar keep their final
 * output close to the float model on the 8 images that were not in the calibration set
 * (cosine >= 0.99; tiny_vit >= 0.98 with U16 LayerNormalization/Softmax), and
 * onnxruntime running the QDQ export agrees with the integer reference emulator.
 *
 * onnxruntime fuses the QDQ pattern into integer kernels (QLinearConv, …). Its x86 AVX2
 * kernel for uint8 activations × int8 weights sums pairs of products in int16 with
 * saturation (`vpmaddubsw`; onnxruntime issue #16105), so on CPUs without AVX-512 VNNI its
 * u8×s8 results are not exact. Its u8×u8 kernels are exact on every CPU, so the session
 * is given the same file with each S8 weight stored as U8 with zero point 128: the same
 * real values, the same meaning, computed exactly.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { evaluateQuantization } from "./quant_eval.ts";
import { toQdqModel } from "../quant/qdq_export.ts";
import { fromQdqModel } from "../quant/qdq_import.ts";
import { QuantEmulator } from "../quant/emulator.ts";
import { activationParams } from "../quant/quant_model.ts";
import { encodeModel } from "../onnx/save.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { loadCalibrationSet } from "../dataset/load_calibration.ts";
import { asFloat32, Tensor } from "../ir/tensor.ts";
import type { Model } from "../ir/graph.ts";

const SHARED = join(import.meta.dirname ?? ".", "../../../shared");
const DATASET = join(SHARED, "calib/images-32.tar");

/**
 * `agreement`: the share of output codes that must equal onnxruntime's. For the U8 CNNs
 * every operator is an integer kernel whose arithmetic matches onnxruntime's QDQ
 * realisation, so agreement is exact. tiny_vit runs LayerNormalization, Softmax and
 * Gelu as float operators between U16 quantizers; float summation order differs from
 * onnxruntime's at near-ties of the 16-bit grid, so a few codes differ by 1 LSB.
 */
const CASES: { name: string; floor: number; agreement: number; u16?: boolean }[] = [
  { name: "mobilenet_v2", floor: 0.99, agreement: 0.99 },
  { name: "resnet18", floor: 0.99, agreement: 0.99 },
  { name: "squeezenet1_1", floor: 0.99, agreement: 0.99 },
  { name: "tiny_vit", floor: 0.98, agreement: 0.9, u16: true },
];

/**
 * `model` (a QDQ model) with every S8 initializer behind a DequantizeLinear re-encoded as
 * U8 codes and zero points shifted by 128: identical dequantized values.
 */
function withUnsignedWeights(model: Model): Model {
  const g = model.graph;
  const shifted = (t: Tensor) => {
    const v = t.data as Int8Array;
    return new Tensor("u8", t.shape, Uint8Array.from(v, (x) => x + 128));
  };
  for (const n of g.nodes) {
    if (n.opType !== "DequantizeLinear" || n.domain !== "") continue;
    const [codes, , zp] = n.inputs;
    const w = g.initializers.get(codes);
    const z = zp ? g.initializers.get(zp) : undefined;
    if (w?.dtype !== "s8" || !z) continue;
    g.initializers.set(codes, shifted(w));
    g.initializers.set(zp, shifted(z));
  }
  return model;
}

for (const c of CASES) {
  Deno.test(`quantized ${c.name} (MinMax) keeps cosine >= ${c.floor} on held-out images and agrees with onnxruntime`, async () => {
    const [r] = await evaluateQuantization({
      model: join(SHARED, "models", `${c.name}.onnx`),
      dataset: DATASET,
      calibrationSize: 24,
      methods: ["MinMax"],
      layerConfigs: c.u16
        ? [{ op_types: ["LayerNormalization", "Softmax"], data_type: "U16" }]
        : [],
    });
    assert.equal(r.heldOut, 8);
    assert.ok(r.minCosine >= c.floor, `worst held-out cosine ${r.minCosine}`);

    // onnxruntime on the QDQ file vs our integer reference, in the integer domain
    const qdq = toQdqModel(r.quant);
    const session = await ort.InferenceSession.create(
      encodeModel(withUnsignedWeights(toQdqModel(r.quant))),
    );
    const back = fromQdqModel(qdq);
    const emu = new QuantEmulator(back, defaultRegistry());
    const data = await loadCalibrationSet(
      [{
        tensor_name: "DEFAULT",
        calibration_dataset: DATASET,
        calibration_format: "Image",
        calibration_size: -1,
        calibration_mean: [123.675, 116.28, 103.53],
        calibration_std: [58.395, 57.12, 57.375],
      }],
      qdq.graph.runtimeInputs,
      {},
    );
    let same = 0;
    let total = 0;
    let worst = 0;
    for (const feeds of data.samples.slice(28)) {
      const ours = emu.runCodes(feeds);
      const x = feeds.get("input")!;
      const theirs = await session.run({
        input: new ort.Tensor("float32", asFloat32(x), [...x.shape]),
      });
      for (const o of qdq.graph.outputs) {
        const p = activationParams(back, o.name);
        assert.ok(p, `output ${o.name} is quantized`);
        const a = asFloat32(ours.get(o.name)!);
        const b = theirs[o.name].data as Float32Array;
        for (let i = 0; i < a.length; i++) {
          const d = Math.abs(a[i] - Math.round(b[i] / p.scale + p.zeroPoint));
          if (d === 0) same++;
          worst = Math.max(worst, d);
          total++;
        }
      }
    }
    console.log(
      `${c.name}: ${same} of ${total} output codes identical to onnxruntime, max ${worst} LSB`,
    );
    assert.ok(same / total >= c.agreement, `${same} of ${total} output codes identical`);
    assert.ok(worst <= 1, `largest difference ${worst} LSB`);
  });
}
