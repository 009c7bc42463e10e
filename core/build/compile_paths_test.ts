/**
 * What a build accepts, the compiled model honours: several inputs of different shapes,
 * an output permutation that moves the batch axis. Each model is built in the test and
 * compiled for AX650; the compiled model is then run through `axb run`.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { encodeRaw } from "../io/raw.ts";
import { runCli } from "../cli/_testing.ts";
import { readFloat32Bin, seededFloat32 } from "./_acceptance_helpers.ts";
import { buildSmall, twoInputModel } from "./_small_build.ts";

async function withDir(prefix: string, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `axb run` of `model` on the given `.bin` inputs; returns the stderr log. */
async function runModel(
  model: string,
  inputs: Record<string, Uint8Array>,
  dir: string,
  extra: string[] = [],
): Promise<string> {
  const inDir = join(dir, "in");
  await Deno.mkdir(inDir, { recursive: true });
  for (const [name, bytes] of Object.entries(inputs)) {
    await Deno.writeFile(join(inDir, `${name}.bin`), bytes);
  }
  const r = await runCli([
    "run",
    "--model",
    model,
    "--input_dir",
    inDir,
    "--output_dir",
    join(dir, "run_out"),
    ...extra,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.stderr;
}

Deno.test("runBuild() checks and runs a model whose two inputs have different shapes", async () => {
  await withDir("axb_two_inputs_", async (dir) => {
    const built = await buildSmall(
      twoInputModel(),
      [{ name: "a", shape: [1, 3, 8, 8] }, { name: "b", shape: [1, 3, 4, 4] }],
      { compiler: { check: 3 } },
      dir,
    );
    assert.ok(built.result.checks.length > 0, "compiler.check 3 compared nothing");
    assert.ok(built.result.checks.every((c) => c.passed));
    await runModel(built.result.compiledModel, {
      a: encodeRaw(seededFloat32([1, 3, 8, 8], 5)),
      b: encodeRaw(seededFloat32([1, 3, 4, 4], 6)),
    }, dir);
    const out = await readFloat32Bin(join(dir, "run_out", "out.bin"));
    assert.equal(out.length, 4 * 4 * 4);
  });
});
