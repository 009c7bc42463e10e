import { strict as assert } from "node:assert";
import { horizonToBuildConfig, parseHorizonConfig, precisionOf } from "./mod.ts";
import { builtinTargets, TargetRegistry } from "../../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());

const DIR = new URL("../../../testdata/horizon/", import.meta.url).pathname;
const close = (a: readonly number[], b: readonly number[]) =>
  assert.ok(a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-9), `${a} != ${b}`);

Deno.test("parseHorizonConfig() reads the seed 003 bernoulli2 template and maps norm to mean/std", () => {
  const h = parseHorizonConfig(`${DIR}bernoulli2_template_onnx.yaml`, {
    targets,
    tool: "hb_mapper",
    modelType: "onnx",
  });
  assert.equal(h.march, "bernoulli2");
  assert.equal(h.model_parameters.output_model_file_prefix, "mobilenetv1");
  assert.deepEqual(h.calibration_parameters.run_on_cpu, ["OP_name"]);
  assert.equal(h.compiler_parameters.optimize_level, "O3");
  const m = horizonToBuildConfig(h, targets);
  assert.equal(m.target, "bernoulli2");
  assert.equal(m.build.input, "****.onnx");
  assert.equal(m.build.output_dir, "./model_output_dir");
  assert.equal(m.build.input_shapes, "data:1x3x224x224");
  assert.equal(m.build.quant.calibration_method, "KL");
  const p = m.build.input_processors[0];
  assert.equal(p.tensor_format, "BGR");
  assert.equal(p.tensor_layout, "NCHW");
  assert.equal(p.src_layout, "NHWC");
  assert.equal(p.src_dtype, "U8");
  close(p.mean, [103.94, 116.78, 123.68]);
  close(p.std, [1 / 0.017, 1 / 0.017, 1 / 0.017]); // 58.8235…: scale is a multiplier
  assert.deepEqual(m.placement.cpu, ["OP_name"]);
  assert.equal(m.build.quant.input_configs[0].calibration_format, "Binary");
  assert.equal(m.build.quant.input_configs[0].calibration_size, -1);
});

Deno.test("parseHorizonConfig() reads the Caffe template with custom_op and reports a Caffe mapping", () => {
  const h = parseHorizonConfig(`${DIR}bernoulli2_template_caffe.yaml`, {
    targets,
    tool: "hb_mapper",
    modelType: "caffe",
  });
  assert.deepEqual(h.custom_op?.op_register_files, ["sample_custom.py"]);
  const m = horizonToBuildConfig(h, targets);
  assert.equal(m.modelType, "caffe");
  assert.equal(m.build.input, "");
  assert.equal(m.caffe?.prototxt, "mobilenet.prototxt");
});

Deno.test("parseHorizonConfig() reads the seed 004 nash template with strict on", () => {
  const h = parseHorizonConfig(`${DIR}nash_template.yaml`, {
    targets,
    tool: "hb_compile",
    strict: true,
  });
  assert.equal(h.march, "nash-e");
  assert.deepEqual(h.model_parameters.remove_node_type, ["Dequantize"]);
  assert.equal(h.compiler_parameters.input_source.data, "pyramid");
  assert.equal(h.compiler_parameters.max_time_per_fc, 1000);
  assert.equal(h.compiler_parameters.jobs, 8);
  assert.equal(h.warnings.length, 0);
  assert.equal(horizonToBuildConfig(h, targets).build.npu_mode, "NPU1");
});

Deno.test("parseHorizonConfig() loads quant_config JSON with comments and maps int16 to U16", () => {
  const h = parseHorizonConfig(`${DIR}nash_quant_config.yaml`, {
    targets,
    tool: "hb_compile",
  });
  const q = h.quant_config;
  assert.ok(q);
  // Priority node > op > model (seed 004's Add/Add_2 example).
  assert.equal(precisionOf(q, "Add_2", "Add"), "int8");
  assert.equal(precisionOf(q, "Add_7", "Add"), "int16");
  assert.equal(precisionOf(q, "Conv_1", "Conv"), "int16");
  assert.equal(precisionOf(q, "Softmax_3", "Softmax"), "float16");
  assert.deepEqual(h.node_info.map((n) => [n.node, n.inputType]), [["Conv_0", "int16"], [
    "Conv_3",
    "int16",
  ]]);
  const m = horizonToBuildConfig(h, targets);
  const lc = m.build.quant.layer_configs;
  assert.ok(lc.some((l) => l.start_tensor_names[0] === "DEFAULT" && l.data_type === "U16"));
  assert.ok(lc.some((l) => l.layer_name === "Add_2" && l.data_type === "U8"));
  assert.ok(lc.some((l) => l.op_type === "Softmax" && l.data_type === "FP32"));
  assert.ok(
    lc.some((l) => l.op_type === "Sigmoid" && l.output_data_type === "U16" && l.data_type === "U8"),
  );
  assert.equal(m.build.quant.calibration_method, "Percentile");
  assert.equal(m.percentile, 0.99995);
  const p = m.build.input_processors[0];
  assert.equal(p.src_format, "YUV420SP");
  assert.equal(p.csc_mode, "LimitedRange"); // bt601_video
  assert.equal(m.calibration[0].dtype, "float32"); // `_f32` folder suffix
  assert.equal(h.compiler_parameters.balance_factor, 50);
});

Deno.test("parseHorizonConfig() reads public-X3-style blank strings and bare numbers", () => {
  const h = parseHorizonConfig(`${DIR}x3_yuv_quirks.yaml`, {
    targets,
    tool: "hb_mapper",
    strict: true,
  });
  assert.deepEqual(h.input_parameters.input_name, []);
  assert.deepEqual(h.input_parameters.input_shape, []);
  assert.deepEqual(h.inputs[0].mean, [128]);
  assert.equal(h.calibration_parameters.max_percentile, 0.99996);
  const m = horizonToBuildConfig(h, targets);
  assert.equal(m.build.npu_mode, "NPU2");
  assert.equal(m.build.input_processors[0].tensor_name, "DEFAULT");
  close(m.build.input_processors[0].std, [128, 128, 128]); // 1/0.0078125, yuv444 has 3 channels
  assert.equal(m.build.quant.calibration_method, "Percentile");
});

Deno.test("parseHorizonConfig() zips ';' lists of a two-input model in input_name order", () => {
  const h = parseHorizonConfig(`${DIR}x3_multi_input.yaml`, {
    targets,
    tool: "hb_mapper",
  });
  assert.equal(h.march, "bernoulli2"); // default march
  assert.deepEqual(h.inputs.map((i) => [i.name, i.typeRt, i.calDataDir]), [
    ["img", "rgb", "./cal/img"],
    ["feat", "featuremap", "./cal/feat_f32"],
  ]);
  assert.equal(h.inputs[1].mean, undefined); // 'None'
  const m = horizonToBuildConfig(h, targets);
  assert.equal(m.build.input_shapes, "img:1x224x224x3;feat:1x16x8x8");
  assert.deepEqual(m.build.input_processors[1].mean, new Array(16).fill(0));
  assert.equal(m.build.input_processors[1].src_dtype, "FP32");
  assert.deepEqual(m.placement.cpu, ["Softmax_12", "Reshape_3"]);
  assert.equal(m.build.quant.input_configs.length, 2);
});

Deno.test("parseHorizonConfig() reads public-X5-style bayes-e configs", () => {
  const h = parseHorizonConfig(`${DIR}x5_bayes_e.yaml`, {
    targets,
    tool: "hb_mapper",
  });
  assert.equal(h.march, "bayes-e");
  assert.deepEqual(h.inputs[0].scale, [0.003921568627451, 0.003921568627451, 0.003921568627451]);
  assert.deepEqual(h.calibration_parameters.optimization, [
    "set_Softmax_input_int8",
    "set_Softmax_output_int8",
  ]);
  assert.equal(h.compiler_parameters.debug, true);
  assert.equal(h.node_info[0].on, "BPU");
  assert.equal(h.warnings.length, 1); // max_percentile beside 'default'
  const m = horizonToBuildConfig(h, targets);
  assert.deepEqual(m.placement.bpu, ["/model.10/m/m.0/attn/Softmax"]);
  close(m.build.input_processors[0].mean, [0, 0, 0]);
  close(m.build.input_processors[0].std, [255, 255, 255]); // 1/0.003921568627451
});

Deno.test("parseHorizonConfig() reads public-J6-style inline quant_config and warns on unknown keys", () => {
  const h = parseHorizonConfig(`${DIR}nash_inline_quant.yaml`, {
    targets,
    tool: "hb_compile",
  });
  assert.equal(h.quant_config?.op_config.Softmax, "int16");
  assert.deepEqual(h.inputs[0].mean, [0.4914, 0.4822, 0.4465]);
  assert.match(h.warnings.join("\n"), /compiler_parameters\.extra_params is not a known parameter/);
  assert.throws(
    () =>
      parseHorizonConfig(`${DIR}nash_inline_quant.yaml`, {
        targets,
        tool: "hb_compile",
        strict: true,
      }),
    /compiler_parameters\.extra_params/,
  );
});
