/**
 * The campaign's exclusions: a step operator excuses a compiled-vs-float disagreement only
 * on the outputs it feeds.
 */
import { strict as assert } from "node:assert";
import { type DifferentialReport, exclusionOf, formatByOperator } from "./campaign.ts";
import type { CaseResult, Disagreement } from "./run_case.ts";

/** in0 → Floor → a; in0 → Tanh → b (two outputs, one fed by the step operator). */
const CASE: CaseResult = {
  index: 0,
  target: "AX650",
  ops: ["Floor", "Tanh"],
  upstream: { a: ["Floor"], b: ["Tanh"] },
  note: "",
  outcome: { kind: "agree" },
  ms: 0,
};

const compiled = (output: string): Disagreement => ({
  leg: "compiled",
  output,
  detail: "cosine 0.5 (floor 0.9 for U8)",
});

Deno.test("exclusionOf() excuses a compiled disagreement on an output a step operator feeds", () => {
  assert.equal(exclusionOf(CASE, compiled("a"))?.name, "step function of a quantized value");
});

Deno.test("exclusionOf() does not excuse an output no step operator feeds", () => {
  assert.equal(exclusionOf(CASE, compiled("b")), undefined);
});

Deno.test("exclusionOf() counts a rounding flip on the quant leg only where a step operator feeds it", () => {
  const quant = (output: string): Disagreement => ({
    leg: "quant",
    output,
    detail: "90 of 100 within 1 LSB",
    referenceAgrees: true,
    largestSteps: 40,
    gridBits: 8,
  });
  assert.equal(exclusionOf(CASE, quant("a"))?.name, "NPU rounding amplified downstream");
  assert.equal(exclusionOf(CASE, quant("b")), undefined);
});

Deno.test("exclusionOf() sets a quant disagreement apart when rounded inputs make it agree", () => {
  const d = (roundedInputsAgree: boolean): Disagreement => ({
    leg: "quant",
    output: "b",
    detail: "16 of 24 within 1 LSB",
    referenceAgrees: true,
    largestSteps: 76,
    gridBits: 16,
    cpuFloatCloser: false,
    roundedInputsAgree,
  });
  assert.equal(
    exclusionOf(CASE, d(true))?.name,
    "CPU subgraph in float where the QDQ graph quantizes",
  );
  assert.equal(exclusionOf(CASE, d(false)), undefined);
});

Deno.test("formatByOperator() lists each operator's cases per outcome, sorted by name", () => {
  const report: DifferentialReport = {
    seed: 1,
    results: [],
    counts: {},
    excluded: {},
    failures: [],
    ops: {},
    byOperator: { Tanh: { agree: 3 }, Floor: { agree: 1, excluded: 2 } },
    wallMs: 0,
  };
  assert.equal(formatByOperator(report), "Floor: agree 1, excluded 2\nTanh: agree 3");
});
