/**
 * Load the calibration set of a model: open each input's dataset, extract it under
 * `<work_dir>/quant/dataset/<input>/` (as pulsar2 does), pick files in sorted name order,
 * decode them per `calibration_format` and pair multi-input samples by file name stem.
 *
 * How many: `min(calibration_size, files)`, `-1` = all, with a warning when the dataset holds
 * fewer files than asked for. With several inputs the first input (model order) chooses the
 * stems; every other input must have a file with each stem.
 *
 * Archives are read through caps derived from what the model consumes (`limits.ts`), and
 * every sample is decoded before anything is extracted, so a bad dataset leaves the work
 * directory untouched. Link members are left out with a warning naming them.
 *
 * @module
 */
import type {
  ColorSpace,
  DataFormat,
  InputProcessor,
  InputQuantConfig,
} from "../config/build_config.ts";
import type { ValueInfo } from "../ir/graph.ts";
import { DTYPES } from "../ir/dtype.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { Logger } from "../util/log.ts";
import { InputDataError } from "../errors/mod.ts";
import {
  datasetDirFor,
  type DatasetFile,
  type DatasetSource,
  extractDataset,
  extractMessage,
  openDataset,
} from "./archive.ts";
import { type ArchiveLimits, calibrationLimits, widerLimits } from "./limits.ts";
import type { ResolvedInput } from "./resolve_inputs.ts";
import { planImage } from "./image_tensor.ts";
import { resolveInputs } from "./resolve_inputs.ts";
import { FORMAT_EXTENSIONS, type ObjectCache, readSample, type SampleReader } from "./sample.ts";

/** One row of the Quant Config Table (§7.2). */
export interface CalibrationSourceInfo {
  /** Model input name. */
  input: string;
  /** Shape of the loaded samples (symbolic dims resolved), e.g. `[1, 3, 224, 224]`. */
  shape: number[];
  /** Extraction folder, or the dataset path when nothing was extracted. */
  datasetDirectory: string;
  /** The input config's `calibration_format`. */
  dataFormat: DataFormat;
  /** Colour order the model expects (the input processor's `tensor_format`). */
  tensorFormat: ColorSpace;
  /** As float32 values, the way pulsar2 prints them. */
  mean: number[];
  /** As float32 values, the way pulsar2 prints them. */
  std: number[];
}

/** Loaded calibration data. */
export interface CalibrationSet {
  /** Model input names, in model order. */
  inputNames: string[];
  /** One feed per sample: input name → tensor. */
  samples: Map<string, Tensor>[];
  /** Per input, in model order. */
  source: CalibrationSourceInfo[];
  /** Archives still to be written to their extraction folder ({@linkcode extractCalibrationSet}). */
  pendingExtraction: PendingExtraction[];
}

/** One archive to extract into the work directory. */
export interface PendingExtraction {
  /** The opened archive. */
  source: DatasetSource;
  /** `<work_dir>/quant/dataset/<input>`. */
  dir: string;
}

/** Options of {@linkcode loadCalibrationSet}. */
export interface LoadCalibrationOptions {
  /** The config's `input_processors`, matched to inputs by tensor name. */
  processors?: InputProcessor[];
  /** When set, archives are extracted to `<workDir>/quant/dataset/<input>/`. */
  workDir?: string;
  /** Called after each decoded file; `total` = samples × inputs. */
  onProgress?: (done: number, total: number) => void;
  /** Receives file-count, skip and extraction messages. */
  log?: Logger;
  /** Caps for every archive instead of the ones derived from the inputs and calibration_size. */
  limits?: ArchiveLimits;
  /**
   * Leave the extraction to {@linkcode extractCalibrationSet}, so a caller can check more
   * before anything is written. Default false: archives are extracted before returning.
   */
  deferExtraction?: boolean;
}

/** Write the archives a deferred {@linkcode loadCalibrationSet} left pending. */
export async function extractCalibrationSet(set: CalibrationSet): Promise<void> {
  for (const p of set.pendingExtraction.splice(0)) await extractDataset(p.source, p.dir);
}

/** Bytes of one sample of an input (symbolic dims count as 1). */
function sampleBytes(r: ResolvedInput): number {
  const elements = r.input.shape.reduce<number>((n, d) => n * (typeof d === "number" ? d : 1), 1);
  return elements * DTYPES[r.input.dtype].bytes;
}

/** Caps per dataset path: an archive shared by several inputs serves all of them. */
function limitsByPath(resolved: readonly ResolvedInput[]): Map<string, ArchiveLimits> {
  const out = new Map<string, ArchiveLimits>();
  const users = new Map<string, ResolvedInput[]>();
  for (const r of resolved) {
    const path = r.config.calibration_dataset;
    users.set(path, [...(users.get(path) ?? []), r]);
  }
  for (const [path, rs] of users) {
    const bytes = rs.reduce((n, r) => n + sampleBytes(r), 0);
    const names = rs.map((r) => `"${r.input.name}"`).join(", ");
    const what = rs.length === 1 ? `input ${names}` : `inputs ${names}`;
    const limits = rs
      .map((r) => calibrationLimits(bytes, r.config.calibration_size, what))
      .reduce(widerLimits);
    out.set(path, limits);
  }
  return out;
}

/** Say which link members were left out, by name. */
function warnLinks(source: DatasetSource, log?: Logger): void {
  if (source.links.length === 0) return;
  const shown = source.links.slice(0, 5).map((l) =>
    l.target ? `"${l.name}" -> "${l.target}"` : `"${l.name}"`
  ).join(", ");
  log?.warn(
    `skip ${source.links.length} link member(s) in [${source.path}]: ${shown}${
      source.links.length > 5 ? ", …" : ""
    }; links are not followed, store the files themselves`,
  );
}

/** File name without folders and without its last extension: `a/0001.jpg` → `0001`. */
export function fileStem(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
}

/** The files of `source` that `format` reads. */
function usableFiles(
  source: DatasetSource,
  format: DataFormat,
  input: string,
  log?: Logger,
): DatasetFile[] {
  const exts = FORMAT_EXTENSIONS[format];
  const files = source.files.filter((f) => exts.includes(extensionOf(f.name)));
  const skipped = source.files.length - files.length;
  if (files.length === 0) {
    const seen = source.files.slice(0, 3).map((f) => `"${f.name}"`).join(", ");
    throw new InputDataError(
      `Calibration dataset "${source.path}" for input "${input}" holds no ${
        exts.join("/")
      } files for calibration_format ${format}${
        seen ? `; found ${seen}${source.files.length > 3 ? ", …" : ""}` : " (it is empty)"
      }`,
    );
  }
  if (skipped > 0) {
    log?.warn(
      `skip ${skipped} file(s) in [${source.path}] that are not ${exts.join("/")} (${format})`,
    );
  }
  return files;
}

/** Index files by stem, refusing two files with one stem (pairing would be ambiguous). */
function byStem(files: DatasetFile[], source: string): Map<string, DatasetFile> {
  const out = new Map<string, DatasetFile>();
  for (const f of files) {
    const stem = fileStem(f.name);
    const prev = out.get(stem);
    if (prev) {
      throw new InputDataError(
        `Calibration dataset "${source}" holds "${prev.name}" and "${f.name}" with the same name stem "${stem}"; multi-input samples are paired by file name, so stems must be unique`,
      );
    }
    out.set(stem, f);
  }
  return out;
}

/**
 * Load the calibration samples for every model input.
 *
 * @param configs `quant.input_configs` (a `DEFAULT` entry covers unnamed inputs)
 * @param inputs the model's runtime inputs (no initializers), in model order
 * @throws {ConfigError} for a missing or invalid config entry
 * @throws {InputDataError} for unreadable archives, refused members, undecodable files, files
 *   whose dtype/shape differ from the input's, or unpaired multi-input files
 */
export async function loadCalibrationSet(
  configs: InputQuantConfig[],
  inputs: ValueInfo[],
  opts: LoadCalibrationOptions = {},
): Promise<CalibrationSet> {
  const { log } = opts;
  const resolved = resolveInputs(configs, inputs, opts.processors);
  const limits = limitsByPath(resolved);
  const opened = new Map<string, Promise<DatasetSource>>();
  const open = (path: string) => {
    let p = opened.get(path);
    if (!p) {
      p = openDataset(path, { limits: opts.limits ?? limits.get(path) }).then((s) => {
        warnLinks(s, log);
        return s;
      });
      opened.set(path, p);
    }
    return p;
  };

  const plans = [];
  for (const r of resolved) {
    const { config, input } = r;
    const source = await open(config.calibration_dataset);
    const files = usableFiles(source, config.calibration_format, input.name, log);
    const dir = opts.workDir && source.kind !== "directory"
      ? datasetDirFor(opts.workDir, input.name)
      : source.path;
    // Said here, in pulsar2's order; the files are written once every sample decoded.
    if (dir !== source.path) log?.info(extractMessage(source, dir));
    const image = config.calibration_format === "Image"
      ? planImage(input, r.processor ?? {}, {
        mean: config.calibration_mean,
        std: config.calibration_std,
      })
      : undefined;
    const hasNorm = config.calibration_mean.some((m) => m !== 0) ||
      config.calibration_std.some((v) => v !== 1);
    // Debug only: with Numpy/Binary data the values still matter, as input_processors' default
    // runtime mean/std.
    if (hasNorm && !(image && DTYPES[input.dtype].isFloat)) {
      log?.debug(
        `calibration_mean/std of input [${input.name}] are not applied: only Image data for a float input is normalised (${config.calibration_format}, ${
          DTYPES[input.dtype].label
        })`,
      );
    }
    plans.push({ ...r, source, files, dir, image });
  }

  // How many samples, and which file of each input makes each sample.
  const wanted = Math.min(
    ...plans.map((p) => (p.config.calibration_size === -1 ? Infinity : p.config.calibration_size)),
  );
  const lead = plans[0];
  const count = Math.min(wanted, lead.files.length);
  if (wanted !== Infinity && wanted > lead.files.length) {
    log?.warn(
      `calibration_size is ${wanted} but [${lead.source.path}] holds ${lead.files.length} usable file(s) for input [${lead.input.name}]; calibrating on ${lead.files.length}`,
    );
  }
  const chosen: DatasetFile[][] = plans.map(() => []);
  if (plans.length === 1) {
    chosen[0] = lead.files.slice(0, count);
  } else {
    const leadStems = [...byStem(lead.files, lead.source.path).keys()].slice(0, count);
    plans.forEach((p, i) => {
      const stems = byStem(p.files, p.source.path);
      chosen[i] = leadStems.map((stem) => {
        const f = stems.get(stem);
        if (!f) {
          throw new InputDataError(
            `Calibration file "${stem}" of input "${lead.input.name}" has no partner in the dataset "${p.source.path}" of input "${p.input.name}"; multi-input samples are paired by file name`,
          );
        }
        return f;
      });
    });
  }

  const objects: ObjectCache = new Map();
  const samples: Map<string, Tensor>[] = Array.from({ length: count }, () => new Map());
  const total = count * plans.length;
  let done = 0;
  plans.forEach((p, i) => {
    const archive = opts.limits ?? limits.get(p.config.calibration_dataset);
    const reader: SampleReader = {
      format: p.config.calibration_format,
      input: p.input,
      image: p.image,
      objects,
      // One .npz holds one sample of every input: it may inflate to one file's cap.
      limits: archive && {
        ...archive,
        maxTotalBytes: archive.maxMemberBytes,
        reason: `${archive.reason}; one .npz is one sample`,
      },
    };
    chosen[i].forEach((file, s) => {
      const what = `Calibration file "${file.name}" in "${p.source.path}"`;
      samples[s].set(
        p.input.name,
        readSample(reader, file.bytes, `${p.source.path}\0${file.name}`, what),
      );
      opts.onProgress?.(++done, total);
    });
    log?.info(`${chosen[i].length} File(s) Loaded.`);
  });
  // Extract only once every sample decoded: a bad dataset leaves the work directory untouched.
  const pendingExtraction = plans.filter((p) => p.dir !== p.source.path)
    .map((p) => ({ source: p.source, dir: p.dir }));
  const set: CalibrationSet = {
    inputNames: plans.map((p) => p.input.name),
    samples,
    source: plans.map((p) => ({
      input: p.input.name,
      shape: [...(samples[0]?.get(p.input.name)?.shape ?? [])],
      datasetDirectory: p.dir,
      dataFormat: p.config.calibration_format,
      tensorFormat: p.processor?.tensor_format ?? "AutoColorSpace",
      mean: p.config.calibration_mean.map(Math.fround),
      std: p.config.calibration_std.map(Math.fround),
    })),
    pendingExtraction,
  };
  if (!opts.deferExtraction) await extractCalibrationSet(set);
  return set;
}
