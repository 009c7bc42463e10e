/**
 * What the quantization stage does after quantizing, for the user to inspect: the io
 * export (`quant/debug/io/`) and, when asked, the precision analysis (console table,
 * `quant/debug/precision_analysis_table.txt`, `precision_analysis.mmd`).
 *
 * The io export's float outputs are the calibration run's. With the analysis, both run on
 * the calibration workers when there are some: the workers already hold the float model
 * and the calibration samples, receive the quantized model once, emulate the io export's
 * sample, then analyse their own samples — all queued at once, so the workers go on while
 * the main thread writes the model files and the io export (with `quant.input_sample_dir`,
 * whose samples are read after those files, the analysis is queued then).
 *
 * @module
 */
import { join } from "node:path";
import type { Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { ProgressDisplay } from "../util/progress.ts";
import { Executor } from "../exec/executor.ts";
import type { QuantModel } from "../quant/quant_model.ts";
import type { QuantConfig } from "../config/build_config.ts";
import { QuantEmulator } from "../quant/emulator.ts";
import type { SamplePool } from "../quant/sample_pool.ts";
import { analyzePrecision, type PrecisionRow } from "../quant/precision_analysis.ts";
import { analyzePrecisionOnPool } from "../quant/precision_parallel.ts";
import {
  analysisSampleIndices,
  DEFAULT_PRECISION_ANALYSIS_SAMPLES,
} from "../quant/analysis_samples.ts";
import { formatPrecisionTable, precisionMermaid } from "../report/precision_report.ts";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { exportIoData } from "./io_export.ts";
import { readSampleDir } from "./sample_dir.ts";
import type { QuantStageOptions } from "./quant_stage.ts";

/** Work handed to the workers right after quantization. */
export interface QuantDebugStart {
  readonly quant: QuantModel;
  readonly pool?: SamplePool;
  /** The calibration samples. */
  readonly samples: readonly ReadonlyMap<string, Tensor>[];
  /** Settles when every worker holds the quantized model. */
  readonly loaded?: Promise<void>;
  /** The quantized model's outputs on the first sample, from a worker. */
  readonly quantOutputs?: Promise<Map<string, Tensor>>;
  /** The analysis of the calibration samples, already queued on the workers. */
  readonly analysis?: QueuedAnalysis;
}

/** An analysis running on the workers before its progress bar is drawn. */
interface QueuedAnalysis {
  readonly rows: Promise<PrecisionRow[]>;
  /** Samples analysed so far. */
  done: number;
  /** Receives `done` after each sample, once the bar exists. */
  onProgress?: (done: number) => void;
}

/**
 * When the precision analysis will run on the workers, give them the quantized model and
 * queue the io export's emulation there and (on the calibration samples) the analysis;
 * the results are awaited by {@linkcode runQuantDebug}. Without analysis the io export
 * emulates in this thread: sending the model to a worker costs about what the one
 * emulation saves.
 */
export function startQuantDebug(
  quant: QuantModel,
  pool: SamplePool | undefined,
  samples: readonly ReadonlyMap<string, Tensor>[],
  config: QuantConfig,
): QuantDebugStart {
  if (!pool || !config.precision_analysis) return { quant, samples };
  const loaded = pool.loadQuant(quant);
  // the first worker holds sample 0: its analysis of it reuses this emulation
  const quantOutputs = samples[0] ? pool.emulateHeld(0) : undefined;
  let analysis: QueuedAnalysis | undefined;
  if (!config.input_sample_dir) {
    const queued: QueuedAnalysis = {
      done: 0,
      rows: analyzePrecisionOnPool(pool, quant, config.precision_analysis_method, {
        indices: calibrationPicks(samples.length, config),
        onProgress: (done) => {
          queued.done = done;
          queued.onProgress?.(done);
        },
      }),
    };
    analysis = queued;
  }
  // awaited in runQuantDebug; a failure before then must not count as unhandled
  loaded.catch(() => {});
  quantOutputs?.catch(() => {});
  analysis?.rows.catch(() => {});
  return { quant, pool, samples, loaded, quantOutputs, analysis };
}

/** Which calibration samples the analysis runs on (`quant.precision_analysis_samples`). */
function calibrationPicks(total: number, config: QuantConfig): number[] {
  return analysisSampleIndices(
    total,
    config.precision_analysis_samples ?? DEFAULT_PRECISION_ANALYSIS_SAMPLES,
  );
}

/** What {@linkcode runQuantDebug} needs besides the stage's options. */
export interface QuantDebugOptions extends QuantStageOptions {
  /** Where the bars draw. */
  display: ProgressDisplay;
  /** The float model's outputs on the first calibration sample (from calibration). */
  floatOutputs?: Map<string, Tensor>;
  /** The `quant/` directory. */
  quantDir: string;
}

/**
 * Write the io export and, when `quant.precision_analysis` is set, run and write the
 * precision analysis.
 *
 * @returns the precision rows, or undefined without analysis
 */
export async function runQuantDebug(
  model: Model,
  start: QuantDebugStart,
  opts: QuantDebugOptions,
): Promise<PrecisionRow[] | undefined> {
  const { config, log, display, quantDir } = opts;
  let emu: QuantEmulator | undefined;
  const emulator = () => (emu ??= new QuantEmulator(start.quant, opts.registry));
  const sample = start.samples[0];
  if (sample && opts.floatOutputs) {
    const bar = display.bar("Export io data", 2);
    bar.update(1);
    await start.loaded;
    const quantOutputs = start.quantOutputs ? await start.quantOutputs : emulator().run(sample);
    bar.update(2);
    bar.finish();
    const outputs = model.graph.outputs.map((o) => o.name);
    const io = { sample, floatOutputs: opts.floatOutputs, quantOutputs };
    await exportIoData(io, outputs, join(quantDir, "debug/io"), log);
  }
  const q = config.quant;
  if (!q.precision_analysis) return undefined;
  const own = q.input_sample_dir
    ? await readSampleDir(q.input_sample_dir, model.graph.runtimeInputs)
    : undefined;
  if (q.precision_analysis_mode === "NPUBackend") {
    log.warn("precision_analysis_mode NPUBackend is not available in axb; using Reference");
  }
  const method = q.precision_analysis_method;
  const picks = own ? undefined : calibrationPicks(start.samples.length, q);
  const samples = own ?? picks!.map((i) => start.samples[i]);
  log.info(
    own
      ? `precision analysis on the ${own.length} samples of ${q.input_sample_dir}`
      : `precision analysis on ${samples.length} of the ${start.samples.length} calibration samples (quant.precision_analysis_samples; -1 analyses all)`,
  );
  const bar = display.bar("Precision Analysis Progress", samples.length);
  const onProgress = (done: number) => bar.update(done);
  await start.loaded;
  const queued = own ? undefined : start.analysis;
  if (queued) {
    if (queued.done) onProgress(queued.done);
    queued.onProgress = onProgress;
  }
  const precision = queued
    ? await queued.rows
    : start.pool
    ? await analyzePrecisionOnPool(start.pool, start.quant, method, {
      samples: own,
      indices: picks,
      onProgress,
    })
    : analyzePrecision(new Executor(model, opts.registry), emulator(), samples, method, {
      onProgress,
    });
  bar.finish();
  opts.print?.(formatPrecisionTable(precision, method, "Reference"));
  const tablePath = join(quantDir, "debug/precision_analysis_table.txt");
  // the file keeps one line per row for scripts; the console copy fits the terminal
  const table = formatPrecisionTable(precision, method, "Reference", { maxWidth: Infinity });
  await writeFileAtomic(tablePath, table + "\n");
  log.info(`save precision analysis table to [${tablePath}]`);
  const mmdPath = join(quantDir, "debug/precision_analysis.mmd");
  await writeFileAtomic(mmdPath, precisionMermaid(model.graph, precision, method, "Reference"));
  log.info(`save precision analysis graph to [${mmdPath}]`);
  return precision;
}
