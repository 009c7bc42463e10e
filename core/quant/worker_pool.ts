/**
 * The one worker pool of axb: Deno workers running `pool_worker.ts` (protocol:
 * `pool_wire.ts`), each holding a float model, a contiguous share of samples and,
 * when sent, a quantized model. Calibration, precision analysis, the io export and
 * `compiler.check` spread their work over it.
 *
 * Requests to one worker are answered in order, one in flight at a time; results are
 * awaited in worker order so that the error thrown is the earliest share's — the error
 * the single-threaded code would have met first. A worker that cannot start (no read
 * permission for the worker module, or a `deno compile` binary built without
 * `--include core/quant/pool_worker.ts`) raises {@linkcode WorkerStartError}, after which
 * callers run in this thread.
 *
 * Workers always use the built-in operators (`defaultRegistry()`), since a registry
 * cannot cross a worker boundary.
 *
 * @module
 */
import {
  type AxbError,
  GraphError,
  InputDataError,
  KernelError,
  ModelFormatError,
  UnsupportedOpError,
} from "../errors/mod.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { Arithmetic } from "./int_kernels.ts";
import {
  type FromWorker,
  type HeldSample,
  samplesFromWire,
  samplesToWire,
  type ToWorker,
  type WireError,
  type WireQuant,
} from "./pool_wire.ts";

/** A worker that could not be created or died before its first message. */
export class WorkerStartError extends Error {}

/** A reply of one kind. */
export type Reply<K extends FromWorker["kind"]> = Extract<FromWorker, { kind: K }>;

/**
 * Workers used when the caller does not say: two when the machine has two cores or more
 * (calibration's default since it had workers), capped by the number of work items.
 * `bench/build_phases.ts` compares every phase with one thread: on a shared 2-core machine
 * whose other core was busy (load 3.5–5), two workers obtained one core between them and
 * cost 10–25 % more CPU than one thread (cold isolates), so re-measure on an idle machine
 * before changing this.
 */
export function defaultWorkerCount(items: number): number {
  return Math.max(1, Math.min(2, navigator.hardwareConcurrency, items));
}

/** Start index of each of `parts` contiguous shares of `n` items, then `n`. */
export function splitContiguous(n: number, parts: number): number[] {
  const starts: number[] = [];
  for (let i = 0; i <= parts; i++) starts.push(Math.round((i * n) / parts));
  return starts;
}

/** Await `promises` in order (later failures are awaited, not left unhandled). */
export async function inOrder<T>(promises: Promise<T>[]): Promise<T[]> {
  for (const p of promises) p.catch(() => {});
  const out: T[] = [];
  for (const p of promises) out.push(await p);
  return out;
}

/** A running pool; {@linkcode WorkerPool.close} ends its workers. */
export class WorkerPool {
  readonly #workers: Worker[];
  /** Workers that have sent at least one message (so they started). */
  readonly #started = new WeakSet<Worker>();
  /** The tail of each worker's request queue. */
  readonly #queues: Promise<unknown>[];

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    this.#queues = workers.map(() => Promise.resolve());
  }

  /**
   * Start `count` workers; they load their modules while the caller goes on.
   *
   * @throws {WorkerStartError} when a worker cannot be created
   */
  static open(count: number): WorkerPool {
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < count; i++) {
        workers.push(new Worker(new URL("./pool_worker.ts", import.meta.url), { type: "module" }));
      }
    } catch (e) {
      for (const w of workers) w.terminate();
      throw new WorkerStartError(`cannot start a worker: ${errorText(e)}`);
    }
    return new WorkerPool(workers);
  }

  /** Number of workers. */
  get size(): number {
    return this.#workers.length;
  }

  /**
   * Send `msg` to worker `index` (after its earlier requests) and wait for its reply of
   * kind `want`; `onProgress` receives each `progress` message before it.
   *
   * @throws {WorkerStartError} when the worker died before its first message
   * @throws {AxbError} the worker's error, rebuilt as its typed class
   */
  request<K extends FromWorker["kind"]>(
    index: number,
    msg: ToWorker,
    want: K,
    opts: { transfer?: Transferable[]; onProgress?: () => void } = {},
  ): Promise<Reply<K>> {
    const worker = this.#workers[index];
    const run = () => this.#send(worker, msg, want, opts.transfer ?? [], opts.onProgress);
    const reply = this.#queues[index].then(run, run);
    this.#queues[index] = reply.catch(() => {});
    return reply;
  }

  /** End every worker (pending requests never settle). */
  close(): void {
    for (const w of this.#workers) w.terminate();
  }

  #send<K extends FromWorker["kind"]>(
    worker: Worker,
    msg: ToWorker,
    want: K,
    transfer: Transferable[],
    onProgress: (() => void) | undefined,
  ): Promise<Reply<K>> {
    return new Promise((resolve, reject) => {
      worker.onmessage = (ev: MessageEvent<FromWorker>) => {
        const m = ev.data;
        this.#started.add(worker);
        if (m.kind === "progress") onProgress?.();
        else if (m.kind === "error") reject(rebuildError(m.error));
        else if (isKind(m, want)) resolve(m);
        else reject(new KernelError(`Worker replied "${m.kind}", expected "${want}"`));
      };
      worker.onerror = (ev: ErrorEvent) => {
        ev.preventDefault();
        reject(
          this.#started.has(worker)
            ? new KernelError(`Worker failed: ${ev.message}`)
            : new WorkerStartError(`worker did not start: ${ev.message}`),
        );
      };
      worker.onmessageerror = () => {
        reject(new KernelError(`Worker sent a message that cannot be decoded`));
      };
      worker.postMessage(msg, { transfer });
    });
  }
}

/** Options of {@linkcode emulateOnWorker}. */
export interface EmulateOnWorkerOptions {
  /** The quantized model to emulate (default: the one the worker was given). */
  quant?: WireQuant;
  /** Requantization arithmetic (default `qdq`). */
  arithmetic?: Arithmetic;
  /** `all`: every non-fused value, not only the outputs. */
  keep?: "outputs" | "all";
}

/**
 * Run `QuantEmulator.run` on worker `index` for one sample: `feeds`, or the one of the
 * worker's own samples `held` names.
 *
 * @returns the outputs, or (`keep: "all"`) every non-fused value, dequantized
 */
export async function emulateOnWorker(
  pool: WorkerPool,
  index: number,
  feeds: ReadonlyMap<string, Tensor> | HeldSample,
  opts: EmulateOnWorkerOptions = {},
): Promise<Map<string, Tensor>> {
  const transfer: Transferable[] = [];
  const reply = await pool.request(
    index,
    {
      kind: "emulate",
      quant: opts.quant,
      arithmetic: opts.arithmetic ?? "qdq",
      feeds: "held" in feeds ? feeds : samplesToWire(feeds, transfer),
      keep: opts.keep ?? "outputs",
    },
    "values",
    { transfer },
  );
  return samplesFromWire(reply.values);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isKind<K extends FromWorker["kind"]>(m: FromWorker, kind: K): m is Reply<K> {
  return m.kind === kind;
}

/** The typed error of a worker's failure, with the worker's message. */
function rebuildError(e: WireError): AxbError {
  switch (e.name) {
    case "InputDataError":
      return new InputDataError(e.message);
    case "GraphError":
      return new GraphError(e.message);
    case "ModelFormatError":
      return new ModelFormatError(e.message);
    case "UnsupportedOpError": {
      const prefix = `Cannot run node "${e.nodeName}": operator ${e.opType} `;
      const detail = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : undefined;
      return new UnsupportedOpError(e.opType ?? "?", e.nodeName ?? "?", detail);
    }
    case "KernelError":
      return new KernelError(e.message);
    default:
      return new KernelError(`Worker failed: ${e.message}`);
  }
}
