import { strict as assert } from "node:assert";
import { ConfigError } from "../../errors/mod.ts";
import { parseHorizonConfig } from "./mod.ts";
import { validateHorizonConfig } from "./schema.ts";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());

type Map = { [k: string]: unknown };

function bernoulli2(): Map {
  return {
    model_parameters: { onnx_model: "m.onnx", march: "bernoulli2", output_model_file_prefix: "m" },
    input_parameters: {
      input_name: "data",
      input_type_train: "bgr",
      input_layout_train: "NCHW",
      input_type_rt: "nv12",
      input_shape: "1x3x224x224",
      norm_type: "data_mean_and_scale",
      mean_value: "103.94 116.78 123.68",
      scale_value: "0.017",
    },
    calibration_parameters: { cal_data_dir: "./cal", calibration_type: "kl" },
    compiler_parameters: { compile_mode: "latency", optimize_level: "O3" },
  };
}

function nash(): Map {
  const c = bernoulli2();
  (c.model_parameters as Map).march = "nash-e";
  (c.compiler_parameters as Map).optimize_level = "O2";
  return c;
}

function edit(base: Map, group: string, patch: Map): Map {
  const g = { ...(base[group] as Map) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete g[k];
    else g[k] = v;
  }
  return { ...base, [group]: g };
}

interface Case {
  readonly name: string;
  readonly config: Map;
  readonly field: string;
  readonly message: RegExp;
  readonly modelType?: "onnx" | "caffe";
  readonly strict?: boolean;
}

const B = bernoulli2();
const N = nash();
const CASES: Case[] = [
  {
    name: "missing group",
    config: {
      model_parameters: B.model_parameters,
      input_parameters: B.input_parameters,
      compiler_parameters: B.compiler_parameters,
    },
    field: "calibration_parameters",
    message: /Missing keys: 'calibration_parameters'/,
  },
  {
    name: "caffe keys missing",
    config: edit(B, "model_parameters", { onnx_model: undefined }),
    modelType: "caffe",
    field: "model_parameters.caffe_model",
    message: /Key 'model_parameters' error: Missing keys: 'caffe_model', 'prototxt'/,
  },
  {
    name: "both caffe and onnx",
    config: edit(B, "model_parameters", { caffe_model: "a.caffemodel", prototxt: "a.prototxt" }),
    field: "model_parameters.onnx_model",
    message: /only one of caffe_model \+ prototxt/,
  },
  {
    name: "unknown march",
    config: edit(B, "model_parameters", { march: "bernouli2" }),
    field: "model_parameters.march",
    message: /'bernouli2'.*'bernoulli2'/,
  },
  {
    name: "prefix required on bernoulli2",
    config: edit(B, "model_parameters", { output_model_file_prefix: "" }),
    field: "model_parameters.output_model_file_prefix",
    message: /Missing keys/,
  },
  {
    name: "bad train×rt pair",
    config: edit(B, "input_parameters", { input_type_train: "gray" }),
    field: "input_parameters.input_type_rt",
    message: /'nv12'.*'gray'-trained input accepts input_type_rt 'gray'/,
  },
  {
    name: "per-input count mismatch",
    config: edit(B, "input_parameters", { input_type_rt: "nv12; nv12" }),
    field: "input_parameters.input_type_rt",
    message: /2 ';'-separated value\(s\) but input_name lists 1/,
  },
  {
    name: "mean channel count",
    config: edit(B, "input_parameters", { mean_value: "1 2" }),
    field: "input_parameters.mean_value",
    message: /2 value\(s\).*expected 1 or 3/,
  },
  {
    name: "mean missing for data_mean",
    config: edit(B, "input_parameters", { mean_value: "None" }),
    field: "input_parameters.mean_value",
    message: /is missing for input 'data'/,
  },
  {
    name: "non-number scale",
    config: edit(B, "input_parameters", { scale_value: "0.017 abc 1" }),
    field: "input_parameters.scale_value",
    message: /'abc'/,
  },
  {
    name: "nv12 odd size",
    config: edit(B, "input_parameters", { input_shape: "1x3x223x224" }),
    field: "input_parameters.input_shape",
    message: /even height and width/,
  },
  {
    name: "input_batch range bernoulli2",
    config: edit(B, "input_parameters", { input_batch: 129 }),
    field: "input_parameters.input_batch",
    message: /1-128/,
  },
  {
    name: "input_batch multi-input",
    config: edit(N, "input_parameters", {
      input_name: "a; b",
      input_type_train: "bgr; bgr",
      input_type_rt: "nv12; nv12",
      input_layout_train: "NCHW; NCHW",
      input_shape: "1x3x8x8; 1x3x8x8",
      norm_type: "no_preprocess; no_preprocess",
      mean_value: undefined,
      scale_value: undefined,
      input_batch: 8,
    }),
    field: "input_parameters.input_batch",
    message: /single-input/,
  },
  {
    name: "bt601 without nv12 on nash",
    config: edit(N, "input_parameters", {
      input_type_rt: "bgr",
      input_space_and_range: "bt601_video",
    }),
    field: "input_parameters.input_space_and_range",
    message: /only to nv12/,
  },
  {
    name: "calibration_type per march",
    config: edit(B, "calibration_parameters", { calibration_type: "mix" }),
    field: "calibration_parameters.calibration_type",
    message: /'default', 'kl', 'max' for march bernoulli2/,
  },
  {
    name: "max_percentile nash range",
    config: edit(N, "calibration_parameters", { calibration_type: "max", max_percentile: 0.4 }),
    field: "calibration_parameters.max_percentile",
    message: /0\.5-1 for march nash-e/,
  },
  {
    name: "cal_data_dir missing",
    config: edit(B, "calibration_parameters", { cal_data_dir: undefined }),
    field: "calibration_parameters.cal_data_dir",
    message: /Missing keys: 'cal_data_dir'/,
  },
  {
    name: "core_num 2 on nash",
    config: edit(N, "compiler_parameters", { core_num: 2 }),
    field: "compiler_parameters.core_num",
    message: /expected 1 for march nash-e/,
  },
  {
    name: "optimize_level O3 on nash",
    config: edit(N, "compiler_parameters", { optimize_level: "O3" }),
    field: "compiler_parameters.optimize_level",
    message: /'O0', 'O1', 'O2'/,
  },
  {
    name: "balance without factor",
    config: edit(N, "compiler_parameters", { compile_mode: "balance" }),
    field: "compiler_parameters.balance_factor",
    message: /needs an integer 0-100/,
  },
  {
    name: "max_time_per_fc nash",
    config: edit(N, "compiler_parameters", { max_time_per_fc: 500 }),
    field: "compiler_parameters.max_time_per_fc",
    message: /0 \(no limit\) or 1000-4294967295/,
  },
  {
    name: "resizer with bgr",
    config: edit(N, "input_parameters", { input_type_rt: "bgr" }),
    field: "compiler_parameters.input_source.data",
    message: /resizer needs input_type_rt 'nv12' or 'gray'/,
  },
  {
    name: "OutputType0 refused",
    config: edit(N, "model_parameters", {
      node_info: { Conv_0: { ON: "BPU", OutputType0: "int16" } },
    }),
    field: "model_parameters.node_info.Conv_0.OutputType0",
    message: /per-output types cannot be set/,
  },
  {
    name: "node_info string form bad type",
    config: edit(N, "calibration_parameters", { node_info: "Conv_0:int32" }),
    field: "calibration_parameters.node_info.Conv_0",
    message: /'int8' or 'int16'/,
  },
  {
    name: "optimization value",
    config: edit(N, "calibration_parameters", { optimization: "set_model_output_int32" }),
    field: "calibration_parameters.optimization",
    message: /'set_model_output_int32'/,
  },
  {
    name: "unknown key under strict",
    config: edit(B, "input_parameters", { input_tpye_rt: "nv12" }),
    strict: true,
    field: "input_parameters.input_tpye_rt",
    message: /did you mean 'input_type_rt'/,
  },
  {
    name: "optimize_level required on bernoulli2",
    config: edit(B, "compiler_parameters", { optimize_level: undefined }),
    field: "compiler_parameters.optimize_level",
    message: /Missing keys: 'optimize_level'/,
  },
  {
    name: "missing input group on nash",
    config: {
      model_parameters: N.model_parameters,
      calibration_parameters: N.calibration_parameters,
    },
    field: "input_parameters",
    message:
      /Missing keys: 'input_parameters' \(hb_compile \(march nash-e\) needs model_parameters, input_parameters; calibration_parameters, compiler_parameters may be omitted\)/,
  },
  {
    name: "missing compiler group on an hb_mapper march",
    config: {
      model_parameters: { ...(B.model_parameters as Map), march: "bayes-e" },
      input_parameters: B.input_parameters,
      calibration_parameters: B.calibration_parameters,
    },
    field: "compiler_parameters",
    message:
      /Missing keys: 'compiler_parameters' \(hb_mapper \(march bayes-e\) needs model_parameters, input_parameters, calibration_parameters, compiler_parameters\)/,
  },
  {
    name: "omitted nash calibration group still needs data",
    config: { model_parameters: N.model_parameters, input_parameters: N.input_parameters },
    field: "calibration_parameters.cal_data_dir",
    message: /Key 'calibration_parameters' error: Missing keys: 'cal_data_dir'/,
  },
];
// The resizer case needs input_source set.
CASES[21] = {
  ...CASES[21],
  config: edit(CASES[21].config, "compiler_parameters", { input_source: { data: "resizer" } }),
};

for (const c of CASES) {
  Deno.test(`validateHorizonConfig() refuses ${c.name} naming ${c.field}`, () => {
    let err: unknown;
    try {
      validateHorizonConfig(c.config, {
        targets,
        file: "bad.yaml",
        modelType: c.modelType,
        strict: c.strict,
      });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    assert.equal(err.field, c.field);
    assert.equal(err.file, "bad.yaml");
    assert.ok(err.message.startsWith("bad.yaml: "), err.message);
    assert.match(err.message, c.message);
  });
}

Deno.test("validateHorizonConfig() accepts the base configs of the table", () => {
  assert.equal(validateHorizonConfig(B, { targets }).march, "bernoulli2");
  assert.equal(validateHorizonConfig(N, { targets }).march, "nash-e");
});

Deno.test("validateHorizonConfig() warns about an unknown key with a suggestion when not strict", () => {
  const h = validateHorizonConfig(
    edit(B, "calibration_parameters", { calibraton_type: "kl" }),
    { targets },
  );
  assert.match(
    h.warnings[0],
    /calibration_parameters\.calibraton_type .*did you mean 'calibration_type'/,
  );
});

Deno.test("validateHorizonConfig() refuses a nash march under hb_mapper", () => {
  assert.throws(
    () => validateHorizonConfig(N, { targets, tool: "hb_mapper" }),
    /'nash-e', a hb_compile march/,
  );
});

Deno.test("parseHorizonConfig() reports YAML syntax errors with file, line and column", () => {
  const err = (() => {
    try {
      parseHorizonConfig({
        text: "model_parameters:\n  march: 'nash-e\ninput_parameters: {}\n",
        file: "x.yaml",
      }, { targets });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof ConfigError);
  assert.match(err.message, /^x\.yaml:\d+:\d+: invalid YAML/);
});

Deno.test("parseHorizonConfig() names a missing quant_config file", () => {
  const text = "model_parameters: {onnx_model: m.onnx, march: nash-m}\n" +
    "input_parameters: {input_type_train: bgr, input_type_rt: bgr, input_layout_train: NCHW}\n" +
    "calibration_parameters: {calibration_type: skip, quant_config: nope.json}\ncompiler_parameters: {}\n";
  assert.throws(
    () => parseHorizonConfig({ text, file: "/tmp/axb-none/c.yaml" }, { targets }),
    (e: unknown) =>
      e instanceof ConfigError && e.field === "calibration_parameters.quant_config" &&
      /nope\.json.*does not exist/.test(e.message),
  );
});
