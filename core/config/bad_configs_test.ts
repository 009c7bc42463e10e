import { strict as assert } from "node:assert";
import { resolveBuildConfig } from "./resolve.ts";
import { ConfigError } from "../errors/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());

const IC = { tensor_name: "input", calibration_dataset: "d.tar" };
const IP = { tensor_name: "input" };
const SUB = { start_tensor_names: ["a"], end_tensor_names: ["b"] };

/** [name, config, field path the error must name, text the message must contain] */
const BAD: [string, Record<string, unknown>, string, string][] = [
  ["unknown target", { target_hardware: "AX999" }, "target_hardware", "AX650"],
  ["NPU3 on AX620E", { target_hardware: "AX620E", npu_mode: "NPU3" }, "npu_mode", "NPU1, NPU2"],
  ["NPU3 on AX615", { target_hardware: "AX615", npu_mode: 2 }, "npu_mode", "AX615"],
  ["npu_mode number out of range", { npu_mode: 7 }, "npu_mode", "NPU1"],
  ["model_type misspelt", { model_type: "Onnx" }, "model_type", "did you mean ONNX?"],
  [
    "input_shapes malformed",
    { input_shapes: "input:1*3*224*224" },
    "input_shapes",
    "name:1x3x224x224",
  ],
  ["input_shapes zero dim", { input_shapes: "a:1x0x2" }, "input_shapes", "positive"],
  ["output_name with a slash", { output_name: "a/b.axmodel" }, "output_name", "file name"],
  [
    "bool as a word",
    { onnx_opt: { enable_onnxsim: "yes" } },
    "onnx_opt.enable_onnxsim",
    "true or false",
  ],
  ["quant is a list", { quant: [] }, "quant", "expected an object"],
  [
    "calibration_format misspelt",
    { quant: { input_configs: [{ ...IC, calibration_format: "Imag" }] } },
    "quant.input_configs[0].calibration_format",
    "Image, Numpy, Binary, NumpyObject",
  ],
  [
    "calibration_size 0",
    { quant: { input_configs: [{ ...IC, calibration_size: 0 }] } },
    "quant.input_configs[0].calibration_size",
    "-1 (all files)",
  ],
  [
    "calibration_size fractional",
    { quant: { input_configs: [{ ...IC, calibration_size: 2.5 }] } },
    "quant.input_configs[0].calibration_size",
    "2.5",
  ],
  [
    "calibration_std zero",
    { quant: { input_configs: [{ ...IC, calibration_std: [1, 0, 1] }] } },
    "quant.input_configs[0].calibration_std[1]",
    "non-zero",
  ],
  [
    "calibration_mean not a list",
    { quant: { input_configs: [{ ...IC, calibration_mean: 0 }] } },
    "quant.input_configs[0].calibration_mean",
    "expected a list",
  ],
  [
    "missing calibration_dataset",
    { quant: { input_configs: [{ tensor_name: "x" }] } },
    "quant.input_configs[0].calibration_dataset",
    "tar",
  ],
  [
    "missing tensor_name",
    { quant: { input_configs: [{ calibration_dataset: "d.tar" }] } },
    "quant.input_configs[0].tensor_name",
    "DEFAULT",
  ],
  [
    "mean/std length mismatch",
    { quant: { input_configs: [{ ...IC, calibration_mean: [1, 2, 3], calibration_std: [1] }] } },
    "quant.input_configs[0].calibration_std",
    "calibration_mean has 3",
  ],
  [
    "calibration_method misspelt",
    { quant: { calibration_method: "Minmax" } },
    "quant.calibration_method",
    "did you mean MinMax?",
  ],
  [
    "hazards mode unknown",
    { quant: { hazards: "error" } },
    "quant.hazards",
    "expected one of warn, fix, off",
  ],
  [
    "refine_weight_threshold too big",
    { quant: { refine_weight_threshold: 0.001 } },
    "quant.refine_weight_threshold",
    "from 0 to 0.0001",
  ],
  [
    "refine_weight_threshold negative",
    { quant: { refine_weight_threshold: -0.5 } },
    "quant.refine_weight_threshold",
    "-1 (disabled)",
  ],
  [
    "transformer_opt_level 3",
    { quant: { transformer_opt_level: 3 } },
    "quant.transformer_opt_level",
    "0, 1 or 2",
  ],
  ["quant.check 2", { quant: { check: 2 } }, "quant.check", "0 (none) or 1"],
  [
    "conv_bias_data_type U8",
    { quant: { conv_bias_data_type: "U8" } },
    "quant.conv_bias_data_type",
    "S32, FP32",
  ],
  [
    "ln_scale_data_type S8",
    { quant: { ln_scale_data_type: "S8" } },
    "quant.ln_scale_data_type",
    "FP32, S32, U32",
  ],
  [
    "smooth_quant_threshold 2",
    { quant: { smooth_quant_threshold: 2 } },
    "quant.smooth_quant_threshold",
    "[0, 1]",
  ],
  ["device gpu", { quant: { device: "gpu" } }, "quant.device", "cuda:N"],
  [
    "layer_name with op_type",
    { quant: { layer_configs: [{ layer_name: "a", op_type: "Add" }] } },
    "quant.layer_configs[0]",
    "both layer_name",
  ],
  [
    "two selector kinds",
    { quant: { layer_configs: [{ op_types: ["Add"], layer_names: ["c"] }] } },
    "quant.layer_configs[0]",
    "one selector kind",
  ],
  [
    "no selector",
    { quant: { layer_configs: [{ data_type: "U16" }] } },
    "quant.layer_configs[0]",
    "selects no operator",
  ],
  [
    "start without end",
    { quant: { layer_configs: [{ start_tensor_names: ["a"] }] } },
    "quant.layer_configs[0].end_tensor_names",
    "both start_tensor_names",
  ],
  [
    "Conv FP32",
    { quant: { layer_configs: [{ op_type: "Conv", data_type: "FP32" }] } },
    "quant.layer_configs[0].data_type",
    "output_data_type",
  ],
  [
    "Conv FP32 in op_types",
    { quant: { layer_configs: [{ op_types: ["Relu", "Conv"], data_type: "FP32" }] } },
    "quant.layer_configs[0].data_type",
    "not allowed for Conv",
  ],
  [
    "data_type U32",
    { quant: { layer_configs: [{ op_type: "Add", data_type: "U32" }] } },
    "quant.layer_configs[0].data_type",
    "U8, S8, U16, S16, FP32",
  ],
  [
    "weight_data_type U8",
    { quant: { layer_configs: [{ op_type: "Conv", weight_data_type: "U8" }] } },
    "quant.layer_configs[0].weight_data_type",
    "S8, S16, U16, S32, FP32",
  ],
  [
    "output_data_type FP16",
    { quant: { layer_configs: [{ op_type: "Conv", output_data_type: "FP16" }] } },
    "quant.layer_configs[0].output_data_type",
    "U8, S8",
  ],
  [
    "src_dtype BF16",
    { input_processors: [{ ...IP, src_dtype: "BF16" }] },
    "input_processors[0].src_dtype",
    "U8, S8",
  ],
  [
    "tensor_format YUV",
    { input_processors: [{ ...IP, tensor_format: "YUV420SP" }] },
    "input_processors[0].tensor_format",
    "AutoColorSpace, BGR, RGB, GRAY",
  ],
  [
    "src_format RGBA",
    { input_processors: [{ ...IP, src_format: "RGBA" }] },
    "input_processors[0].src_format",
    "not allowed here",
  ],
  [
    "layout lower case",
    { input_processors: [{ ...IP, src_layout: "nhwc" }] },
    "input_processors[0].src_layout",
    "did you mean NHWC?",
  ],
  [
    "csc_mat 11 numbers",
    {
      input_processors: [{
        ...IP,
        src_format: "YUV420SP",
        tensor_format: "RGB",
        csc_mode: "Matrix",
        csc_mat: [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0],
      }],
    },
    "input_processors[0].csc_mat",
    "needs 12",
  ],
  [
    "src_format NV12 (not a vendor name)",
    { input_processors: [{ ...IP, src_format: "NV12" }] },
    "input_processors[0].src_format",
    "YUV420SP",
  ],
  [
    "csc_mat bias -276.8 under Matrix",
    {
      input_processors: [{
        ...IP,
        src_format: "YUV420SP",
        tensor_format: "BGR",
        csc_mode: "Matrix",
        csc_mat: [
          1.164,
          2.017,
          0,
          -276.8,
          1.164,
          -0.392,
          -0.813,
          135.616,
          1.164,
          0,
          1.596,
          -221.912,
        ],
      }],
    },
    "input_processors[0].csc_mat[3]",
    "(-9, 8)",
  ],
  [
    "csc_mat matrix element too large",
    {
      input_processors: [{
        ...IP,
        src_format: "YUV420SP",
        tensor_format: "BGR",
        csc_mode: 1,
        csc_mat: [600000, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
      }],
    },
    "input_processors[0].csc_mat[0]",
    "(-524289, 524288)",
  ],
  [
    "extra shapes count differs",
    {
      input_processors: [{ tensor_name: "a", src_extra_shapes: [{ shape: [1, 3, 8, 8] }] }, {
        tensor_name: "b",
      }],
    },
    "input_processors[1].src_extra_shapes",
    "same number",
  ],
  [
    "extra shape zero dim",
    { input_processors: [{ ...IP, src_extra_shapes: [{ shape: [1, 0] }] }] },
    "input_processors[0].src_extra_shapes[0].shape[1]",
    "positive integer",
  ],
  [
    "padding_mode reflect",
    { input_processors: [{ ...IP, padding_mode: "reflect" }] },
    "input_processors[0].padding_mode",
    "constant",
  ],
  [
    "padding odd count",
    { input_processors: [{ ...IP, padding: [0, 1, 0] }] },
    "input_processors[0].padding",
    "even",
  ],
  [
    "output_dtype S8",
    { output_processors: [{ tensor_name: "o", output_dtype: "S8" }] },
    "output_processors[0].output_dtype",
    "FP32, U8",
  ],
  [
    "dst_perm not a permutation",
    { output_processors: [{ tensor_name: "o", dst_perm: [0, 2, 2, 1] }] },
    "output_processors[0].dst_perm",
    "not a permutation",
  ],
  [
    "op_processors attrs a list",
    { op_processors: [{ op_name: "p", attrs: [1] }] },
    "op_processors[0].attrs",
    "Struct",
  ],
  [
    "const_processors without name",
    { const_processors: [{ data: [1] }] },
    "const_processors[0].name",
    "constant tensor",
  ],
  [
    "static and dynamic batch",
    { compiler: { static_batch_sizes: [1, 2], max_dynamic_batch_size: 4 } },
    "compiler.static_batch_sizes",
    "mutually exclusive",
  ],
  [
    "static batch 0",
    { compiler: { static_batch_sizes: [0] } },
    "compiler.static_batch_sizes[0]",
    "batch size >= 1",
  ],
  ["compiler.check 4", { compiler: { check: 4 } }, "compiler.check", "3 (cosine)"],
  [
    "cosine above 1",
    { compiler: { check_cosine_simularity: 1.5 } },
    "compiler.check_cosine_simularity",
    "[0, 1]",
  ],
  [
    "check_mode misspelt",
    { compiler: { check_mode: "PerLayer" } },
    "compiler.check_mode",
    "CheckOutput, CheckPerLayer",
  ],
  [
    "start_tensor_names at top compiler",
    { compiler: { start_tensor_names: ["a"] } },
    "compiler.start_tensor_names",
    "sub_configs",
  ],
  [
    "nested sub_configs",
    { compiler: { sub_configs: [{ ...SUB, sub_configs: [SUB] }] } },
    "compiler.sub_configs[0].sub_configs",
    "may not nest",
  ],
  [
    "sub-config without range",
    { compiler: { sub_configs: [{ check: 1 }] } },
    "compiler.sub_configs[0]",
    "start_tensor_names",
  ],
  [
    "sub-config with both batch kinds",
    { compiler: { sub_configs: [{ ...SUB, static_batch_sizes: [2], max_dynamic_batch_size: 8 }] } },
    "compiler.sub_configs[0].static_batch_sizes",
    "set only one",
  ],
  [
    "group pattern bad strategy",
    { compiler: { compiler_group_patterns: [{ type: "Tiles" }] } },
    "compiler.compiler_group_patterns[0].type",
    "Tile, Slice",
  ],
  [
    "debug flag not bool",
    { debug: { dump_frontend_graph: "always" } },
    "debug.dump_frontend_graph",
    "true or false",
  ],
];

Deno.test("resolveBuildConfig() refuses each bad config naming the field path", async () => {
  assert.ok(BAD.length >= 30);
  for (const [name, raw, field, text] of BAD) {
    let caught: unknown;
    try {
      await resolveBuildConfig({ raw, file: "bad.json" }, { targets });
    } catch (e) {
      caught = e;
    }
    assert.ok(
      caught instanceof ConfigError,
      `${name}: expected a ConfigError, got ${String(caught)}`,
    );
    assert.equal(caught.field, field, `${name}: field of "${caught.message}"`);
    assert.ok(
      caught.message.includes(field),
      `${name}: "${caught.message}" lacks the path ${field}`,
    );
    assert.ok(caught.message.includes(text), `${name}: "${caught.message}" lacks "${text}"`);
    assert.ok(
      caught.message.includes("bad.json"),
      `${name}: "${caught.message}" lacks the file name`,
    );
    assert.ok(!caught.message.endsWith("."), `${name}: trailing period`);
  }
});

Deno.test("resolveBuildConfig() names the received value in a leaf error", async () => {
  await assert.rejects(
    resolveBuildConfig({ raw: { quant: { calibration_method: "Kmeans" } }, file: "c.json" }, {
      targets,
    }),
    {
      message:
        'Invalid value "Kmeans" for quant.calibration_method in c.json: expected one of MinMax, Percentile, MSE, KL',
    },
  );
});
