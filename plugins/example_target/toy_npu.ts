/**
 * An example axb target plugin: a hypothetical "toy-npu" with one core that runs Conv,
 * Relu, Add, MaxPool, GlobalAveragePool and Gemm, with one simple limit (Conv kernels up
 * to 5x5, no grouped conv). Copy this file to start your own target.
 *
 * A plugin is a module exporting `target`: a plain object implementing the `Target`
 * contract of axb (`targets/target.ts`). Load it with `loadTargetPlugin()` from
 * `plugins/load_plugin.ts`, or on the command line, where its names and modes are then
 * valid config values:
 *
 * ```
 * axb build --target_plugin plugins/example_target/toy_npu.ts --target_hardware toy-npu \
 *           --npu_mode TOY1 --input m.onnx --output_dir out --config c.json
 * ```
 *
 * @module
 */

// Types only: a plugin needs nothing from axb at run time. From outside this repository,
// import these types from axb's published module instead of a relative path.
import type { Legality, LegalityContext, Target } from "../../targets/target.ts";
import type { Node } from "../../core/ir/graph.ts";

/** The operators the toy NPU runs. Everything else goes to the CPU. */
const SUPPORTED = new Set(["Conv", "Relu", "Add", "MaxPool", "GlobalAveragePool", "Gemm"]);

/** The largest Conv kernel side the toy NPU's line buffer holds (our invented limit). */
const MAX_KERNEL = 5;

/** The legality hook: answer "npu", or "cpu" with a reason naming node, attribute, limit and value. */
function legality(node: Node, _ctx: LegalityContext): Legality {
  const head = `${node.opType} "${node.name}"`;
  if (node.domain !== "" || !SUPPORTED.has(node.opType)) {
    return {
      action: "cpu",
      cause: "unlisted",
      reason: `${head}: ${node.opType} is not in the toy-npu operator list`,
    };
  }
  if (node.opType === "Conv") {
    // Attributes are a Map of typed values: { kind: "ints", value: [3, 3] }, { kind: "int", value: 1 }, …
    const k = node.attrs.get("kernel_shape");
    if (k?.kind === "ints" && k.value.some((v) => v > MAX_KERNEL)) {
      return {
        action: "cpu",
        cause: "limit",
        reason: `${head}: kernel_shape is [${
          k.value.join(", ")
        }], toy-npu supports kernels up to ${MAX_KERNEL}x${MAX_KERNEL}`,
      };
    }
    const g = node.attrs.get("group");
    if (g?.kind === "int" && g.value !== 1) {
      return {
        action: "cpu",
        cause: "only",
        reason: `${head}: group is ${g.value}, toy-npu supports group 1 only`,
      };
    }
  }
  return { action: "npu" };
}

/** The toy-npu target. Every hardware number says where it comes from (here: invented). */
export const target: Target = {
  name: "toy-npu",
  aliases: ["toy"],
  family: "axera", // which front end accepts it: "axera" (pulsar2-style) or "horizon"
  // The names `npu_mode` accepts for this target (any names; the first is the default).
  npuModes: [{ name: "TOY1", cores: 1 }],
  // The `model_type`s it documents; the config warns on others (absent: all of them).
  modelTypes: ["ONNX"],
  hardware: {
    macArray: {
      rows: { value: 16, unit: "lanes", assumed: true, why: "invented for the example" },
      cols: { value: 16, unit: "lanes", assumed: true, why: "invented for the example" },
    },
    onChipMemoryBytes: {
      value: 256 * 1024,
      unit: "bytes",
      assumed: true,
      why: "invented for the example",
    },
    ddrBandwidthBytesPerSecond: {
      value: 4e9,
      unit: "bytes/s",
      assumed: true,
      why: "invented for the example",
    },
    clockHz: { value: 500e6, unit: "Hz", assumed: true, why: "invented for the example" },
    cores: { value: 1, unit: "cores", assumed: true, why: "invented for the example" },
    vectorElementsPerCycle: {
      value: 16,
      unit: "elements/cycle",
      assumed: true,
      why: "invented for the example",
    },
  },
  legality,
};
