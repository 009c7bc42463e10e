/**
 * Fixtures of the Horizon conversion tests: the tiny CNN of `testdata/models/` (1×3×32×32
 * input, Conv/Relu/MaxPool/Conv/Relu/GlobalAveragePool/Flatten/Gemm/Softmax), seeded
 * `numpy.tofile` calibration files and a YAML written around them.
 *
 * @module
 */
import { join } from "node:path";
import { seededRandom } from "../../util/random.ts";

/** The tiny CNN. */
export const TINY_CNN = join(import.meta.dirname ?? ".", "../../../testdata/models/tiny_cnn.onnx");

/** Write `count` seeded calibration files of `bytes` bytes each into `dir`. */
export async function writeTinyCalibration(
  dir: string,
  count = 4,
  kind: "uint8" | "float32" = "uint8",
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const rand = seededRandom(7);
  const n = 3 * 32 * 32;
  for (let k = 0; k < count; k++) {
    const bytes = kind === "uint8"
      ? Uint8Array.from({ length: n }, (_, i) => (i * 7 + k * 31 + Math.floor(rand() * 64)) % 256)
      : new Uint8Array(Float32Array.from({ length: n }, () => rand() * 2 - 1).buffer);
    await Deno.writeFile(join(dir, `sample_${k}.bin`), bytes);
  }
}

/** Options of {@linkcode tinyYaml}. */
export interface TinyYamlOptions {
  readonly march?: string;
  readonly rt?: string;
  readonly train?: string;
  /** `input_layout_rt`, when given. */
  readonly layoutRt?: string;
  readonly calDir: string;
  readonly workingDir: string;
  readonly calibrationType?: string;
  /** Extra lines appended to `calibration_parameters`. */
  readonly calibrationExtra?: readonly string[];
  /** Extra lines appended to `model_parameters`. */
  readonly modelExtra?: readonly string[];
}

/** A YAML converting the tiny CNN (rgb-trained NCHW, mean/scale unless featuremap). */
export function tinyYaml(o: TinyYamlOptions): string {
  const march = o.march ?? "bernoulli2";
  const train = o.train ?? "rgb";
  const fm = train === "featuremap";
  return [
    "model_parameters:",
    `  onnx_model: '${TINY_CNN}'`,
    `  march: '${march}'`,
    "  output_model_file_prefix: 'tiny'",
    `  working_dir: '${o.workingDir}'`,
    ...(o.modelExtra ?? []),
    "input_parameters:",
    "  input_name: 'input'",
    `  input_type_train: '${train}'`,
    "  input_layout_train: 'NCHW'",
    `  input_type_rt: '${o.rt ?? "rgb"}'`,
    ...(o.layoutRt ? [`  input_layout_rt: '${o.layoutRt}'`] : []),
    ...(fm ? ["  norm_type: 'no_preprocess'"] : [
      "  norm_type: 'data_mean_and_scale'",
      "  mean_value: '128 128 128'",
      "  scale_value: '0.0078125'",
    ]),
    "calibration_parameters:",
    `  cal_data_dir: '${o.calDir}'`,
    `  calibration_type: '${o.calibrationType ?? "max"}'`,
    ...(o.calibrationExtra ?? []),
    "compiler_parameters:",
    "  compile_mode: 'latency'",
    "  core_num: 1",
    `  optimize_level: '${march === "bernoulli2" ? "O3" : "O2"}'`,
    "",
  ].join("\n");
}

/** What {@linkcode caffeYaml} varies. */
export interface CaffeYamlOptions {
  prototxt: string;
  caffemodel: string;
  calDir: string;
  workingDir: string;
  prefix: string;
  calibrationType: string;
  /** `compiler_parameters.core_num` (left out when undefined). */
  coreNum?: number;
}

/** A bernoulli2 `hb_mapper` YAML converting a 3-channel BGR Caffe net `data` input. */
export function caffeYaml(o: CaffeYamlOptions): string {
  return [
    "model_parameters:",
    `  prototxt: '${o.prototxt}'`,
    `  caffe_model: '${o.caffemodel}'`,
    "  march: 'bernoulli2'",
    `  output_model_file_prefix: '${o.prefix}'`,
    `  working_dir: '${o.workingDir}'`,
    "input_parameters:",
    "  input_name: 'data'",
    "  input_type_train: 'bgr'",
    "  input_layout_train: 'NCHW'",
    "  input_type_rt: 'bgr'",
    "  norm_type: 'data_mean_and_scale'",
    "  mean_value: '103.94 116.78 123.68'",
    "  scale_value: '0.017'",
    "calibration_parameters:",
    `  cal_data_dir: '${o.calDir}'`,
    `  calibration_type: '${o.calibrationType}'`,
    "compiler_parameters:",
    "  compile_mode: 'latency'",
    ...(o.coreNum === undefined ? [] : [`  core_num: ${o.coreNum}`]),
    "  optimize_level: 'O3'",
    "",
  ].join("\n");
}
