import { strict as assert } from "node:assert";
import { resolveBuildConfig } from "./resolve.ts";
import { defaultBuildConfig } from "./build_config.ts";
import { ConfigError } from "../errors/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());

const DIR = new URL("../../testdata/config/", import.meta.url).pathname;
const fixture = (name: string) => `${DIR}${name}`;

Deno.test("resolveBuildConfig() gives the proto defaults when nothing is set", async () => {
  const { config, warnings } = await resolveBuildConfig({}, { targets });
  assert.deepEqual(config, defaultBuildConfig(targets));
  assert.equal(warnings.length, 0);
  assert.equal(config.target_hardware, "AX650"); // spec pulsar2-build.md §4.2
  assert.equal(config.npu_mode, "NPU1");
  assert.equal(config.quant.calibration_method, "MinMax");
  assert.equal(config.quant.refine_weight_threshold, 1e-6);
  assert.equal(config.compiler.check_cosine_simularity, 0.999);
  assert.equal(config.output_name, "compiled.axmodel");
});

Deno.test("resolveBuildConfig() reads the seed 001 Numpy calibration example", async () => {
  const { config, warnings } = await resolveBuildConfig({ file: fixture("seed001_numpy.json") }, {
    targets,
  });
  const ic = config.quant.input_configs[0];
  assert.equal(ic.calibration_format, "Numpy");
  assert.equal(ic.calibration_size, 10);
  assert.equal(ic.tensor_name, "input");
  const p = config.input_processors[0];
  assert.equal(p.src_layout, "NHWC");
  assert.equal(p.src_dtype, "U8");
  assert.equal(p.tensor_layout, "NCHW");
  assert.equal(config.compiler.check, 0);
  assert.equal(warnings.filter((w) => w.severity === "warning").length, 0);
});

Deno.test("resolveBuildConfig() reads the seed 001 multi-input and NumpyObject examples", async () => {
  const multi =
    (await resolveBuildConfig({ file: fixture("seed001_multi_input.json") }, { targets })).config;
  assert.deepEqual(multi.quant.input_configs.map((c) => c.tensor_name), ["input1", "input2"]);
  assert.deepEqual(multi.quant.input_configs[1].calibration_std, [58, 58, 58]);
  const obj =
    (await resolveBuildConfig({ file: fixture("seed001_numpy_object.json") }, { targets })).config;
  assert.equal(obj.quant.input_configs[0].calibration_size, -1);
  assert.equal(obj.quant.input_configs[0].calibration_format, "NumpyObject");
});

Deno.test("resolveBuildConfig() reads every selector kind of the mixed-precision example", async () => {
  const { config } = await resolveBuildConfig({ file: fixture("seed001_mix_precision.json") }, {
    targets,
  });
  const l = config.quant.layer_configs;
  assert.equal(l.length, 5);
  assert.equal(l[0].op_type, "Add");
  assert.deepEqual(l[1].op_types, ["Sub"]);
  assert.equal(l[2].layer_name, "conv6_4");
  assert.deepEqual(l[3].layer_names, ["conv4_3"]);
  assert.deepEqual(l[4].start_tensor_names, ["conv2_1_linear_bn"]);
  assert.ok(
    l.every((x) =>
      x.data_type === "U16" && x.output_data_type === "U16" && x.weight_data_type === "S8"
    ),
  );
  assert.equal(config.quant.precision_analysis, false);
});

Deno.test("resolveBuildConfig() accepts Conv U8 with an FP32 output and whole-model FP32", async () => {
  const { config } = await resolveBuildConfig({ file: fixture("seed001_fp32_except_conv.json") }, {
    targets,
  });
  const [conv, all] = config.quant.layer_configs;
  assert.equal(conv.data_type, "U8");
  assert.equal(conv.output_data_type, "FP32");
  assert.deepEqual(all.start_tensor_names, ["DEFAULT"]);
  assert.equal(all.data_type, "FP32");
});

Deno.test("resolveBuildConfig() warns that csc_mat is ignored under NoCSC (extra shapes example)", async () => {
  const { config, warnings } = await resolveBuildConfig({
    file: fixture("seed001_extra_shapes.json"),
  }, { targets });
  assert.deepEqual(config.input_processors[0].src_extra_shapes, [{ shape: [1, 3, 384, 384] }]);
  assert.ok(
    warnings.some((w) => w.field === "input_processors[0].csc_mat" && w.severity === "warning"),
  );
  await assert.rejects(
    resolveBuildConfig({ file: fixture("seed001_extra_shapes.json") }, { targets, strict: true }),
    (e: unknown) => e instanceof ConfigError && e.field === "input_processors[0].csc_mat",
  );
});

Deno.test("resolveBuildConfig() reads op/const patches and lets a sub-config inherit check", async () => {
  const { config } = await resolveBuildConfig({ file: fixture("seed001_patches.json") }, {
    targets,
  });
  assert.deepEqual(config.op_processors, [{ op_name: "pool6", attrs: { ceil_mode: 1 } }]);
  assert.deepEqual(config.const_processors[0].data, [-1, 96, 48]);
  const sub = config.compiler.sub_configs[0];
  assert.equal(config.compiler.check, 1);
  assert.equal(sub.check, 2);
  assert.deepEqual(sub.explicit_fields, ["check"]);
  assert.equal(sub.check_rtol, 1e-5);
});

Deno.test("resolveBuildConfig() inherits unset sub-config options from the parent compiler", async () => {
  const raw = {
    compiler: {
      check: 1,
      check_mode: "CheckPerLayer",
      sub_configs: [{ start_tensor_names: ["a"], end_tensor_names: ["b"], npu_perf: true }],
    },
  };
  const sub = (await resolveBuildConfig({ raw }, { targets })).config.compiler.sub_configs[0];
  assert.equal(sub.check, 1);
  assert.equal(sub.check_mode, "CheckPerLayer");
  assert.equal(sub.npu_perf, true);
  assert.deepEqual(sub.explicit_fields, ["npu_perf"]);
});

Deno.test("resolveBuildConfig() reads the advanced-strategy, CSC and QuantONNX examples", async () => {
  const ada =
    (await resolveBuildConfig({ file: fixture("seed001_adaround.json") }, { targets })).config
      .quant;
  assert.equal(ada.enable_adaround, true);
  assert.equal(ada.finetune_block_size, 3);
  assert.equal(ada.finetune_lr, 1e-4);
  assert.equal(ada.finetune_epochs, 100);
  assert.equal(ada.device, "cuda:0");
  assert.equal(ada.input_configs[0].calibration_format, "Binary");
  const csc =
    (await resolveBuildConfig({ file: fixture("seed001_csc_yuv.json") }, { targets })).config;
  assert.equal(csc.input_processors[0].csc_mode, "LimitedRange");
  assert.equal(csc.input_processors[0].src_format, "YUV420SP");
  const { config, warnings } = await resolveBuildConfig({
    file: fixture("seed001_quantonnx_resnet50.json"),
  }, { targets });
  assert.equal(config.model_type, "QuantONNX");
  // processor "data" has no mean/std of its own: the DEFAULT input config's calibration values apply
  assert.deepEqual(config.input_processors[0].mean, [103.939, 116.779, 123.68]);
  assert.deepEqual(config.input_processors[0].std, [1, 1, 1]);
  assert.ok(warnings.some((w) => w.severity === "note" && w.field === "_source"));
});

Deno.test("resolveBuildConfig() accepts the quirks of real user configs", async () => {
  const { config, warnings } = await resolveBuildConfig({ file: fixture("quirks_user.json") }, {
    targets,
  });
  assert.equal(config.target_hardware, "AX620E");
  assert.equal(config.npu_mode, "NPU2");
  assert.equal(config.input_shapes, "images:1x3x640x640");
  assert.equal(config.quant.calibration_method, "MSE");
  assert.equal(config.quant.precision_analysis_method, "EndToEnd");
  assert.equal(config.quant.layer_configs[1].data_type, "U16");
  assert.equal(config.input_processors[0].src_layout, "NHWC");
  assert.deepEqual(config.output_processors[0].dst_perm, [0, 2, 3, 1]);
  assert.equal(config.output_processors[0].tensor_name, "/model.23/Concat_output_0");
  assert.deepEqual(warnings.filter((w) => w.severity === "warning"), []);
});

Deno.test("resolveBuildConfig() gives identical configs for JSON, YAML, TOML and prototxt", async () => {
  const json = (await resolveBuildConfig({ file: fixture("full.json") }, { targets })).config;
  for (const ext of ["yaml", "toml", "prototxt"]) {
    const other = (await resolveBuildConfig({ file: fixture(`full.${ext}`) }, { targets })).config;
    assert.deepEqual(other, json, `full.${ext} differs from full.json`);
  }
  assert.equal(json.npu_mode, "NPU3");
  assert.equal(json.input_processors[0].src_layout, "NHWC");
  assert.equal(json.quant.input_configs[0].calibration_dataset, "./dataset/imagenet-32-images.tar");
  assert.deepEqual(json.compiler.static_batch_sizes, [1, 2, 4]);
  assert.deepEqual(json.compiler.sub_configs[0].static_batch_sizes, [1, 2, 4]);
  assert.equal(json.work_dir, "out");
  assert.equal(json.debug.dump_frontend_graph, true);
});

Deno.test("resolveBuildConfig() round-trips its own output (build_context.json)", async () => {
  const first = (await resolveBuildConfig({ file: fixture("full.json") }, { targets })).config;
  const again = await resolveBuildConfig({
    raw: JSON.parse(JSON.stringify(first)),
    file: "build_context.json",
  }, { targets });
  assert.deepEqual(again.config, first);
  assert.deepEqual(again.warnings.filter((w) => w.severity === "warning"), []);
});

Deno.test("resolveBuildConfig() warns on unknown fields with the nearest name, strict refuses", async () => {
  const raw = { quant: { calibraton_method: "MSE" } };
  const { config, warnings } = await resolveBuildConfig({ raw, file: "config.json" }, { targets });
  assert.equal(config.quant.calibration_method, "MinMax");
  assert.equal(
    warnings[0].message,
    "Unknown field quant.calibraton_method in config.json (did you mean calibration_method?); it is ignored",
  );
  await assert.rejects(
    resolveBuildConfig({ raw, file: "config.json" }, { targets, strict: true }),
    (e: unknown) => e instanceof ConfigError && e.field === "quant.calibraton_method",
  );
  const misplaced = await resolveBuildConfig({ raw: { layer_configs: [] }, file: "c.json" }, {
    targets,
  });
  assert.match(misplaced.warnings[0].message, /belongs at quant\.layer_configs/);
});
