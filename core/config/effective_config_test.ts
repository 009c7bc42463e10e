import { strict as assert } from "node:assert";
import { writeEffectiveConfig } from "./effective_config.ts";
import { defaultBuildConfig } from "./build_config.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());

Deno.test("writeEffectiveConfig() writes build_context.json and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await writeEffectiveConfig(defaultBuildConfig(targets), `${dir}/out`);
    assert.equal(path, `${dir}/out/build_context.json`);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), defaultBuildConfig(targets));
    const names = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name);
    assert.deepEqual(names, ["build_context.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
