/**
 * The fuzzer itself: its runner tells ok, named error, crash, hang and memory overrun apart,
 * its cases are reproducible, and a fixed-seed campaign of a few hundred cases of each kind
 * finds no crash and no hang.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { InputDataError, KernelError } from "../errors/mod.ts";
import { maxTensorBytes } from "../ir/dtype.ts";
import { makeCase } from "./cases.ts";
import { loadCorpus } from "./corpus.ts";
import { formatReport, runFuzz, WorkerSlot } from "./runner.ts";
import { classify } from "./targets.ts";

const ROOT = join(import.meta.dirname ?? ".", "../..");

Deno.test("classify() calls an AxbError named and anything else a crash", () => {
  assert.equal(classify(new InputDataError("bad")).outcome, "named");
  const wrapped = classify(new KernelError("Node n failed: x", { cause: new RangeError("x") }));
  assert.deepEqual([wrapped.outcome, wrapped.wrapped], ["named", true]);
  assert.equal(classify(new RangeError("Invalid typed array length: -3072")).outcome, "crash");
  assert.equal(classify("thrown string").outcome, "crash");
  const multi = new InputDataError("x");
  multi.message = "two\nlines";
  assert.match(classify(multi).detail ?? "", /bad message/);
});

Deno.test("WorkerSlot.run() tells ok, named error, crash, hang and memory overrun apart", async () => {
  const slot = new WorkerSlot(
    maxTensorBytes(),
    new URL("./_misbehaving_worker.ts", import.meta.url),
  );
  const model = (mode: number) => ({ kind: "model" as const, bytes: new Uint8Array([mode]) });
  const budget = { timeoutMs: 20_000, memoryGrowthBytes: 256 * 2 ** 20 };
  try {
    assert.equal((await slot.run(model(0), budget)).outcome, "ok");
    assert.equal((await slot.run(model(1), budget)).outcome, "named");
    assert.equal((await slot.run(model(2), budget)).outcome, "crash");
    const hang = await slot.run(model(3), { ...budget, timeoutMs: 300 });
    assert.deepEqual(hang, { outcome: "hang", detail: "still running after 300 ms" });
    const memory = await slot.run(model(4), budget);
    assert.equal(memory.outcome, "crash");
    assert.match(memory.detail ?? "", /^memory: the process reached/);
    assert.equal((await slot.run(model(0), budget)).outcome, "ok", "a fresh worker after a kill");
  } finally {
    slot.close();
  }
});

Deno.test("makeCase() makes the same case from the same seed and index", () => {
  const corpus = loadCorpus(ROOT);
  for (const kind of ["model", "config", "archive"] as const) {
    const a = makeCase(kind, 7, 42, corpus);
    const b = makeCase(kind, 7, 42, corpus);
    assert.deepEqual(a, b);
    assert.notDeepEqual(makeCase(kind, 8, 42, corpus).note + kind, "");
  }
});

Deno.test("runFuzz() with seed 12 finds no crash and no hang in 300 models, 300 configs, 100 archives", async () => {
  const report = await runFuzz(loadCorpus(ROOT), {
    seed: 12,
    counts: { model: 300, config: 300, archive: 100 },
    timeoutMs: 20_000,
    memoryGrowthBytes: 2 ** 30,
    tensorBytes: 16 * 2 ** 20,
  });
  const text = formatReport(report);
  assert.deepEqual(
    report.findings.map((f) => `${f.kind} ${f.index} (${f.note}): ${f.verdict.detail}`),
    [],
    text,
  );
  for (const kind of ["model", "config", "archive"] as const) {
    const row = report.rows[kind];
    assert.equal(row.ok + row.named, row.tried, text);
    assert.ok(row.ok > 0 && row.named > 0, `both outcomes occur for ${kind}: ${text}`);
  }
});
