import { strict as assert } from "node:assert";
import type { Node } from "../ir/graph.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { listedCapabilities, type OpCapabilities, opCapabilities } from "./op_capabilities.ts";
import { INTEGER_STEPS } from "./integer_steps.ts";
import { ARITHMETICS, kernelApplies, type Operand } from "./kernel_applicability.ts";

const REGISTRY = defaultRegistry();
const TABLE = listedCapabilities();

function nodeOf(opType: string, inputs: number): Node {
  const names = Array.from({ length: inputs }, (_, i) => `in${i}`);
  return { name: opType, opType, domain: "", inputs: names, outputs: ["out"], attrs: new Map() };
}

/**
 * The operands a weighted operator has once quantized: a quantized activation, its weight
 * coded along the rule's axis (4-D, or 2-D for matrix products), and an S32 bias of one
 * entry per channel.
 */
function quantizedForm(opType: string, caps: OpCapabilities): { node: Node; operands: Operand[] } {
  const rule = caps.weight;
  if (!rule) {
    const node = nodeOf(opType, 2);
    return { node, operands: [{ kind: "activation" }, { kind: "activation" }] };
  }
  const node = nodeOf(opType, rule.bias === undefined ? 2 : 3);
  const shape = caps.cost === "conv" && (opType === "Gemm" || opType === "MatMul")
    ? [4, 4]
    : [4, 4, 3, 3];
  const axis = rule.axis(node, shape);
  assert.ok(axis !== undefined, `${opType}: the weight rule applies to the plain form`);
  const operands: Operand[] = [
    { kind: "activation" },
    { kind: "constant", shape, codes: { axis } },
  ];
  if (rule.bias !== undefined) {
    operands.push({ kind: "constant", shape: [shape[axis]], codes: { axis: 0 } });
  }
  return { node, operands };
}

Deno.test("every operator of the capability table exists in defaultRegistry()", () => {
  for (const [op] of TABLE) assert.ok(REGISTRY.has("", op), `${op} is not in the registry`);
});

Deno.test("every integer kernel id of the capability table has an implementation", () => {
  const used = new Set<string>();
  for (const [op, caps] of TABLE) {
    if (!caps.integer) continue;
    used.add(caps.integer.kernel);
    assert.equal(typeof INTEGER_STEPS[caps.integer.kernel], "function", op);
  }
  // and no implementation is dead
  assert.deepEqual(Object.keys(INTEGER_STEPS).sort(), [...used].sort());
});

Deno.test("every fusible producer's kernel accepts its quantized form in both arithmetics", () => {
  for (const [op, caps] of TABLE) {
    if (!caps.integer?.fusesActivation) continue;
    const { node, operands } = quantizedForm(op, caps);
    for (const arithmetic of ARITHMETICS) {
      const q = { node, opset: 17, operands, outputQuantized: true, arithmetic };
      assert.ok(kernelApplies(caps.integer.kernel, q), `${op} in ${arithmetic}`);
    }
  }
});

Deno.test("every operator with integer-coded weights has an integer kernel", () => {
  for (const [op, caps] of TABLE) {
    if (caps.weight) assert.ok(caps.integer, `${op} codes weights but no kernel runs them`);
  }
});

Deno.test("every table operator and bounds activation has a float kernel to build its table from", () => {
  for (const [op, caps] of TABLE) {
    if (caps.boundsActivation) assert.ok(caps.lut, `${op} must run as a table when not fused`);
    if (caps.lut) assert.ok(REGISTRY.has("", op), `${op} has no float kernel`);
  }
});

Deno.test("opCapabilities() gives unlisted operators their own scales and nothing else", () => {
  const caps = opCapabilities("Softmax");
  assert.deepEqual(
    [caps.scales, caps.integer, caps.lut, caps.boundsActivation, caps.weight, caps.cost],
    ["own", undefined, false, false, undefined, "vector"],
  );
  // names that are properties of every object are not operators
  assert.equal(opCapabilities("constructor").integer, undefined);
});
