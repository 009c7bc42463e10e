import { strict as assert } from "node:assert";
import { join } from "node:path";
import { defaultLayerConfig, type LayerConfig } from "../config/build_config.ts";
import { loadModel } from "../onnx/load.ts";
import { ConfigError } from "../errors/mod.ts";
import { refuseFp32Conv } from "./layer_config_rules.ts";

const TINY = join(import.meta.dirname ?? ".", "../../testdata/models/tiny_cnn.onnx");

function entry(over: Partial<LayerConfig>): LayerConfig {
  return { ...defaultLayerConfig(), ...over };
}

Deno.test("refuseFp32Conv() names the Conv and the entry when a layer_name sets a Conv to FP32", async () => {
  const g = (await loadModel(TINY)).graph;
  assert.throws(
    () =>
      refuseFp32Conv(g, [
        entry({ op_type: "Relu", data_type: "FP32", output_data_type: "FP32" }),
        entry({ layer_name: "conv2", data_type: "FP32", output_data_type: "FP32" }),
      ]),
    (e) =>
      e instanceof ConfigError && e.field === "quant.layer_configs[1].data_type" &&
      /quant\.layer_configs\[1\] sets Conv "conv2" to data_type FP32/.test(e.message),
  );
});

Deno.test("refuseFp32Conv() accepts the manual's whole-model FP32 except Conv, and a float Conv output", async () => {
  const g = (await loadModel(TINY)).graph;
  refuseFp32Conv(g, [
    entry({
      start_tensor_names: ["DEFAULT"],
      end_tensor_names: ["DEFAULT"],
      data_type: "FP32",
      output_data_type: "FP32",
    }),
    entry({ op_type: "Conv", data_type: "U8" }),
  ]);
  refuseFp32Conv(g, [entry({ op_type: "Conv", data_type: "U8", output_data_type: "FP32" })]);
});

Deno.test("refuseFp32Conv() refuses a whole-model FP32 subgraph that leaves the Convs at FP32", async () => {
  const g = (await loadModel(TINY)).graph;
  assert.throws(
    () =>
      refuseFp32Conv(g, [
        entry({
          start_tensor_names: ["DEFAULT"],
          end_tensor_names: ["DEFAULT"],
          data_type: "FP32",
          output_data_type: "FP32",
        }),
      ]),
    (e) => e instanceof ConfigError && /Conv "conv1"/.test(e.message),
  );
});
