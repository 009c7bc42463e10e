/**
 * The fuzz runner: makes the cases of a run from its seed, runs each in a worker thread with a
 * time budget (a case still running at the deadline is a hang: the worker is terminated and
 * replaced) and a memory budget (the process's resident memory is sampled while a case runs;
 * past the budget the worker is terminated and the case is a crash), classifies every case
 * as ok / named error / crash / hang, and stores crashes and hangs as reproducers.
 *
 * @module
 */
import { formatBytes } from "../ir/dtype.ts";
import { CASE_KINDS, type CaseKind, type FuzzCase, makeCase, saveCase } from "./cases.ts";
import type { Corpus } from "./corpus.ts";
import type { Outcome, Verdict } from "./targets.ts";

/** What a run does. */
export interface FuzzOptions {
  /** Run seed: the same seed makes the same cases. */
  seed: number;
  /** Cases per kind. */
  counts: Readonly<Record<CaseKind, number>>;
  /** Per-case time budget, in milliseconds. */
  timeoutMs: number;
  /**
   * How far the process's resident memory may grow while a case runs, in bytes, over what it
   * was when the case started (after its worker was ready: a worker's first start type-checks
   * its module in this process, which is not the case's doing).
   */
  memoryGrowthBytes: number;
  /** The tensor size limit the cases run under, in bytes. */
  tensorBytes: number;
  /** Where crashes and hangs are stored as reproducers (not stored when absent). */
  saveDir?: string;
  /** Called after each case. */
  onCase?: (kind: CaseKind, index: number, verdict: Verdict) => void;
  /** The worker script (default `worker.ts`; tests substitute one that misbehaves). */
  workerUrl?: URL;
}

/** One row of the report; `wrapped` counts the named errors that wrap an engine error. */
export type KindRow = Record<"tried" | Outcome | "wrapped", number>;

/** A crash or a hang. */
export interface Finding {
  kind: CaseKind;
  index: number;
  note: string;
  verdict: Verdict;
  /** The reproducer's sidecar, when stored. */
  sidecar?: string;
}

/** What a run found. */
export interface FuzzReport {
  rows: Record<CaseKind, KindRow>;
  findings: Finding[];
  /** Wall time of the whole run, in milliseconds. */
  wallMs: number;
  /** Highest resident memory of the process seen while a case ran, in bytes. */
  peakRssBytes: number;
  /** Slowest case, in milliseconds. */
  slowestMs: number;
}

type Reply = { ready: true } | { id: number; verdict: Verdict };

/** One worker thread and the case it is running. */
class CaseWorker {
  #worker: Worker;
  #ready: Promise<void>;
  #pending?: (r: Verdict) => void;

  constructor(tensorBytes: number, url: URL) {
    this.#worker = new Worker(url, { type: "module" });
    this.#ready = new Promise((resolve, reject) => {
      this.#worker.onmessage = (ev: MessageEvent<Reply>) => {
        if ("ready" in ev.data) resolve();
        else this.#pending?.(ev.data.verdict);
      };
      this.#worker.onerror = (ev) => {
        ev.preventDefault();
        reject(new Error(`fuzz worker failed: ${ev.message}`));
        this.#pending?.({ outcome: "crash", detail: `worker error: ${ev.message}` });
      };
    });
    this.#worker.postMessage({ tensorBytes });
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  run(id: number, c: FuzzCase): Promise<Verdict> {
    return new Promise((resolve) => {
      this.#pending = resolve;
      this.#worker.postMessage({ id, case: c });
    });
  }

  terminate(): void {
    this.#worker.terminate();
  }
}

/** Budgets of one case. */
export interface CaseBudget {
  /** Time, in milliseconds. */
  timeoutMs: number;
  /** Growth of the process's resident memory over its size when the case starts, in bytes. */
  memoryGrowthBytes: number;
}

/**
 * A worker slot: runs cases one at a time within their budgets, replacing its worker after a
 * case that hung, ran out of memory or killed it.
 */
export class WorkerSlot {
  #worker?: CaseWorker;
  #id = 0;
  /** Highest resident memory of the process seen while a case ran, in bytes. */
  peakRssBytes = 0;

  /** A slot whose workers run `url` under a tensor limit of `tensorBytes`. */
  constructor(readonly tensorBytes: number, readonly url: URL) {}

  /** Run `c` and classify how it ended; never throws for what the case does. */
  async run(c: FuzzCase, budget: CaseBudget): Promise<Verdict> {
    this.#worker ??= new CaseWorker(this.tensorBytes, this.url);
    await this.#worker.ready();
    const limit = Deno.memoryUsage().rss + budget.memoryGrowthBytes;
    let stop: ((v: Verdict) => void) | undefined;
    const stopped = new Promise<Verdict>((resolve) => stop = resolve);
    const timer = setTimeout(
      () => stop?.({ outcome: "hang", detail: `still running after ${budget.timeoutMs} ms` }),
      budget.timeoutMs,
    );
    const sampler = setInterval(() => {
      const rss = Deno.memoryUsage().rss;
      this.peakRssBytes = Math.max(this.peakRssBytes, rss);
      if (rss > limit) {
        stop?.({
          outcome: "crash",
          detail: `memory: the process reached ${formatBytes(rss)}, over the budget of ${
            formatBytes(limit)
          }`,
        });
      }
    }, 20);
    const verdict = await Promise.race([this.#worker.run(++this.#id, c), stopped]);
    clearTimeout(timer);
    clearInterval(sampler);
    this.peakRssBytes = Math.max(this.peakRssBytes, Deno.memoryUsage().rss);
    const dead = verdict.outcome === "hang" || verdict.detail?.startsWith("memory:") ||
      verdict.detail?.startsWith("worker error:");
    if (dead) this.close();
    return verdict;
  }

  /** Stop the current worker (a new one starts with the next case). */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}

/**
 * Run one fuzz campaign.
 *
 * @param corpus the seeds
 * @param opts seed, counts and budgets
 */
export async function runFuzz(corpus: Corpus, opts: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const row = (): KindRow => ({ tried: 0, ok: 0, named: 0, crash: 0, hang: 0, wrapped: 0 });
  const rows: Record<CaseKind, KindRow> = { model: row(), config: row(), archive: row() };
  const findings: Finding[] = [];
  let slowest = 0;
  const slot = new WorkerSlot(
    opts.tensorBytes,
    opts.workerUrl ?? new URL("./worker.ts", import.meta.url),
  );
  const budget = { timeoutMs: opts.timeoutMs, memoryGrowthBytes: opts.memoryGrowthBytes };
  try {
    for (const kind of CASE_KINDS) {
      for (let index = 0; index < opts.counts[kind]; index++) {
        const made = makeCase(kind, index, opts.seed, corpus);
        const started = performance.now();
        const verdict = await slot.run(made.case, budget);
        slowest = Math.max(slowest, performance.now() - started);
        rows[kind].tried++;
        rows[kind][verdict.outcome]++;
        if (verdict.wrapped) rows[kind].wrapped++;
        if (verdict.outcome === "crash" || verdict.outcome === "hang") {
          const finding: Finding = { kind, index, note: made.note, verdict };
          if (opts.saveDir) {
            finding.sidecar = await saveCase(opts.saveDir, made, {
              seed: opts.seed,
              index,
              found: verdict,
            });
          }
          findings.push(finding);
        }
        opts.onCase?.(kind, index, verdict);
      }
    }
  } finally {
    slot.close();
  }
  return {
    rows,
    findings,
    wallMs: performance.now() - t0,
    peakRssBytes: slot.peakRssBytes,
    slowestMs: slowest,
  };
}

/** The report as a text table (tried / ok / named error / crash / hang per kind). */
export function formatReport(r: FuzzReport): string {
  const header = ["input", "tried", "ok", "named error", "crash", "hang"];
  const lines = CASE_KINDS.map((k) => {
    const x = r.rows[k];
    return [k, x.tried, x.ok, x.named, x.crash, x.hang].map(String);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  const wrapped = CASE_KINDS.map((k) => `${k} ${r.rows[k].wrapped}`).join(", ");
  return [
    fmt(header),
    ...lines.map(fmt),
    `named errors wrapping an engine error caught by the executor: ${wrapped}`,
    `wall time ${(r.wallMs / 1000).toFixed(1)} s, slowest case ${
      (r.slowestMs / 1000).toFixed(1)
    } s, peak resident memory ${formatBytes(r.peakRssBytes)}`,
  ].join("\n");
}
