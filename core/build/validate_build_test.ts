import { strict as assert } from "node:assert";
import { defaultBuildConfig, defaultInputQuantConfig } from "../config/build_config.ts";
import { ConfigError } from "../errors/mod.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";
import { validateBuild } from "./validate_build.ts";

const targets = new TargetRegistry(builtinTargets());

/** A buildable config of `input` (calibration named, files not needed for the refusals). */
function configOf(input: string, weights?: string) {
  return {
    ...defaultBuildConfig(targets),
    input,
    ...(weights === undefined ? {} : { weights }),
    output_dir: "out",
    quant: {
      ...defaultBuildConfig(targets).quant,
      input_configs: [{ ...defaultInputQuantConfig(), tensor_name: "data" }],
    },
  };
}

Deno.test("validateBuild() refuses a Caffe input without weights, naming the field, for a config built in code", async () => {
  await assert.rejects(
    () => validateBuild(configOf("net.prototxt"), targets),
    (e) =>
      e instanceof ConfigError && e.field === "input" &&
      e.message ===
        'input: "net.prototxt" is a Caffe net and needs its trained blobs; pass --weights NET.caffemodel or set weights',
  );
});

Deno.test("validateBuild() names a missing weights file of a Caffe input", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const proto = `${dir}/net.prototxt`;
    await Deno.writeTextFile(proto, 'name: "n"');
    await assert.rejects(
      () => validateBuild(configOf(proto, `${dir}/absent.caffemodel`), targets),
      (e) =>
        e instanceof ConfigError && e.field === "weights" && /absent\.caffemodel/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
