import { strict as assert } from "node:assert";
import type { Attribute } from "../../core/ir/attribute.ts";
import { attr } from "../../core/ir/builder.ts";
import type { Node } from "../../core/ir/graph.ts";
import { clip } from "../../core/ops/elementwise/clip.ts";
import { gemmOp } from "../../core/ops/nn/matmul.ts";
import type { LegalityContext } from "../target.ts";
import { ax650 } from "../ax650.ts";
import { bernoulli2 } from "../bernoulli2.ts";
import { legalityOf, outcome } from "../_testing.ts";
import { withAttrs, withReader } from "./checks.ts";

function node(opType: string, attrs: Record<string, Attribute> = {}): Node {
  return {
    name: "n",
    opType,
    domain: "",
    inputs: ["x", "w", "c"],
    outputs: ["y"],
    attrs: new Map(Object.entries(attrs)),
  };
}

function context(opset: number): LegalityContext {
  return { inputTypes: [], outputTypes: [], constantInputs: [], opset };
}

const betaIsOne = withAttrs(
  gemmOp,
  (a) =>
    a.beta === 1 ? undefined : { found: `beta is ${a.beta}`, expected: "supports beta 1 only" },
);

Deno.test("withAttrs() hands the test the parser's attributes with ONNX defaults applied", () => {
  assert.equal(betaIsOne(node("Gemm"), context(13)), undefined);
  assert.deepEqual(betaIsOne(node("Gemm", { beta: attr.float(0.5) }), context(13)), {
    found: "beta is 0.5",
    expected: "supports beta 1 only",
  });
});

Deno.test("withAttrs() fails the check with the parser's message when an attribute is malformed", () => {
  const f = betaIsOne(node("Gemm", { beta: attr.string("half") }), context(13));
  assert.ok(f);
  assert.equal(
    f.found,
    'its attributes do not parse (Node "n" (Gemm): attribute beta is string, expected float)',
  );
});

Deno.test("withAttrs() parses under the context's opset", () => {
  const bounds = withAttrs(clip, (a) => ({
    found: `from inputs ${a.fromInputs}, min ${a.attrMin}`,
    expected: "",
  }));
  const n = node("Clip", { min: attr.float(0) });
  assert.equal(bounds(n, context(6))?.found, "from inputs false, min 0");
  assert.equal(bounds(n, context(11))?.found, "from inputs true, min undefined");
});

Deno.test("withAttrs() fails the check for an operator it has no parser for", () => {
  const f = betaIsOne(node("Relu"), context(13));
  assert.equal(f?.found, "the check reads Gemm attributes, not Relu");
});

Deno.test("withReader() fails the check instead of throwing on a wrongly typed attribute", () => {
  const mode = withReader((r) => {
    const v = r.string("interpolation_mode", "bilinear");
    return v === "bilinear" ? undefined : { found: `mode is ${v}`, expected: "bilinear only" };
  });
  assert.equal(mode(node("SpatialTransformer"), context(13)), undefined);
  const f = mode(node("SpatialTransformer", { interpolation_mode: attr.int(1) }), context(13));
  assert.match(f?.found ?? "", /attribute interpolation_mode is int, expected string/);
});

Deno.test("ax650.legality() places a Cast without its required `to` on the CPU instead of throwing", () => {
  const l = legalityOf(ax650, { op: "Cast", inputs: [{ shape: [1, 4] }] });
  assert.equal(l.action, "cpu");
  assert.match(outcome(l), /^Cast "n": its attributes do not parse \(.*required attribute to/);
});

Deno.test("bernoulli2.legality() reads an ArgMax axis through the ArgMax parser", () => {
  const wide = { shape: [1, 8, 100] };
  const l = legalityOf(bernoulli2, { op: "ArgMax", inputs: [wide], attrs: { axis: attr.int(-1) } });
  assert.match(outcome(l), /input \[1, 8, 100\] has 100 channels on axis 2/);
  const ok = legalityOf(bernoulli2, { op: "ArgMax", inputs: [wide], attrs: { axis: attr.int(1) } });
  assert.equal(outcome(ok), "npu");
});
