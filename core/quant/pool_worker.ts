/**
 * A worker of {@linkcode WorkerPool} (protocol: `pool_wire.ts`): decodes the float model
 * once, builds its own float executor with the built-in operators and keeps its
 * contiguous share of the samples; later requests calibrate, analyse or emulate over
 * that share without receiving it again.
 *
 * Every job runs the very code of the single-threaded path (`calibrate`,
 * `measureSample`, `QuantEmulator.run`) on its part of the work.
 *
 * @module
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { decodeModel } from "../onnx/load.ts";
import { Executor } from "../exec/executor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { useKernelIsa } from "../wasm/kernels.ts";
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import { AxbError, UnsupportedOpError } from "../errors/mod.ts";
import { calibrate } from "./calibrate.ts";
import type { Histogram } from "./histogram.ts";
import { QuantEmulator } from "./emulator.ts";
import { measureSample, type RecordedEmulation, recordEmulation } from "./precision_analysis.ts";
import {
  type FromWorker,
  histogramFor,
  quantFromWire,
  samplesFromWire,
  samplesToWire,
  type ToWorker,
  type WireError,
  type WireHistogram,
  type WireRange,
} from "./pool_wire.ts";

interface State {
  exec: Executor;
  samples: Map<string, Tensor>[];
  /** The emulator of the quantized model sent by `quant`. */
  emu?: QuantEmulator;
  /**
   * The last emulation of one held sample by that emulator (the io export's), kept until
   * the next analysis, whose measurement of that sample reuses it instead of emulating
   * it again.
   */
  emulated?: { feeds: Map<string, Tensor>; run: RecordedEmulation };
}

let state: State | undefined;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(msg, { transfer });
}

function loaded(): State {
  if (!state) throw new Error("request before load");
  return state;
}

function pass1(keepFirstOutputs: boolean): void {
  const s = loaded();
  let first: Map<string, Tensor> | undefined;
  const stats = calibrate(s.exec, s.samples, {
    method: "MinMax",
    onProgress: () => post({ kind: "progress" }),
    onOutputs: keepFirstOutputs ? (i, outputs) => i === 0 && (first = outputs) : undefined,
  });
  const ranges = [...stats].map(([name, st]) => ({
    name,
    min: st.observed.min,
    max: st.observed.max,
  }));
  const transfer: Transferable[] = [];
  const firstOutputs = first && samplesToWire(first, transfer);
  post({ kind: "ranges", ranges, firstOutputs }, transfer);
}

function pass2(ranges: WireRange[], bins: number | undefined): void {
  const s = loaded();
  const histograms = new Map<string, Histogram>();
  for (const r of ranges) histograms.set(r.name, histogramFor(r, bins));
  const fill = (name: string, t: Tensor) => {
    const h = histograms.get(name);
    if (h) h.add(asFloat32(t));
  };
  for (const feeds of s.samples) {
    for (const [name, t] of feeds) fill(name, t);
    s.exec.run(feeds, { onValue: fill });
    post({ kind: "progress" });
  }
  const out: WireHistogram[] = [...histograms].map(([name, h]) => ({
    name,
    counts: h.counts,
    total: h.total,
  }));
  const transfer: Transferable[] = [];
  for (const h of out) if (h.counts.buffer instanceof ArrayBuffer) transfer.push(h.counts.buffer);
  post({ kind: "histograms", histograms: out }, transfer);
}

function analyze(msg: Extract<ToWorker, { kind: "analyze" }>): void {
  const s = loaded();
  if (!s.emu) throw new Error("analyze requested before quant");
  const samples = msg.samples
    ? msg.samples.map(samplesFromWire)
    : msg.indices
    ? msg.indices.map((i) => s.samples[i])
    : s.samples;
  const emulated = s.emulated;
  s.emulated = undefined;
  const measures = samples.map((feeds) => {
    const m = measureSample(s.exec, s.emu!, feeds, msg.method, {
      emulated: emulated?.feeds === feeds ? emulated.run : undefined,
    });
    post({ kind: "progress" });
    return m;
  });
  // the per-channel sums move to the main thread without a copy
  const transfer = new Set<ArrayBuffer>();
  for (const m of measures.flat()) {
    const sums = [m.codes?.roundTrip, m.channelCosine].flatMap((c) =>
      c ? [c.dot, c.got, c.ref] : []
    );
    const arrays = m.codes ? [m.codes.marks, m.codes.min, m.codes.max, ...sums] : sums;
    for (const a of arrays) if (a.buffer instanceof ArrayBuffer) transfer.add(a.buffer);
  }
  post({ kind: "measures", measures }, [...transfer]);
}

function emulate(msg: Extract<ToWorker, { kind: "emulate" }>): void {
  const emu = msg.quant
    ? new QuantEmulator(quantFromWire(msg.quant, state?.exec.model), defaultRegistry(), {
      arithmetic: msg.arithmetic,
    })
    : loaded().emu;
  if (!emu) throw new Error("emulate requested before quant");
  const src = msg.feeds;
  const held = "held" in src;
  const feeds = "held" in src ? heldSample(src.held) : samplesFromWire(src);
  const values = new Map<string, Tensor>();
  let outs: Map<string, Tensor>;
  if (held && !msg.quant && msg.keep === "outputs") {
    // the loaded model's run of a held sample, recorded for the analysis of that sample
    const run = recordEmulation(emu, feeds);
    loaded().emulated = { feeds, run };
    outs = run.outputs;
  } else {
    outs = emu.run(feeds, {
      onValue: msg.keep === "all" ? (n, t) => values.set(n, t) : undefined,
    });
  }
  for (const [k, v] of outs) values.set(k, v);
  const transfer: Transferable[] = [];
  post({ kind: "values", values: samplesToWire(values, transfer) }, transfer);
}

/** This worker's sample `i` of its share. */
function heldSample(i: number): Map<string, Tensor> {
  const feeds = loaded().samples[i];
  if (!feeds) throw new Error(`emulate asked for held sample ${i}, which this worker lacks`);
  return feeds;
}

function wireError(e: unknown): WireError {
  if (e instanceof UnsupportedOpError) {
    return { name: e.name, message: e.message, opType: e.opType, nodeName: e.nodeName };
  }
  if (e instanceof AxbError) return { name: e.name, message: e.message };
  return { name: "Error", message: e instanceof Error ? e.message : String(e) };
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  try {
    switch (msg.kind) {
      case "load":
        useKernelIsa(msg.isa);
        state = {
          exec: new Executor(decodeModel(msg.model), defaultRegistry()),
          samples: msg.samples.map(samplesFromWire),
        };
        return post({ kind: "ready" });
      case "pass1":
        return pass1(msg.keepFirstOutputs);
      case "pass2":
        return pass2(msg.ranges, msg.bins);
      case "quant":
        loaded().emulated = undefined;
        loaded().emu = new QuantEmulator(
          quantFromWire(msg.quant, loaded().exec.model),
          defaultRegistry(),
        );
        return post({ kind: "ready" });
      case "analyze":
        return analyze(msg);
      case "emulate":
        return emulate(msg);
    }
  } catch (e) {
    post({ kind: "error", error: wireError(e) });
  }
};
