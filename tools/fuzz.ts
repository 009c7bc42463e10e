/**
 * `deno task fuzz`: mutate models, configs and calibration archives and run each mutant
 * through axb in a worker with a time and memory budget; print tried / ok / named error /
 * crash / hang per kind, store crashes and hangs as reproducers, and exit 1 when there
 * were any.
 *
 *     deno task fuzz [--seed N] [--models N] [--configs N] [--archives N]
 *                    [--timeout-ms N] [--memory-mb N] [--tensor-mb N] [--save DIR]
 *
 * `--memory-mb` is how far the process may grow while one case runs (default 1024).
 *
 * With `--differential`, it runs the differential generator instead
 * (`core/fuzz/differential/`): random small models and configs built for random AXera
 * targets, each compared three ways with onnxruntime-node and the float executor; prints
 * the outcome counts and every disagreement, and exits 1 when there was one.
 *
 *     deno task fuzz --differential [--seed N] [--cases N] [--first N] [--by-operator]
 *
 * `--by-operator` adds one line per operator type: the cases containing it per outcome.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCorpus } from "../core/fuzz/corpus.ts";
import { formatReport, runFuzz } from "../core/fuzz/runner.ts";
import {
  describeFailure,
  exclusionOf,
  formatByOperator,
  formatDifferentialReport,
  runDifferential,
} from "../core/fuzz/differential/campaign.ts";
import { ortPeer } from "../core/fuzz/differential/ort_peer.ts";
import { defaultRegistry } from "../core/ops/mod.ts";
import { builtinTargets, TargetRegistry } from "../targets/registry.ts";

const ROOT = join(import.meta.dirname ?? ".", "..");

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seed: { type: "string", default: "1" },
    models: { type: "string", default: "1000" },
    configs: { type: "string", default: "300" },
    archives: { type: "string", default: "100" },
    "timeout-ms": { type: "string", default: "10000" },
    "memory-mb": { type: "string", default: "1024" },
    "tensor-mb": { type: "string", default: "16" },
    save: { type: "string", default: join(ROOT, "fuzz-findings") },
    differential: { type: "boolean", default: false },
    cases: { type: "string", default: "200" },
    first: { type: "string", default: "0" },
    "by-operator": { type: "boolean", default: false },
  },
});

function count(name: keyof typeof values): number {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`fuzz: --${name} is "${values[name]}", expected a non-negative integer`);
    Deno.exit(2);
  }
  return v;
}

if (values.differential) {
  // onnxruntime-node is loaded only in this mode: the hostile fuzzer does not need it
  const ort = await import("onnxruntime-node");
  const targets = new TargetRegistry(builtinTargets());
  let done = 0;
  const report = await runDifferential({
    seed: count("seed"),
    cases: count("cases"),
    first: count("first"),
    registry: defaultRegistry(),
    targets,
    peer: ortPeer(ort),
    onCase: (r) => {
      if (++done % 100 === 0) console.error(`${done}/${values.cases} cases`);
      const o = r.outcome;
      const open = o.kind === "disagree"
        ? o.disagreements.some((d) => !exclusionOf(r, d))
        : o.kind !== "agree" && o.kind !== "refused";
      if (open) console.error(describeFailure(count("seed"), r));
    },
  });
  console.log(formatDifferentialReport(report));
  if (values["by-operator"]) console.log(formatByOperator(report));
  Deno.exit(report.failures.length > 0 ? 1 : 0);
}

const corpus = loadCorpus(ROOT);
const total = count("models") + count("configs") + count("archives");
let done = 0;
const report = await runFuzz(corpus, {
  seed: count("seed"),
  counts: { model: count("models"), config: count("configs"), archive: count("archives") },
  timeoutMs: count("timeout-ms"),
  memoryGrowthBytes: count("memory-mb") * 2 ** 20,
  tensorBytes: count("tensor-mb") * 2 ** 20,
  saveDir: String(values.save),
  onCase: (kind, index, v) => {
    done++;
    if (v.outcome === "crash" || v.outcome === "hang") {
      console.error(`${kind} ${index}: ${v.outcome}: ${v.detail}`);
    }
    if (done % 500 === 0) console.error(`${done}/${total} cases`);
  },
});
console.log(formatReport(report));
for (const f of report.findings) console.log(`${f.kind} ${f.index} (${f.note}) -> ${f.sidecar}`);
Deno.exit(report.findings.length > 0 ? 1 : 0);
