/**
 * Bad input to `axb run` gives one line naming the problem, exit status 2, no stack
 * trace, and nothing written to the output directory.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { main } from "../../cli.ts";

const FIXTURES = join(import.meta.dirname ?? ".", "../../testdata/models");

interface Outcome {
  code: number;
  err: string[];
  outDir: string;
}

async function runAxb(
  prepare: (dir: string) => Promise<string[]>,
): Promise<Outcome> {
  const dir = await Deno.makeTempDir();
  const err: string[] = [];
  const outDir = join(dir, "out");
  try {
    const args = await prepare(dir);
    const code = await main(args, {
      stdout: () => {},
      stderr: (t) => err.push(t),
      debug: false,
    });
    let written: string[] = [];
    try {
      written = [...Deno.readDirSync(outDir)].map((e) => e.name);
    } catch {
      // no output directory at all: nothing written
    }
    assert.deepEqual(written, [], "nothing may be written to the output directory");
    return { code, err, outDir };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function assertOneLine(o: Outcome, pattern: RegExp) {
  assert.equal(o.code, 2);
  assert.equal(o.err.length, 1, o.err.join("\n"));
  assert.match(o.err[0], pattern);
  assert.doesNotMatch(o.err[0], /\n\s+at /, "no stack trace");
}

async function tinyCnnInputs(dir: string, bytes: number | null) {
  const inDir = join(dir, "in");
  await Deno.mkdir(inDir);
  if (bytes !== null) await Deno.writeFile(join(inDir, "input.bin"), new Uint8Array(bytes));
  return [
    "run",
    "--model",
    join(FIXTURES, "tiny_cnn.onnx"),
    "--input_dir",
    inDir,
    "--output_dir",
    join(dir, "out"),
  ];
}

Deno.test("axb run names the file when the model is truncated", async () => {
  const o = await runAxb(async (dir) => {
    const bytes = await Deno.readFile(join(FIXTURES, "tiny_cnn.onnx"));
    const model = join(dir, "cut.onnx");
    await Deno.writeFile(model, bytes.subarray(0, Math.floor(bytes.length / 2)));
    return ["run", "--model", model, "--input_dir", dir, "--output_dir", join(dir, "out")];
  });
  assertOneLine(o, /cut\.onnx/);
});

Deno.test("axb run names the operator and node it lacks", async () => {
  const o = await runAxb(async (dir) => {
    await Deno.mkdir(join(dir, "in"));
    await Deno.writeFile(join(dir, "in/x.bin"), new Uint8Array(16));
    return [
      "run",
      "--model",
      join(FIXTURES, "unknown_op.onnx"),
      "--input_dir",
      join(dir, "in"),
      "--output_dir",
      join(dir, "out"),
    ];
  });
  assertOneLine(o, /FancyOp.*fancy_0|fancy_0.*FancyOp/);
});

Deno.test("axb run names the input file of the wrong size", async () => {
  const o = await runAxb((dir) => tinyCnnInputs(dir, 100));
  assertOneLine(o, /input\.bin.*100 bytes.*12288/);
});

Deno.test("axb run names the missing input file", async () => {
  const o = await runAxb((dir) => tinyCnnInputs(dir, null));
  assertOneLine(o, /Missing input file for "input"/);
});

Deno.test("axb run refuses an unknown flag with a suggestion", async () => {
  const o = await runAxb(async (dir) => [...await tinyCnnInputs(dir, 12288), "--output_dirr", "x"]);
  assertOneLine(o, /Unknown flag --output_dirr/);
});

Deno.test("axb run refuses a missing required flag", async () => {
  const o = await runAxb(() =>
    Promise.resolve(["run", "--model", join(FIXTURES, "tiny_cnn.onnx")])
  );
  assertOneLine(o, /--input_dir/);
});
