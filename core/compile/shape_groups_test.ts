import { strict as assert } from "node:assert";
import { defaultBuildConfig, defaultInputProcessor } from "../config/build_config.ts";
import type { ValueInfo } from "../ir/graph.ts";
import { ConfigError } from "../errors/mod.ts";
import { extraShapeGroups } from "./shape_groups.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const INPUT: ValueInfo = { name: "data", type: { dtype: "f32", shape: [1, 3, 224, 224] } };

function configWith(shapes: number[][]) {
  return {
    ...defaultBuildConfig(new TargetRegistry(builtinTargets())),
    input_processors: [{
      ...defaultInputProcessor(),
      tensor_name: "DEFAULT",
      tensor_layout: "NCHW" as const,
      src_layout: "NHWC" as const,
      src_dtype: "U8" as const,
      src_extra_shapes: shapes.map((shape) => ({ shape })),
    }],
  };
}

Deno.test("extraShapeGroups() reads an NCHW extra shape and gives the NHWC runtime shape when src_layout is NHWC", () => {
  const groups = extraShapeGroups(configWith([[1, 3, 384, 384], [1, 3, 96, 128]]), [INPUT]);
  assert.deepEqual(groups.map((g) => g.given.get("data")), [[1, 3, 384, 384], [1, 3, 96, 128]]);
  assert.deepEqual(groups.map((g) => g.runtime.get("data")), [[1, 384, 384, 3], [1, 96, 128, 3]]);
});

Deno.test("extraShapeGroups() names the entry when an extra shape's rank differs from the input's", () => {
  assert.throws(
    () => extraShapeGroups(configWith([[1, 384, 384]]), [INPUT]),
    (e) =>
      e instanceof ConfigError && e.field === "input_processors[0].src_extra_shapes[0]" &&
      /rank 3, input "data" has rank 4/.test(e.message),
  );
});
