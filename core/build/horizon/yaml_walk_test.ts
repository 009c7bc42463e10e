import { strict as assert } from "node:assert";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { attr, buildModel, type NodeSpec } from "../../ir/builder.ts";
import { f32, s64, type Tensor } from "../../ir/tensor.ts";
import { saveModel } from "../../onnx/save.ts";
import type { Model } from "../../ir/graph.ts";
import type { HorizonConfig } from "../../config/horizon/types.ts";
import { horizonToBuildConfig, parseHorizonConfig } from "../../config/horizon/mod.ts";
import { convertHorizon } from "../../cli/horizon_convert.ts";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";

// Every Horizon YAML of testdata/horizon (the seed templates of spec §5.9 and the public-
// config shapes) converts, each with a model built to fit it: its inputs (names, shapes,
// layouts), and a node for every name the YAML refers to (run_on_cpu, node_info, …). The
// Caffe template converts through its ONNX branch (Caffe loading is tested in core/caffe).

const DIR = join(import.meta.dirname ?? ".", "../../../testdata/horizon");
const targets = new TargetRegistry(builtinTargets());

/** One referenced node: Softmax/Reshape by its name, else a 3×3 Conv (Relu for OP_name). */
function refNode(
  name: string,
  x: string,
  c: number,
  out: string,
): { node: NodeSpec; weights: Record<string, Tensor> } {
  if (/softmax/i.test(name)) {
    return {
      node: { opType: "Softmax", name, inputs: [x], outputs: [out], attrs: { axis: attr.int(1) } },
      weights: {},
    };
  }
  if (/reshape/i.test(name)) {
    return {
      node: { opType: "Reshape", name, inputs: [x, "same_shape"], outputs: [out] },
      weights: {},
    };
  }
  if (/op_name/i.test(name)) {
    return { node: { opType: "Relu", name, inputs: [x], outputs: [out] }, weights: {} };
  }
  const w = Array.from({ length: c * c * 9 }, (_, i) => (((i * 37) % 17) - 8) / 40);
  return {
    node: {
      opType: "Conv",
      name,
      inputs: [x, `${name}_w`, `${name}_b`],
      outputs: [out],
      attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) },
    },
    weights: {
      [`${name}_w`]: f32([c, c, 3, 3], w),
      [`${name}_b`]: f32([c], new Array(c).fill(0.1)),
    },
  };
}

/** A model that fits `h`: one branch per input, the referenced nodes after input 0. */
function modelFor(h: HorizonConfig, names: readonly string[]): Model {
  const hidden = 4;
  const inits: Record<string, Tensor> = {};
  const nodes: NodeSpec[] = [];
  const inputs = h.inputs.map((inp, i) => {
    const name = inp.name || "data";
    const nhwc = inp.layoutTrain === "NHWC";
    const c = inp.typeTrain === "gray" ? 1 : 3;
    const shape = inp.shape ? [...inp.shape] : nhwc ? [1, 32, 32, c] : [1, c, 32, 32];
    const cin = nhwc ? shape[3] : shape[1];
    let x = name;
    if (nhwc) {
      nodes.push({
        opType: "Transpose",
        name: `in${i}_t`,
        inputs: [x],
        outputs: [`in${i}_nchw`],
        attrs: { perm: attr.ints([0, 3, 1, 2]) },
      });
      x = `in${i}_nchw`;
    }
    inits[`in${i}_w`] = f32(
      [hidden, cin, 1, 1],
      new Array(hidden * cin).fill(0).map((_, k) => ((k * 13) % 7 - 3) / 10),
    );
    inits[`in${i}_b`] = f32([hidden], new Array(hidden).fill(0));
    nodes.push({
      opType: "Conv",
      name: `in${i}_conv`,
      inputs: [x, `in${i}_w`, `in${i}_b`],
      outputs: [`in${i}_c`],
    });
    nodes.push({ opType: "Relu", name: `in${i}_relu`, inputs: [`in${i}_c`], outputs: [`out${i}`] });
    const hw = nhwc ? [shape[1], shape[2]] : [shape[2], shape[3]];
    return { name, shape, hw };
  });
  let x = "out0";
  const outs = inputs.map((_, i) => `out${i}`);
  names.forEach((n, k) => {
    const out = `ref${k}`;
    const r = refNode(n, x, hidden, out);
    Object.assign(inits, r.weights);
    nodes.push(r.node);
    x = out;
  });
  outs[0] = x;
  const [h0, w0] = inputs[0].hw;
  return buildModel({
    opset: 13,
    inputs: inputs.map((i) => ({ name: i.name, dtype: "f32", shape: i.shape })),
    outputs: outs.map((o, i) => ({
      name: o,
      dtype: "f32",
      shape: [1, hidden, ...(i === 0 ? [h0, w0] : inputs[i].hw)],
    })),
    initializers: { ...inits, same_shape: s64([4], [1, hidden, h0, w0]) },
    nodes,
  });
}

/** Node names a config refers to, in first-mention order. */
function referenced(h: HorizonConfig): string[] {
  const all = [
    ...h.calibration_parameters.run_on_cpu,
    ...h.calibration_parameters.run_on_bpu,
    ...h.node_info.map((n) => n.node),
    ...Object.keys(h.quant_config?.node_config ?? {}),
    ...h.model_parameters.remove_node_name,
    ...h.model_parameters.output_nodes,
  ];
  return [...new Set(all)];
}

async function writeCalibration(h: HorizonConfig, model: Model, dir: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const [i, inp] of h.inputs.entries()) {
    const d = join(dir, `cal${i}`);
    await Deno.mkdir(d, { recursive: true });
    const v = model.graph.inputs[i].type;
    const shape = v && !("kind" in v) ? (v.shape ?? []).map(Number) : [];
    const n = shape.reduce((a, b) => a * b, 1);
    const float = h.calibration_parameters.cal_data_type === "float32" ||
      inp.typeTrain === "featuremap";
    for (let k = 0; k < 2; k++) {
      const values = Array.from({ length: n }, (_, j) => (j * 7 + k * 91) % 256);
      const bytes = float
        ? new Uint8Array(
          Float32Array.from(values, (x) => inp.typeTrain === "featuremap" ? x / 128 - 1 : x).buffer,
        )
        : Uint8Array.from(values);
      await Deno.writeFile(join(d, `s${k}.bin`), bytes);
    }
    dirs.push(d);
  }
  return dirs;
}

for await (const e of Deno.readDir(DIR)) {
  if (!e.name.endsWith(".yaml")) continue;
  Deno.test(`convertHorizon() converts ${e.name} with a model built to fit it`, async () => {
    const src = join(DIR, e.name);
    const first = parseHorizonConfig(src, { targets });
    const names = referenced(first);
    const model = modelFor(first, names);
    const tmp = await Deno.makeTempDir({ prefix: "axb_hz_walk_" });
    const onnx = join(tmp, "model.onnx");
    await saveModel(model, onnx);
    const cal = await writeCalibration(first, model, tmp);
    const raw = parseYaml(await Deno.readTextFile(src));
    const mp = raw.model_parameters;
    delete mp.prototxt;
    delete mp.caffe_model;
    mp.onnx_model = onnx;
    mp.working_dir = join(tmp, "out");
    raw.calibration_parameters.cal_data_dir = cal.join(";");
    const qc = raw.calibration_parameters.quant_config;
    if (typeof qc === "string") raw.calibration_parameters.quant_config = join(DIR, qc);
    const yaml = join(tmp, e.name);
    // Quoted keys: PyYAML-style readers take a bare ON as a boolean.
    await Deno.writeTextFile(yaml, stringifyYaml(raw, { defaultKeyType: "QUOTE_SINGLE" }));
    const h = parseHorizonConfig(yaml, { targets });
    const quiet = { stdout: () => {}, stderr: () => {}, debug: false };
    const r = await convertHorizon(horizonToBuildConfig(h, targets), quiet, {
      targets,
      logFile: join(tmp, "convert.log"),
      command: h.tool,
    });
    assert.ok(r.container?.endsWith(h.tool === "hb_compile" ? ".hbm" : ".bin"));
    for (const a of r.artifacts) await Deno.stat(a);
  });
}
