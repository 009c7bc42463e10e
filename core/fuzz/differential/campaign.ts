/**
 * A differential campaign: cases `0 … cases-1` of a seed, run one after another in this
 * thread (the peer is a native addon that stays in the thread that loaded it), with the
 * outcomes counted, the known peer quirks set apart by {@linkcode EXCLUSIONS} (named and
 * counted, never silent) and every other disagreement listed with what reproduces it.
 *
 * @module
 */
import type { OpRegistry } from "../../ops/op.ts";
import type { TargetRegistry } from "../../../targets/registry.ts";
import {
  type CaseResult,
  type Disagreement,
  type PeerRuntime,
  runDifferentialCase,
} from "./run_case.ts";

/** A class of disagreement that is not axb's error, with the reason it is set apart. */
export interface Exclusion {
  readonly name: string;
  readonly reason: string;
  /** Whether a disagreement of `result` belongs to the class. */
  readonly matches: (result: CaseResult, d: Disagreement) => boolean;
}

/** The excluded classes (each found by the generator, explained in its reason). */
export const EXCLUSIONS: readonly Exclusion[] = [
  {
    name: "onnxruntime graph optimisation",
    reason: "onnxruntime at its default level (all) rewrites the graph and then disagrees " +
      "with the same graph run as written (level disabled), which agrees with axb: its " +
      "QLinearSoftmax fusion gave all zeros for a U8 Softmax whose output scale is not " +
      "1/256; its QDQ Add fusion refused an Add feeding a Clip without QDQ between them " +
      '("two nodes with same node name"); its Pad fusion folded a Pad into a MaxPool ' +
      'and then refused the pool ("Pad should be smaller than kernel")',
    matches: (_r, d) => d.unfusedPeerAgrees === true,
  },
  {
    name: "step function of a quantized value",
    reason: "compiled vs float only: a comparison (Greater, Less, Equal, …), a rounding " +
      "(Floor, Ceil, Round, a Cast to an integer) or an index (ArgMax, ArgMin) of a " +
      "quantized input jumps by a whole step or to another index where the input lies " +
      "within one quantization step of a threshold or of another element, an error no " +
      "cosine floor bounds, on the outputs it feeds; " +
      "the compiled model still has to agree with onnxruntime on the QDQ model",
    matches: (r, d) => d.leg === "compiled" && feedingOps(r, d).some((op) => STEP_OPS.has(op)),
  },
  {
    name: "NPU rounding amplified downstream",
    reason: "quant leg only, when axb's reference emulator of the same QDQ graph agrees with " +
      "onnxruntime: the compiled model's NPU numeric model (fixed-point multipliers, ties " +
      "away from zero) moves an intermediate code by one step where onnxruntime's float " +
      "requantization does not, and a later operator amplifies it: a step function flips " +
      "(then any size), or a steep one (Sqrt near 0, Tanh, Erf, Sin) or a sum (CumSum, " +
      "reductions) makes it a few steps: at most 3 of an 8-bit grid, 16 of a 16-bit one",
    matches: (r, d) =>
      d.leg === "quant" && d.referenceAgrees === true &&
      (feedingOps(r, d).some((op) => STEP_OPS.has(op)) ||
        (d.largestSteps ?? Infinity) <= (d.gridBits === 16 ? 16 : 3)),
  },
  {
    name: "CPU subgraph in float where the QDQ graph quantizes",
    reason: "quant leg only: the compiled model runs a node the target does not list on the " +
      "CPU in float, on its unquantized input, where the QDQ graph quantizes that input " +
      "first; the compiled output is at least as close to the float model's as " +
      "onnxruntime's QDQ output is, or it agrees with onnxruntime once fed its inputs " +
      "rounded to the QDQ graph's input grids (an input rounding fewer, not an arithmetic " +
      "error)",
    matches: (_r, d) =>
      d.leg === "quant" && (d.cpuFloatCloser === true || d.roundedInputsAgree === true),
  },
];

/**
 * The operator types the disagreeing output depends on: a step function elsewhere in the
 * model cannot move it. An output the model does not name (none today) falls back to
 * every operator of the case.
 */
function feedingOps(r: CaseResult, d: Disagreement): readonly string[] {
  return Object.hasOwn(r.upstream, d.output) ? r.upstream[d.output] : r.ops;
}

/** Operators whose output jumps at thresholds of their input. */
const STEP_OPS = new Set([
  "Greater",
  "GreaterOrEqual",
  "Less",
  "LessOrEqual",
  "Equal",
  "Floor",
  "Ceil",
  "Round",
  "Sign",
  // an index jumps where two inputs swap order; a float-to-integer cast truncates
  "ArgMax",
  "ArgMin",
  "Cast",
]);

/** What a campaign runs. */
export interface DifferentialOptions {
  readonly seed: number;
  readonly cases: number;
  /** First case index (default 0), so a long campaign can run in chunks. */
  readonly first?: number;
  readonly registry: OpRegistry;
  readonly targets: TargetRegistry;
  readonly peer: PeerRuntime;
  /** Called after each case. */
  readonly onCase?: (r: CaseResult) => void;
}

/** What a campaign found. */
export interface DifferentialReport {
  readonly seed: number;
  readonly results: readonly CaseResult[];
  /** Cases per outcome kind (`excluded`: every disagreement of the case is excluded). */
  readonly counts: Readonly<Record<string, number>>;
  /** Disagreements set apart, per exclusion name. */
  readonly excluded: Readonly<Record<string, number>>;
  /** Cases that count as failures: disagreements not excluded, crashes, peer errors. */
  readonly failures: readonly CaseResult[];
  /** Nodes generated per operator type. */
  readonly ops: Readonly<Record<string, number>>;
  /** Per operator type, the cases containing it per outcome kind (as in `counts`). */
  readonly byOperator: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly wallMs: number;
}

/** The exclusion a disagreement falls under, if any. */
export function exclusionOf(r: CaseResult, d: Disagreement): Exclusion | undefined {
  return EXCLUSIONS.find((x) => x.matches(r, d));
}

/**
 * Run a campaign.
 *
 * @param opts seed, case count, registries and the peer
 */
export async function runDifferential(opts: DifferentialOptions): Promise<DifferentialReport> {
  const t0 = performance.now();
  const axera = opts.targets.list().filter((t) => t.family === "axera");
  const ctx = {
    registry: opts.registry,
    targets: opts.targets,
    peer: opts.peer,
    axera,
    recipes: new Map(),
  };
  const results: CaseResult[] = [];
  const counts: Record<string, number> = {};
  const excluded: Record<string, number> = {};
  const failures: CaseResult[] = [];
  const ops: Record<string, number> = {};
  const byOperator: Record<string, Record<string, number>> = {};
  const first = opts.first ?? 0;
  for (let index = first; index < first + opts.cases; index++) {
    const dir = await Deno.makeTempDir({ prefix: "axb_diff_" });
    let r: CaseResult;
    try {
      r = await runDifferentialCase(opts.seed, index, ctx, dir);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
    for (const op of r.ops) ops[op] = (ops[op] ?? 0) + 1;
    let kind: string = r.outcome.kind;
    if (r.outcome.kind === "disagree") {
      const open = r.outcome.disagreements.filter((d) => {
        const x = exclusionOf(r, d);
        if (x) excluded[x.name] = (excluded[x.name] ?? 0) + 1;
        return !x;
      });
      if (open.length === 0) kind = "excluded";
    }
    counts[kind] = (counts[kind] ?? 0) + 1;
    for (const op of new Set(r.ops)) {
      const row = byOperator[op] ??= {};
      row[kind] = (row[kind] ?? 0) + 1;
    }
    if (kind === "disagree" || kind === "crash" || kind === "peer-error") failures.push(r);
    results.push(r);
    opts.onCase?.(r);
  }
  return {
    seed: opts.seed,
    results,
    counts,
    excluded,
    failures,
    ops,
    byOperator,
    wallMs: performance.now() - t0,
  };
}

/** One line that reproduces and describes a failing case. */
export function describeFailure(seed: number, r: CaseResult): string {
  const head = `seed ${seed} case ${r.index} [${r.target}: ${r.ops.join(" ")}] (${r.note})`;
  const o = r.outcome;
  if (o.kind === "disagree") {
    return `${head}: ${o.disagreements.map((d) => `${d.leg} ${d.output}: ${d.detail}`).join("; ")}`;
  }
  if (o.kind === "agree") return `${head}: agree`;
  return `${head}: ${o.kind}: ${"message" in o ? o.message : ""}`;
}

/** Outcome kinds in report order. */
const KINDS = ["agree", "disagree", "excluded", "refused", "peer-error", "crash"];

/** Per operator type, one line: the cases containing it per outcome kind (kinds seen only). */
export function formatByOperator(r: DifferentialReport): string {
  return Object.keys(r.byOperator).sort().map((op) => {
    const row = r.byOperator[op];
    return `${op}: ${KINDS.filter((k) => row[k]).map((k) => `${k} ${row[k]}`).join(", ")}`;
  }).join("\n");
}

/** The report as text: outcomes, exclusions, slowest case, then every failure. */
export function formatDifferentialReport(r: DifferentialReport): string {
  const lines = [
    `differential seed ${r.seed}: ${r.results.length} cases: ` +
    KINDS.map((k) => `${k} ${r.counts[k] ?? 0}`).join(", "),
  ];
  for (const x of EXCLUSIONS) {
    lines.push(`excluded "${x.name}": ${r.excluded[x.name] ?? 0} (${x.reason})`);
  }
  const slowest = Math.max(0, ...r.results.map((x) => x.ms));
  lines.push(
    `${Object.keys(r.ops).length} operator types in ${
      Object.values(r.ops).reduce((a, b) => a + b, 0)
    } nodes; wall time ${(r.wallMs / 1000).toFixed(1)} s, slowest case ${
      (slowest / 1000).toFixed(1)
    } s`,
  );
  for (const f of r.results.filter((x) => x.outcome.kind === "refused")) {
    lines.push(`refused: ${describeFailure(r.seed, f)}`);
  }
  for (const f of r.failures) lines.push(`FAIL: ${describeFailure(r.seed, f)}`);
  return lines.join("\n");
}
