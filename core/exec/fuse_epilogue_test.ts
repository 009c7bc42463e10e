import { strict as assert } from "node:assert";
import { attr, buildModel, type ModelSpec } from "../ir/builder.ts";
import { f32, type Tensor, toNumbers } from "../ir/tensor.ts";
import { defaultRegistry } from "../ops/mod.ts";
import { applyEpilogue, applyEpilogueWasm, type ElementwiseEpilogue } from "../ops/epilogue.ts";
import { wasmKernels } from "../wasm/kernels.ts";
import { firstBitDifference, onEveryIsa, randomF32 } from "../wasm/_testing.ts";
import { Executor } from "./executor.ts";
import { epilogueOf, planEpilogues } from "./epilogue_plan.ts";
import { erf } from "../ops/elementwise/erf.ts";

const registry = defaultRegistry();

/**
 * y = Relu(Conv(x, W, b)), 1×1 with W = 2, b = −1: x = [1, 2, −3, 0.25] gives
 * s = 2x − 1 = [1, 3, −7, −0.5] and y = [1, 3, 0, 0]; `extra` adds z = s + s.
 */
function convRelu(extra = false): ModelSpec {
  return {
    inputs: [{ name: "x", dtype: "f32", shape: [1, 1, 2, 2] }],
    outputs: [
      { name: "y", dtype: "f32", shape: [1, 1, 2, 2] },
      ...(extra ? [{ name: "z", dtype: "f32" as const, shape: [1, 1, 2, 2] }] : []),
    ],
    nodes: [
      { opType: "Conv", inputs: ["x", "W", "b"], outputs: ["s"] },
      { opType: "Relu", inputs: ["s"], outputs: ["y"] },
      ...(extra ? [{ opType: "Add", inputs: ["s", "s"], outputs: ["z"] }] : []),
    ],
    initializers: { W: f32([1, 1, 1, 1], [2]), b: f32([1], [-1]) },
  };
}

const feeds = (x: Tensor) => new Map([["x", x]]);
const X = f32([1, 1, 2, 2], [1, 2, -3, 0.25]);

Deno.test("Executor.run() gives a Conv's Relu by hand-checked values when it fuses them", () => {
  const out = new Executor(buildModel(convRelu()), registry).run(feeds(X));
  assert.deepEqual([...out.keys()], ["y"]);
  assert.deepEqual(toNumbers(out.get("y")!), [1, 3, 0, 0]);
});

Deno.test("Executor.run() still reports and keeps the Conv output before a Relu when asked", () => {
  const exec = new Executor(buildModel(convRelu()), registry);
  const seen: string[] = [];
  const out = exec.run(feeds(X), { onValue: (name) => seen.push(name) });
  assert.deepEqual(seen, ["s", "y"]);
  assert.deepEqual(toNumbers(exec.run(feeds(X), { keep: "all" }).get("s")!), [1, 3, -7, -0.5]);
  assert.deepEqual(toNumbers(out.get("y")!), [1, 3, 0, 0]);
});

Deno.test("Executor.run() leaves a Conv output another node reads to the Relu node", () => {
  const out = new Executor(buildModel(convRelu(true)), registry).run(feeds(X));
  assert.deepEqual(toNumbers(out.get("y")!), [1, 3, 0, 0]);
  assert.deepEqual(toNumbers(out.get("z")!), [2, 6, -14, -1]);
});

Deno.test("Executor.run() fuses Conv and Relu with the bits of the two nodes on every path", () => {
  const spec: ModelSpec = {
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8, 13, 11] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 16, 13, 11] }],
    nodes: [
      {
        opType: "Conv",
        inputs: ["x", "W", "b"],
        outputs: ["s"],
        attrs: { pads: attr.ints([1, 1, 1, 1]) },
      },
      { opType: "Relu", inputs: ["s"], outputs: ["y"] },
    ],
    initializers: {
      W: f32([16, 8, 3, 3], randomF32(16 * 8 * 9, 7)),
      b: f32([16], randomF32(16, 9)),
    },
  };
  const exec = new Executor(buildModel(spec), registry);
  const x = f32([1, 8, 13, 11], randomF32(8 * 13 * 11, 3));
  for (
    const [isa, [fused, apart]] of onEveryIsa(() => [
      exec.run(feeds(x)).get("y")!.data,
      // a keep set turns fusion off
      exec.run(feeds(x), { keep: new Set() }).get("y")!.data,
    ])
  ) {
    assert.ok(fused instanceof Float32Array && apart instanceof Float32Array);
    assert.ok(fused.some((v) => v === 0) && fused.some((v) => v > 0), isa);
    assert.equal(firstBitDifference(fused, apart), -1, isa);
  }
});

/** Fused (plain run) and unfused (empty keep set) outputs `y` on every kernel path. */
function assertFusedBitsEqual(spec: ModelSpec, x: Tensor): Float32Array<ArrayBufferLike> {
  const exec = new Executor(buildModel(spec), registry);
  let last: Float32Array<ArrayBufferLike> = new Float32Array();
  for (
    const [isa, [fused, apart]] of onEveryIsa(() => [
      exec.run(feeds(x)).get("y")!.data,
      exec.run(feeds(x), { keep: new Set() }).get("y")!.data,
    ])
  ) {
    assert.ok(fused instanceof Float32Array && apart instanceof Float32Array);
    assert.equal(firstBitDifference(fused, apart), -1, isa);
    last = fused;
  }
  return last;
}

/** y = Clip(Conv(x, W, b), lo, hi) with 3×3 weights; bounds as initializers. */
function convClip(lo: number, hi: number): ModelSpec {
  return {
    inputs: [{ name: "x", dtype: "f32", shape: [1, 8, 13, 11] }],
    outputs: [{ name: "y", dtype: "f32", shape: [1, 16, 13, 11] }],
    nodes: [
      {
        opType: "Conv",
        inputs: ["x", "W", "b"],
        outputs: ["s"],
        attrs: { pads: attr.ints([1, 1, 1, 1]) },
      },
      { opType: "Clip", inputs: ["s", "lo", "hi"], outputs: ["y"] },
    ],
    initializers: {
      W: f32([16, 8, 3, 3], randomF32(16 * 8 * 9, 7)),
      b: f32([16], randomF32(16, 9)),
      lo: f32([], [lo]),
      hi: f32([], [hi]),
    },
  };
}

Deno.test("Executor.run() fuses Conv and Clip with the bits of the two nodes on every path", () => {
  const x = f32([1, 8, 13, 11], randomF32(8 * 13 * 11, 3));
  const y = assertFusedBitsEqual(convClip(-0.5, 0.75), x);
  assert.ok(y.some((v) => v === -0.5) && y.some((v) => v === 0.75), "both bounds reached");
  assert.ok(y.some((v) => v > -0.5 && v < 0.75));
  // lo > hi: every value becomes hi, as the Clip kernel gives
  assert.ok(assertFusedBitsEqual(convClip(1, -1), x).every((v) => v === -1));
});

/** y = Add(MatMul(x, B), bias) (or Add(bias, ·) when `biasFirst`), x [2, 5, 7]. */
function matmulAdd(biasShape: number[], biasFirst = false): ModelSpec {
  const n = 9;
  const size = biasShape.reduce((p, d) => p * d, 1);
  return {
    inputs: [{ name: "x", dtype: "f32", shape: [2, 5, 7] }],
    outputs: [{ name: "y", dtype: "f32", shape: [2, 5, n] }],
    nodes: [
      { opType: "MatMul", inputs: ["x", "B"], outputs: ["s"] },
      { opType: "Add", inputs: biasFirst ? ["c", "s"] : ["s", "c"], outputs: ["y"] },
    ],
    initializers: {
      B: f32([7, n], randomF32(7 * n, 11)),
      c: f32(biasShape, randomF32(size, 13)),
    },
  };
}

const XM = f32([2, 5, 7], randomF32(70, 5));

Deno.test("Executor.run() fuses MatMul and a last-axis bias Add with the bits of the two nodes", () => {
  for (const [shape, first] of [[[9], false], [[9], true], [[1, 1, 9], false]] as const) {
    const y = assertFusedBitsEqual(matmulAdd([...shape], first), XM);
    assert.equal(y.length, 90);
  }
});

/** y = Softmax(MatMul(x, B)) over [3, 6, 4] · [3, 4, 10] (B an input, as attention's kᵀ). */
function matmulSoftmax(axis: number, opset = 17): ModelSpec {
  return {
    inputs: [{ name: "x", dtype: "f32", shape: [3, 6, 4] }, {
      name: "B",
      dtype: "f32",
      shape: [3, 4, 10],
    }],
    outputs: [{ name: "y", dtype: "f32", shape: [3, 6, 10] }],
    nodes: [
      { opType: "MatMul", inputs: ["x", "B"], outputs: ["s"] },
      { opType: "Softmax", inputs: ["s"], outputs: ["y"], attrs: { axis: attr.int(axis) } },
    ],
    opset,
  };
}

Deno.test("Executor.run() fuses MatMul and a last-axis Softmax with the bits of the two nodes", () => {
  const x = f32([3, 6, 4], randomF32(72, 21).map((v) => 4 * v));
  const b = f32([3, 4, 10], randomF32(120, 23).map((v) => 4 * v));
  for (const [axis, opset] of [[-1, 17], [2, 17], [1, 17], [2, 11], [1, 11]]) {
    const exec = new Executor(buildModel(matmulSoftmax(axis, opset)), registry);
    const fed = new Map([["x", x], ["B", b]]);
    for (
      const [isa, [fused, apart]] of onEveryIsa(() => [
        exec.run(fed).get("y")!.data,
        exec.run(fed, { keep: new Set() }).get("y")!.data,
      ])
    ) {
      assert.ok(fused instanceof Float32Array && apart instanceof Float32Array);
      assert.equal(firstBitDifference(fused, apart), -1, `${isa}, axis ${axis}, opset ${opset}`);
      // the first normalised group sums to 1: a column of 6 (axis 1), the whole
      // 6×10 block (axis 1 coerced to 2-D before opset 13) or a row of 10
      const group = axis !== 1
        ? fused.slice(0, 10)
        : opset === 11
        ? fused.slice(0, 60)
        : fused.filter((_, k) => k < 60 && k % 10 === 0);
      const sum = group.reduce((t, v) => t + v, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `${isa}, axis ${axis}, opset ${opset}: ${sum}`);
    }
  }
});

Deno.test("Executor.run() leaves an Add whose operand varies along another axis to the Add node", () => {
  // c [5, 1] broadcasts along rows: y[b, i, j] = s[b, i, j] + c[i]
  const spec = matmulAdd([5, 1]);
  const exec = new Executor(buildModel(spec), registry);
  const out = exec.run(feeds(XM)).get("y")!.data;
  const s = exec.run(feeds(XM), { keep: new Set(["s"]) }).get("s")!.data;
  const c = spec.initializers!.c.data;
  assert.ok(out instanceof Float32Array && s instanceof Float32Array && c instanceof Float32Array);
  for (let i = 0; i < 90; i++) {
    assert.equal(out[i], Math.fround(s[i] + c[Math.floor(i / 9) % 5]), `at ${i}`);
  }
});

Deno.test("Executor.run() keeps a kernel output that is also a graph output out of fusion", () => {
  const spec = convRelu();
  spec.outputs.push({ name: "s", dtype: "f32", shape: [1, 1, 2, 2] });
  const out = new Executor(buildModel(spec), registry).run(feeds(X));
  assert.deepEqual(toNumbers(out.get("s")!), [1, 3, -7, -0.5]);
  assert.deepEqual(toNumbers(out.get("y")!), [1, 3, 0, 0]);
});

Deno.test("Executor.run() follows fed Clip bounds instead of fusing them", () => {
  const spec = convClip(0, 6);
  // a bound that is a graph input too is fed, so the plan cannot read it
  spec.inputs.push({ name: "hi", dtype: "f32", shape: [] });
  const exec = new Executor(buildModel(spec), registry);
  const run = (hi: number) =>
    exec.run(
      new Map([["x", f32([1, 8, 13, 11], randomF32(8 * 13 * 11, 3))], ["hi", f32([], [hi])]]),
    ).get("y")!;
  assert.ok(toNumbers(run(0.25)).some((v) => v === 0.25));
  assert.ok(toNumbers(run(0.125)).some((v) => v === 0.125));
  assert.ok(toNumbers(run(0.25)).every((v) => v >= 0 && v <= 0.25));
  assert.ok(toNumbers(run(0.125)).every((v) => v >= 0 && v <= 0.125));
});

Deno.test("epilogueOf() reads constant operands only", () => {
  const model = buildModel(convClip(0, 6));
  const g = model.graph;
  const clipNode = g.nodes[1];
  assert.deepEqual(epilogueOf(clipNode, "s", g, 17), { kind: "clip", lo: 0, hi: 6 });
  assert.equal(epilogueOf(clipNode, "t", g, 17), undefined, "another value");
  g.initializers.delete("hi");
  assert.equal(epilogueOf(clipNode, "s", g, 17), undefined, "a produced bound");
  const noMax = { ...clipNode, inputs: ["s", "lo"] };
  g.initializers.set("lo", f32([], [0]));
  assert.deepEqual(epilogueOf(noMax, "s", g, 17), { kind: "clip", lo: 0, hi: Infinity });
  const old = (max: number) => ({
    ...clipNode,
    inputs: ["s"],
    attrs: new Map([["min", attr.float(-1)], ["max", attr.float(max)]]),
  });
  assert.deepEqual(epilogueOf(old(0.25), "s", g, 6), { kind: "clip", lo: -1, hi: 0.25 });
  assert.equal(epilogueOf(old(0.1), "s", g, 6), undefined, "a bound float32 cannot hold");
  const relu = { ...clipNode, opType: "Relu", inputs: ["s"] };
  assert.deepEqual(epilogueOf(relu, "s", g, 17), { kind: "relu" });
  assert.equal(epilogueOf({ ...relu, domain: "com.example" }, "s", g, 17), undefined);
});

/** Options of {@linkcode matmulAddGelu}. */
interface GeluChain {
  /** The Gelu's domain: ai.onnx (opset 20) or com.microsoft (the frontend's, opset 17). */
  domain?: "" | "com.microsoft";
  approximate?: "none" | "tanh";
  /** The Add output is read by a second node too (z = t + t), or is a graph output. */
  tRead?: "twice" | "output";
  /** A Relu of x runs between the Add and the Gelu. */
  between?: boolean;
}

/** y = Gelu(Add(MatMul(x, B), c)), x [2, 5, 7], B [7, 9], c [9]: tiny_vit's linear1. */
function matmulAddGelu(o: GeluChain = {}): ModelSpec {
  const domain = o.domain ?? "";
  const attrs = o.approximate ? { approximate: attr.string(o.approximate) } : undefined;
  return {
    inputs: [{ name: "x", dtype: "f32", shape: [2, 5, 7] }],
    outputs: [
      { name: "y", dtype: "f32", shape: [2, 5, 9] },
      ...(o.tRead === "output" ? [{ name: "t", dtype: "f32" as const, shape: [2, 5, 9] }] : []),
      ...(o.tRead === "twice" ? [{ name: "z", dtype: "f32" as const, shape: [2, 5, 9] }] : []),
      ...(o.between ? [{ name: "r", dtype: "f32" as const, shape: [2, 5, 7] }] : []),
    ],
    nodes: [
      { opType: "MatMul", inputs: ["x", "B"], outputs: ["s"] },
      { opType: "Add", inputs: ["s", "c"], outputs: ["t"] },
      ...(o.between ? [{ opType: "Relu", inputs: ["x"], outputs: ["r"] }] : []),
      { opType: "Gelu", domain, inputs: ["t"], outputs: ["y"], attrs },
      ...(o.tRead === "twice" ? [{ opType: "Add", inputs: ["t", "t"], outputs: ["z"] }] : []),
    ],
    initializers: {
      B: f32([7, 9], randomF32(63, 11).map((v) => 2 * v)),
      c: f32([9], randomF32(9, 13)),
    },
    opset: domain === "" ? 20 : 17,
    domains: domain === "" ? undefined : { [domain]: 1 },
  };
}

/** The plan's epilogue for the MatMul (step 0) of `spec`. */
function matmulEpilogue(spec: ModelSpec) {
  const exec = new Executor(buildModel(spec), registry);
  const g = exec.model.graph;
  const order = g.topologicalOrder();
  const absorbs = order.map((n) =>
    n.opType === "MatMul" ? ["bias", "bias-gelu"] as const : undefined
  );
  return planEpilogues(g, order, absorbs, (d) => exec.opsetOf(d))[0];
}

Deno.test("planEpilogues() fuses a bias Add and the exact Gelu after a MatMul as one epilogue", () => {
  for (const domain of ["", "com.microsoft"] as const) {
    const e = matmulEpilogue(matmulAddGelu({ domain }));
    assert.equal(e?.kind, "bias-gelu", `Gelu of domain "${domain}"`);
    assert.equal(matmulEpilogue(matmulAddGelu({ domain, approximate: "none" }))?.kind, "bias-gelu");
  }
});

Deno.test("planEpilogues() fuses the bias Add alone when the Gelu cannot follow it", () => {
  const cases: [string, GeluChain][] = [
    ["tanh Gelu", { approximate: "tanh" }],
    ["Add output read twice", { tRead: "twice" }],
    ["Add output a graph output", { tRead: "output" }],
    ["a node between", { between: true }],
  ];
  for (const [what, o] of cases) {
    assert.equal(matmulEpilogue(matmulAddGelu(o))?.kind, "bias", what);
  }
});

Deno.test("Executor.run() fuses MatMul, bias Add and Gelu with the bits of the three nodes", () => {
  const spec = matmulAddGelu({ domain: "com.microsoft" });
  const x = f32([2, 5, 7], randomF32(70, 5).map((v) => 3 * v));
  const y = assertFusedBitsEqual(spec, x);
  // float64 reference: gelu(x·B + c), within float32 rounding and erf's 2 ulp
  const b = spec.initializers!.B.data as Float32Array,
    c = spec.initializers!.c.data as Float32Array;
  const xv = x.data as Float32Array;
  for (let r = 0; r < 10; r++) {
    for (let j = 0; j < 9; j++) {
      let t = c[j];
      for (let k = 0; k < 7; k++) t += xv[r * 7 + k] * b[k * 9 + j];
      const want = 0.5 * t * (1 + erf(t * Math.SQRT1_2));
      assert.ok(Math.abs(y[r * 9 + j] - want) <= 1e-6 * (1 + Math.abs(t)), `at ${r}, ${j}`);
    }
  }
  for (const o of [{ approximate: "tanh" }, { tRead: "twice" }, { between: true }] as const) {
    assertFusedBitsEqual(matmulAddGelu(o), x);
  }
});

Deno.test("Executor.run() reports the MatMul and Add outputs before a Gelu when observing", () => {
  const exec = new Executor(buildModel(matmulAddGelu()), registry);
  const seen: string[] = [];
  exec.run(feeds(XM), { onValue: (name) => seen.push(name) });
  assert.deepEqual(seen, ["s", "t", "y"]);
  const kept = exec.run(feeds(XM), { keep: new Set(["t"]) });
  assert.deepEqual([...kept.keys()].sort(), ["t", "y"]);
});

/** Options of {@linkcode attention}. */
interface Attention {
  /** The Softmax output is read by a second node too (q = p + p), or is a graph output. */
  pRead?: "twice" | "output";
  /** The second MatMul multiplies V by the Softmax output (p as B) instead. */
  pAsB?: boolean;
  axis?: number;
}

/** y = Softmax(x·K)·V over [3, 6, 4]·[3, 4, 10]·[3, 10, 5] (K and V fed, as attention's). */
function attention(o: Attention = {}): ModelSpec {
  const io = (name: string, shape: number[]) => ({ name, dtype: "f32" as const, shape });
  return {
    inputs: [io("x", [3, 6, 4]), io("K", [3, 4, 10]), io("V", o.pAsB ? [3, 10, 6] : [3, 10, 5])],
    outputs: [
      io("y", o.pAsB ? [3, 10, 10] : [3, 6, 5]),
      ...(o.pRead === "output" ? [io("p", [3, 6, 10])] : []),
      ...(o.pRead === "twice" ? [io("q", [3, 6, 10])] : []),
    ],
    nodes: [
      { opType: "MatMul", inputs: ["x", "K"], outputs: ["s"] },
      { opType: "Softmax", inputs: ["s"], outputs: ["p"], attrs: { axis: attr.int(o.axis ?? -1) } },
      { opType: "MatMul", inputs: o.pAsB ? ["V", "p"] : ["p", "V"], outputs: ["y"] },
      ...(o.pRead === "twice" ? [{ opType: "Add", inputs: ["p", "p"], outputs: ["q"] }] : []),
    ],
  };
}

const ATTENTION_FEEDS = new Map([
  ["x", f32([3, 6, 4], randomF32(72, 31).map((v) => 4 * v))],
  ["K", f32([3, 4, 10], randomF32(120, 33).map((v) => 4 * v))],
  ["V", f32([3, 10, 5], randomF32(150, 35))],
]);

/** The plan's epilogue for the first MatMul of `spec`. */
function firstEpilogue(spec: ModelSpec) {
  const exec = new Executor(buildModel(spec), registry);
  const g = exec.model.graph;
  const order = g.topologicalOrder();
  const absorbs = order.map(() => ["softmax", "softmax-matmul"] as const);
  return planEpilogues(g, order, absorbs, (d) => exec.opsetOf(d))[0];
}

Deno.test("planEpilogues() fuses a Softmax and the MatMul of its output by V as one epilogue", () => {
  assert.deepEqual(firstEpilogue(attention()), {
    kind: "softmax-matmul",
    axis: -1,
    operand: "V",
  });
  const cases: [string, Attention][] = [
    ["Softmax output read twice", { pRead: "twice" }],
    ["Softmax output a graph output", { pRead: "output" }],
    ["Softmax output as the second MatMul's B", { pAsB: true }],
  ];
  for (const [what, o] of cases) assert.equal(firstEpilogue(attention(o))?.kind, "softmax", what);
});

Deno.test("Executor.run() fuses MatMul, Softmax and MatMul with the bits of the three nodes", () => {
  for (const axis of [-1, 1]) {
    const exec = new Executor(buildModel(attention({ axis })), registry);
    for (
      const [isa, [fused, apart]] of onEveryIsa(() => [
        exec.run(ATTENTION_FEEDS).get("y")!.data,
        exec.run(ATTENTION_FEEDS, { keep: new Set() }).get("y")!.data,
      ])
    ) {
      assert.ok(fused instanceof Float32Array && apart instanceof Float32Array);
      assert.equal(firstBitDifference(fused, apart), -1, `${isa}, axis ${axis}`);
      if (axis !== -1) continue;
      // float64 reference of softmax(x·K)·V for the first row of the first batch
      const [x, k, v] = ["x", "K", "V"].map((n) => ATTENTION_FEEDS.get(n)!.data as Float32Array);
      const s = Array.from({ length: 10 }, (_, j) => {
        let t = 0;
        for (let q = 0; q < 4; q++) t += x[q] * k[q * 10 + j];
        return t;
      });
      const m = Math.max(...s);
      const e = s.map((t) => Math.exp(t - m));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < 5; c++) {
        let want = 0;
        for (let j = 0; j < 10; j++) want += e[j] / sum * v[j * 5 + c];
        assert.ok(Math.abs(fused[c] - want) < 1e-5, `${isa}: y[0, 0, ${c}]`);
      }
    }
  }
});

Deno.test("applyEpilogue() gives the Relu, Clip and Add kernels' bits on NaN, ±0 and ±∞", () => {
  const special = [NaN, -0, 0, -Infinity, Infinity, -1.5, 0.5, 7, -0, 3, NaN];
  const x = f32([special.length], special);
  const single = (opType: string, extra: string[], inits: Record<string, Tensor>) =>
    new Executor(
      buildModel({
        inputs: [{ name: "x", dtype: "f32", shape: [special.length] }],
        outputs: [{ name: "y", dtype: "f32", shape: [special.length] }],
        nodes: [{ opType, inputs: ["x", ...extra], outputs: ["y"] }],
        initializers: inits,
      }),
      registry,
    ).run(feeds(x)).get("y")!.data as Float32Array;
  const bias = f32([special.length], [0, 0, -0, 1, -Infinity, 1.5, -0, 0.25, 0, -3, 1]);
  const cases: [ElementwiseEpilogue, Float32Array][] = [
    [{ kind: "relu" }, single("Relu", [], {})],
    [
      { kind: "clip", lo: 0, hi: 6 },
      single("Clip", ["lo", "hi"], { lo: f32([], [0]), hi: f32([], [6]) }),
    ],
    [
      { kind: "clip", lo: -0, hi: -0 },
      single("Clip", ["lo", "hi"], { lo: f32([], [-0]), hi: f32([], [-0]) }),
    ],
    [{ kind: "bias", bias: bias.data, rank: 1 }, single("Add", ["c"], { c: bias })],
  ];
  for (const [e, want] of cases) {
    const js = Float32Array.from(special);
    applyEpilogue(js, e);
    assert.equal(firstBitDifference(js, want), -1, `${e.kind} in TypeScript`);
    const k = wasmKernels();
    if (k && (e.kind === "relu" || e.kind === "clip")) {
      for (
        const [isa, got] of onEveryIsa(() => {
          const p = k.heap.put(Float32Array.from(special));
          try {
            applyEpilogueWasm(k.fn, p, special.length, e);
            return k.heap.f32(p, special.length).slice();
          } finally {
            k.heap.free(p);
          }
        })
      ) assert.equal(firstBitDifference(got, want), -1, `${e.kind} on ${isa}`);
    }
  }
});
