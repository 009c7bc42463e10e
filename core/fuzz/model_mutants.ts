/**
 * Seeded mutants of ONNX models: byte-level (flip, cut, splice, overwrite varints) and
 * structural (a dim, a dtype, an opset, an attribute, a name, a node, an edge), one to three
 * edits per mutant. A mutant is a pure function of the seed model and the random stream.
 *
 * @module
 */
import {
  bigIntToInt64,
  type GraphMsg,
  type ModelMsg,
  type NodeMsg,
  type ValueInfoMsg,
} from "../onnx/onnx_proto.ts";
import {
  decodeModelMsg,
  encodeModelMsg,
  graphOf,
  setDim,
  setIrVersion,
  setOpset,
} from "./model_edit.ts";
import type { Rng } from "./rng.ts";

/** One mutated model and what was done to it. */
export interface ModelMutant {
  bytes: Uint8Array;
  /** The edits, for the report and the reproducer's sidecar. */
  note: string;
}

/** Operator types a node may be turned into: common ones, a few rare ones, garbage. */
const OP_TYPES = [
  "Conv",
  "MaxPool",
  "AveragePool",
  "Relu",
  "Gemm",
  "MatMul",
  "Add",
  "Mul",
  "Concat",
  "Reshape",
  "Transpose",
  "Softmax",
  "Flatten",
  "Resize",
  "Slice",
  "Gather",
  "BatchNormalization",
  "ConvTranspose",
  "Split",
  "Squeeze",
  "Unsqueeze",
  "ReduceMean",
  "Pad",
  "Tile",
  "Expand",
  "Range",
  "TopK",
  "Loop",
  "If",
  "NoSuchOp",
  "",
];

/** Attributes worth setting on any node, with the kind they usually have. */
const ATTR_NAMES = [
  "kernel_shape",
  "strides",
  "pads",
  "dilations",
  "group",
  "axis",
  "axes",
  "perm",
  "keepdims",
  "transA",
  "transB",
  "output_padding",
  "output_shape",
  "ceil_mode",
  "mode",
  "auto_pad",
  "to",
  "split",
  "alpha",
  "epsilon",
];

/** ONNX element type codes, real and not. */
const ELEM_TYPES = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 21, 23, 99, -1];

/** Strings that break messages and lookups. */
const NASTY_NAMES = [
  "",
  "a\nb",
  "line1\r\nline2",
  "\u2028",
  "x".repeat(5000),
  "../../etc/passwd",
  "\u0000",
  "名前",
  '"quoted"',
];

function allValues(g: GraphMsg): ValueInfoMsg[] {
  return [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])];
}

function valueNames(g: GraphMsg): string[] {
  const names = new Set<string>();
  for (const v of allValues(g)) if (v.name) names.add(v.name);
  for (const t of g.initializer ?? []) if (t.name) names.add(t.name);
  for (const n of g.node ?? []) for (const o of n.output ?? []) names.add(o);
  return [...names];
}

function randomInt64(rng: Rng): bigint {
  return rng.chance(0.7) ? rng.interesting() : BigInt(rng.int(-3, 70));
}

function pickNode(g: GraphMsg, rng: Rng): NodeMsg | undefined {
  const nodes = g.node ?? [];
  return nodes.length ? rng.pick(nodes) : undefined;
}

/** One structural edit; returns a short description. */
type Edit = (m: ModelMsg, g: GraphMsg, rng: Rng) => string;

const EDITS: readonly Edit[] = [
  (_m, g, rng) => {
    const v = rng.pick(g.input?.length ? g.input : allValues(g).length ? allValues(g) : [{}]);
    const value = rng.chance(0.2) ? rng.pick(["N", "", "batch"]) : randomInt64(rng);
    const axis = rng.int(0, 5);
    setDim(v, axis, value);
    return `dim ${axis} of "${v.name}" = ${value}`;
  },
  (_m, g, rng) => {
    const v = rng.pick(allValues(g).length ? allValues(g) : [{}]);
    const code = rng.pick(ELEM_TYPES);
    if (v.type?.tensorType) v.type.tensorType.elemType = code;
    return `elem_type of "${v.name}" = ${code}`;
  },
  (m, _g, rng) => {
    const v = randomInt64(rng);
    setOpset(m, v);
    return `opset = ${v}`;
  },
  (m, _g, rng) => {
    const v = randomInt64(rng);
    setIrVersion(m, v);
    return `ir_version = ${v}`;
  },
  (_m, g, rng) => {
    const n = pickNode(g, rng);
    if (!n) return "no node";
    const name = rng.pick(ATTR_NAMES);
    const rest = (n.attribute ?? []).filter((a) => a.name !== name);
    const count = rng.int(0, 4);
    const values = Array.from({ length: count }, () => randomInt64(rng));
    const kind = rng.float();
    if (kind < 0.3) {
      rest.push({ name, type: 2, i: bigIntToInt64(values[0] ?? 0n) });
    } else if (kind < 0.37) {
      rest.push({ name, type: 3, s: new TextEncoder().encode(rng.pick(NASTY_NAMES)) });
    } else if (kind < 0.44) {
      rest.push({ name, type: 1, f: rng.pick([NaN, Infinity, -1, 0, 1e30]) });
    } else {
      rest.push({ name, type: 7, ints: values.map((v) => bigIntToInt64(v)) });
    }
    n.attribute = rest;
    return `node "${n.name}" attr ${name} = [${values.join(", ")}]`;
  },
  (_m, g, rng) => {
    const n = pickNode(g, rng);
    if (!n?.attribute?.length) return "no attribute";
    const a = rng.pick(n.attribute);
    if (a.ints?.length) {
      const i = rng.int(0, a.ints.length - 1);
      const v = randomInt64(rng);
      a.ints[i] = bigIntToInt64(v);
      return `node "${n.name}" ${a.name}[${i}] = ${v}`;
    }
    n.attribute = n.attribute.filter((x) => x !== a);
    return `node "${n.name}" drops ${a.name}`;
  },
  (_m, g, rng) => {
    const n = pickNode(g, rng);
    if (!n) return "no node";
    n.name = rng.pick(NASTY_NAMES);
    return `node renamed`;
  },
  (_m, g, rng) => {
    const n = pickNode(g, rng);
    if (!n) return "no node";
    n.opType = rng.pick(OP_TYPES);
    return `node "${n.name}" op = ${n.opType}`;
  },
  (_m, g, rng) => {
    const n = pickNode(g, rng);
    if (!n?.input?.length) return "no input";
    const i = rng.int(0, n.input.length - 1);
    n.input[i] = rng.chance(0.8) ? rng.pick(valueNames(g)) : rng.pick(NASTY_NAMES);
    return `node "${n.name}" input ${i} = "${n.input[i]}"`;
  },
  (_m, g, rng) => {
    const n = pickNode(g, rng);
    if (!n?.output?.length) return "no output";
    n.output[0] = rng.pick(valueNames(g));
    return `node "${n.name}" output 0 = "${n.output[0]}"`;
  },
  (_m, g, rng) => {
    const nodes = g.node ?? [];
    if (!nodes.length) return "no node";
    const i = rng.int(0, nodes.length - 1);
    if (rng.chance(0.5)) nodes.splice(i, 1);
    else nodes.splice(i, 0, structuredClone(nodes[i]));
    return `node ${i} removed or duplicated`;
  },
  (_m, g, rng) => {
    const inits = g.initializer ?? [];
    if (!inits.length) return "no initializer";
    const t = rng.pick(inits);
    const r = rng.int(0, 3);
    if (r === 0 && t.dims?.length) {
      t.dims[rng.int(0, t.dims.length - 1)] = bigIntToInt64(randomInt64(rng));
    } else if (r === 1) t.dataType = rng.pick(ELEM_TYPES);
    else if (r === 2 && t.rawData instanceof Uint8Array) {
      t.rawData = t.rawData.subarray(0, rng.int(0, t.rawData.length));
    } else t.dims = [...(t.dims ?? []), bigIntToInt64(randomInt64(rng))];
    return `initializer "${t.name}" edit ${r}`;
  },
  (_m, g, rng) => {
    const r = rng.int(0, 3);
    if (r === 0) g.output = [];
    else if (r === 1 && g.output?.length) g.output.push(g.output[0]);
    else if (r === 2) g.node = [];
    else g.input = [];
    return `graph edit ${r}`;
  },
  (_m, g, rng) => {
    const n = pickNode(g, rng);
    if (!n) return "no node";
    n.domain = rng.pick(["com.microsoft", "ai.onnx.ml", "ai.onnx", "nope", ""]);
    return `node "${n.name}" domain = ${n.domain}`;
  },
  (_m, g, rng) => {
    const inits = g.initializer ?? [];
    if (!inits.length) return "no initializer";
    const t = rng.pick(inits);
    const v = rng.interesting();
    if (t.rawData instanceof Uint8Array && t.rawData.length) {
      const raw = new Uint8Array(t.rawData);
      const view = new DataView(raw.buffer);
      const at = rng.int(0, Math.max(0, raw.length - 8));
      if (raw.length >= 8) view.setBigInt64(at, BigInt.asIntN(64, v), true);
      else raw.fill(0xff);
      t.rawData = raw;
    } else if (t.int64Data?.length) {
      t.int64Data = t.int64Data.map(() => bigIntToInt64(v));
    } else if (t.floatData?.length) {
      t.floatData = t.floatData.map(() => rng.pick([NaN, Infinity, -1e30, 1e30, -1]));
    }
    return `initializer "${t.name}" value ${v}`;
  },
  (_m, g, rng) => {
    const inits = g.initializer ?? [];
    if (!inits.length) return "no initializer";
    const t = rng.pick(inits);
    t.dataLocation = 1;
    delete t.rawData;
    t.externalData = [
      { key: "location", value: rng.pick(["w.bin", "../secret", "/dev/zero", "", "a/../b"]) },
      { key: "offset", value: rng.pick(["0", "-1", "99999999999999999999", "x"]) },
      { key: "length", value: rng.pick(["4", "", "18446744073709551615"]) },
    ];
    return `initializer "${t.name}" made external`;
  },
  (m, _g, rng) => {
    const v = bigIntToInt64(randomInt64(rng));
    m.opsetImport = [...(m.opsetImport ?? []), {
      domain: rng.pick(["", "com.microsoft", "x"]),
      version: v,
    }];
    return "extra opset_import";
  },
];

/** The main graph and every subgraph held in node attributes. */
function graphsOf(main: GraphMsg): GraphMsg[] {
  const out: GraphMsg[] = [];
  const stack = [main];
  while (stack.length > 0) {
    const g = stack.pop()!;
    out.push(g);
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) {
        if (a.g) stack.push(a.g);
        stack.push(...(a.graphs ?? []));
      }
    }
  }
  return out;
}

/** Byte-level edits of the encoded model. */
function mutateBytes(bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; note: string } {
  const b = new Uint8Array(bytes);
  const r = rng.int(0, 4);
  if (r === 0) {
    const n = rng.int(1, 16);
    for (let k = 0; k < n; k++) b[rng.int(0, b.length - 1)] ^= 1 << rng.int(0, 7);
    return { bytes: b, note: `flip ${n} bits` };
  }
  if (r === 1) {
    const cut = rng.int(0, b.length);
    return { bytes: b.subarray(0, cut), note: `truncate at ${cut}` };
  }
  if (r === 2) {
    const at = rng.int(0, b.length - 1);
    b.fill(0xff, at, Math.min(b.length, at + rng.int(1, 10)));
    return { bytes: b, note: `0xff run at ${at}` };
  }
  if (r === 3) {
    const from = rng.int(0, b.length - 1);
    const len = rng.int(1, Math.min(256, b.length - from));
    const at = rng.int(0, b.length - 1);
    const out = new Uint8Array(b.length + len);
    out.set(b.subarray(0, at));
    out.set(b.subarray(from, from + len), at);
    out.set(b.subarray(at), at + len);
    return { bytes: out, note: `splice ${len} bytes at ${at}` };
  }
  const at = rng.int(0, b.length - 1);
  b[at] = rng.pick([0x00, 0x7f, 0x80, 0xff]);
  return { bytes: b, note: `byte ${at} = ${b[at]}` };
}

/**
 * Mutate a seed model.
 *
 * @param seed the encoded seed model
 * @param rng the case's random stream
 */
export function mutateModel(seed: Uint8Array, rng: Rng): ModelMutant {
  if (rng.chance(0.25)) {
    const m = mutateBytes(seed, rng);
    return { bytes: m.bytes, note: `bytes: ${m.note}` };
  }
  const msg = decodeModelMsg(seed);
  const graphs = graphsOf(graphOf(msg));
  const notes: string[] = [];
  const count = rng.int(1, 3);
  for (let k = 0; k < count; k++) {
    const g = rng.chance(0.7) ? graphs[0] : rng.pick(graphs);
    notes.push(rng.pick(EDITS)(msg, g, rng));
  }
  return { bytes: encodeModelMsg(msg), note: notes.join("; ") };
}
