/**
 * Map a validated {@linkcode HorizonConfig} onto the effective pulsar2 `BuildConfig` the
 * build pipeline consumes. Horizon-only facts that `BuildConfig` cannot hold travel next to
 * it in {@linkcode HorizonMapping} (the march, CPU/BPU placement, calibration file dtype…).
 *
 * The conversion itself (`hb_mapper makertbin`, `hb_compile`, `axb build` with a Horizon
 * YAML: `core/build/horizon/`) reads the Horizon config directly wherever this mapping
 * approximates: the march's own core modes and numeric model (int8/int16 symmetric),
 * the `default`/`mix` calibration search, the pre-processing node and runtime input
 * conversion per input, placement, graph edits. The BuildConfig below is what the compile
 * stage takes its remaining options from (`axb config` shows the Horizon config itself,
 * `effective.ts`).
 *
 * Field map and approximations (each approximation is also listed in `notes`):
 * - `march` → `target` (a Horizon name). `BuildConfig.target_hardware` only names
 *   AXera-family targets, so it keeps its default (the registry's default pulsar2 target) and
 *   must not be read for Horizon builds.
 * - `onnx_model` → `input`; Caffe models have no BuildConfig form (`input` stays "" and
 *   `caffe` carries the two paths).
 * - `working_dir` → `output_dir` and `work_dir`; `output_model_file_prefix` →
 *   `output_name` = `<prefix>.axmodel` (axb writes its own container, not the vendor's
 *   `.bin`/`.hbm` byte format, which is not public).
 * - `input_shape` → `input_shapes` (`name:1x3x224x224;…`, only for named inputs).
 * - `input_batch` > 1 → `compiler.static_batch_sizes: [batch]`.
 * - `core_num` → `npu_mode`: the default target's mode with that many cores (1 → NPU1,
 *   2 → NPU2 on the built-in AXera targets).
 * - Per input → `input_processors[]`: `tensor_format`/`tensor_layout` from the training type
 *   and layout, `src_format`/`src_layout`/`src_dtype` from the runtime type (U8 for image
 *   types, FP32 for featuremap; nv12 → YUV420SP/NHWC with CSC FullRange, or LimitedRange for
 *   `bt601_video`). `mean` = `mean_value`, `std` = 1/`scale_value` (Horizon multiplies,
 *   pulsar2 divides); no normalisation is written explicitly as mean 0 / std 1. `yuv444`
 *   has no ColorSpace: AutoColorSpace is used (no conversion inserted).
 * - `cal_data_dir` → `quant.input_configs[]` with `calibration_format: Binary` (raw
 *   `numpy.tofile` files in the training type and layout), or `Image` with `preprocess_on`;
 *   `calibration_size: -1` (the vendor uses every file); `calibration_mean/std` = the
 *   normalisation, because Horizon calibration files are raw (before mean/scale). The path is
 *   a folder, not an archive. The files' element type (`cal_data_type`, else `_f32` folder
 *   suffix → float32, else uint8) goes to `calibration[].dtype`.
 * - `calibration_type`: kl → KL; max → MinMax (`max_percentile` 1) or Percentile (< 1, the
 *   value in `percentile`); default/mix → MinMax (the vendor's automatic search is
 *   approximated); load → MinMax (QAT scales are not read); skip → no input configs and
 *   `randomCalibration: true`.
 * - int16/float16 (node_info, quant_config, optimization) → `quant.layer_configs` (see
 *   `_precision.ts`); `run_on_cpu`/`run_on_bpu`/node_info `ON` → `placement`.
 *
 * @module
 */
import {
  type BuildConfig,
  type ColorSpace,
  type CscMode,
  type DataType,
  defaultBuildConfig,
  defaultInputProcessor,
  defaultInputQuantConfig,
  type InputProcessor,
  type InputQuantConfig,
  type Layout,
  type QuantMethod,
} from "../build_config.ts";
import { precisionLayerConfigs } from "./_precision.ts";
import { defaultPulsar2Target, npuModeWithCores } from "../targets.ts";
import type { TargetRegistry } from "../../../targets/registry.ts";
import type { HorizonConfig, HorizonInput, HorizonMarch, RuntimeType, TrainType } from "./types.ts";

/** The result of mapping a Horizon config. */
export interface HorizonMapping {
  /** The validated Horizon config that was mapped. */
  readonly horizon: HorizonConfig;
  /** The equivalent effective pulsar2 build config. */
  readonly build: BuildConfig;
  /** The Horizon march (BuildConfig's target_hardware cannot name it). */
  readonly target: HorizonMarch;
  /** `onnx` when `model_parameters.onnx_model` is given, else `caffe`. */
  readonly modelType: "onnx" | "caffe";
  /** Caffe inputs, when the config names a Caffe model. */
  readonly caffe?: { readonly prototxt: string; readonly caffe_model: string };
  /** Node placement for the partitioner (run_on_cpu/run_on_bpu and node_info `ON`). */
  readonly placement: { readonly cpu: readonly string[]; readonly bpu: readonly string[] };
  /** Per input: element type of the calibration files and whether they need normalising. */
  readonly calibration: readonly {
    tensor_name: string;
    dtype: "uint8" | "float32";
    normalize: boolean;
  }[];
  /** `max_percentile` when calibration is Percentile. */
  readonly percentile?: number;
  /** calibration_type skip: calibrate with generated random data. */
  readonly randomCalibration: boolean;
  /** Output node names (`output_nodes`), removal requests, kept for the front-end passes. */
  readonly graphEdits: {
    readonly outputNodes: readonly string[];
    readonly removeNodeTypes: readonly string[];
    readonly removeNodeNames: readonly string[];
  };
  /** Every approximation made, human-readable. */
  readonly notes: readonly string[];
}

const TENSOR_FORMAT: Record<TrainType, ColorSpace> = {
  rgb: "RGB",
  bgr: "BGR",
  gray: "GRAY",
  yuv444: "AutoColorSpace",
  yuv444_128: "AutoColorSpace",
  featuremap: "AutoColorSpace",
};
const SRC_FORMAT: Record<RuntimeType, ColorSpace> = {
  rgb: "RGB",
  bgr: "BGR",
  gray: "GRAY",
  nv12: "YUV420SP",
  yuv444: "AutoColorSpace",
  featuremap: "AutoColorSpace",
};

function channels(inp: HorizonInput): number | undefined {
  if (inp.typeTrain === "gray") return 1;
  if (inp.typeTrain !== "featuremap") return 3;
  const s = inp.shape;
  if (!s || s.length !== 4) return undefined;
  return inp.layoutTrain === "NHWC" ? s[3] : s[1];
}

/** Broadcast one value to `n` channels (n unknown: keep as written). */
function perChannel(values: readonly number[], n: number | undefined): number[] {
  return values.length === 1 && n !== undefined
    ? new Array<number>(n).fill(values[0])
    : [...values];
}

/** Horizon normalisation as pulsar2 mean/std (std = 1/scale). */
export function normalisation(inp: HorizonInput): { mean: number[]; std: number[] } {
  const n = channels(inp) ?? Math.max(inp.mean?.length ?? 1, inp.scale?.length ?? 1);
  const useMean = inp.normType === "data_mean" || inp.normType === "data_mean_and_scale";
  const useScale = inp.normType === "data_scale" || inp.normType === "data_mean_and_scale";
  const mean = useMean && inp.mean ? perChannel(inp.mean, n) : new Array<number>(n).fill(0);
  const std = useScale && inp.scale
    ? perChannel(inp.scale, n).map((s) => 1 / s)
    : new Array<number>(n).fill(1);
  return { mean, std };
}

function processorOf(inp: HorizonInput, tensorName: string, notes: string[]): InputProcessor {
  const layout: Layout = inp.layoutTrain ?? "NCHW";
  const src = SRC_FORMAT[inp.typeRt];
  const tensor = TENSOR_FORMAT[inp.typeTrain];
  let csc: CscMode = "NoCSC";
  if (inp.typeRt === "nv12") {
    if (tensor === "RGB" || tensor === "BGR") {
      csc = inp.spaceAndRange === "bt601_video" ? "LimitedRange" : "FullRange";
    } else {notes.push(
        `input ${tensorName}: nv12 → ${inp.typeTrain} has no pulsar2 colour conversion; no CSC inserted`,
      );}
  }
  if (inp.typeRt === "yuv444" || inp.typeTrain.startsWith("yuv444")) {
    notes.push(
      `input ${tensorName}: YUV444 has no pulsar2 ColorSpace; AutoColorSpace used (no conversion)`,
    );
  }
  if ((tensor === "RGB" && src === "BGR") || (tensor === "BGR" && src === "RGB")) {
    notes.push(
      `input ${tensorName}: ${inp.typeRt} → ${inp.typeTrain} channel swap is not inserted by pulsar2 (it never converts RGB↔BGR)`,
    );
  }
  const srcLayout: Layout = inp.typeRt === "nv12" ? "NHWC" : inp.layoutRt ?? layout;
  const srcDtype: DataType = inp.typeRt === "featuremap" ? "FP32" : "U8";
  return {
    ...defaultInputProcessor(),
    tensor_name: tensorName,
    tensor_format: tensor,
    tensor_layout: layout,
    src_format: src,
    src_layout: srcLayout,
    src_dtype: srcDtype,
    csc_mode: csc,
    ...normalisation(inp),
  };
}

function calibrationMethod(h: HorizonConfig, notes: string[]): QuantMethod {
  const c = h.calibration_parameters;
  switch (c.calibration_type) {
    case "kl":
      return "KL";
    case "max":
      return c.max_percentile < 1 ? "Percentile" : "MinMax";
    case "default":
    case "mix":
      notes.push(
        `calibration_type '${c.calibration_type}' (automatic search) is approximated by MinMax`,
      );
      return "MinMax";
    case "load":
      notes.push("calibration_type 'load' (QAT scales) is approximated by MinMax calibration");
      return "MinMax";
    case "skip":
      notes.push(
        "calibration_type 'skip': calibration uses random data; the result is for performance checks only",
      );
      return "MinMax";
  }
}

/**
 * Map a validated Horizon config to the effective BuildConfig plus Horizon extras.
 *
 * @param h the validated Horizon config
 * @param targets where the BuildConfig's default target and its modes come from
 */
export function horizonToBuildConfig(h: HorizonConfig, targets: TargetRegistry): HorizonMapping {
  const notes: string[] = [];
  const mp = h.model_parameters;
  const cp = h.calibration_parameters;
  const build = defaultBuildConfig(targets);
  const modelType = mp.onnx_model !== undefined ? "onnx" : "caffe";
  build.input = mp.onnx_model ?? "";
  if (modelType === "caffe") {
    notes.push("Caffe model: BuildConfig.input is empty until the model is converted to ONNX");
  }
  build.output_dir = mp.working_dir;
  build.work_dir = mp.working_dir;
  build.output_name = `${mp.output_model_file_prefix}.axmodel`;
  build.npu_mode = npuModeWithCores(
    defaultPulsar2Target(targets),
    h.compiler_parameters.core_num,
  );
  const single = h.inputs.length === 1;
  const shapes = h.inputs.filter((i) => i.shape && i.name !== "").map((i) =>
    `${i.name}:${i.shape?.join("x")}`
  );
  build.input_shapes = shapes.join(";");
  if (h.inputs.some((i) => i.shape && i.name === "")) {
    notes.push(
      "input_shape of an unnamed input is not expressible in input_shapes; the model's shape is used",
    );
  }
  const batch = h.input_parameters.input_batch;
  if (batch !== undefined && batch > 1) build.compiler.static_batch_sizes = [batch];

  const nameOf = (i: HorizonInput) => i.name !== "" ? i.name : single ? "DEFAULT" : "";
  build.input_processors = h.inputs.map((i) => processorOf(i, nameOf(i), notes));

  const method = calibrationMethod(h, notes);
  build.quant.calibration_method = method;
  const random = cp.calibration_type === "skip";
  const calibration: { tensor_name: string; dtype: "uint8" | "float32"; normalize: boolean }[] = [];
  if (!random) {
    build.quant.input_configs = h.inputs.flatMap((i): InputQuantConfig[] => {
      if (i.calDataDir === undefined) return [];
      const norm = normalisation(i);
      const dtype = cp.cal_data_type ?? (/_f32\/?$/.test(i.calDataDir) ? "float32" : "uint8");
      calibration.push({
        tensor_name: nameOf(i),
        dtype,
        normalize: i.normType !== "no_preprocess",
      });
      return [{
        ...defaultInputQuantConfig(),
        tensor_name: nameOf(i),
        calibration_dataset: i.calDataDir,
        calibration_format: cp.preprocess_on ? "Image" : "Binary",
        calibration_size: -1,
        calibration_mean: norm.mean,
        calibration_std: norm.std,
      }];
    });
  }
  if (cp.per_channel) {
    notes.push(
      "per_channel featuremap calibration has no BuildConfig equivalent; the Horizon build applies it",
    );
  }
  build.quant.layer_configs = precisionLayerConfigs(h, notes);

  const cpu = new Set(cp.run_on_cpu);
  const bpu = new Set(cp.run_on_bpu);
  for (const n of h.node_info) {
    if (n.on === "CPU") cpu.add(n.node);
    if (n.on === "BPU") bpu.add(n.node);
  }
  const xp = h.compiler_parameters;
  notes.push(
    `compiler settings compile_mode=${xp.compile_mode}, optimize_level=${xp.optimize_level}` +
      `, max_time_per_fc=${xp.max_time_per_fc} are Horizon scheduling hints with no BuildConfig equivalent`,
  );
  return {
    horizon: h,
    build,
    target: h.march,
    modelType,
    caffe: modelType === "caffe"
      ? { prototxt: mp.prototxt ?? "", caffe_model: mp.caffe_model ?? "" }
      : undefined,
    placement: { cpu: [...cpu], bpu: [...bpu] },
    calibration,
    percentile: method === "Percentile" ? cp.max_percentile : undefined,
    randomCalibration: random,
    graphEdits: {
      outputNodes: mp.output_nodes,
      removeNodeTypes: mp.remove_node_type,
      removeNodeNames: mp.remove_node_name,
    },
    notes,
  };
}
