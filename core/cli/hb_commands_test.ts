import { strict as assert } from "node:assert";
import type { CommandIO } from "./command.ts";
import { AxbError, UsageError } from "../errors/mod.ts";
import { hbCompileCommand } from "./hb_compile.ts";
import { hbMapperCommand } from "./hb_mapper.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const targets = new TargetRegistry(builtinTargets());

const DIR = new URL("../../testdata/horizon/", import.meta.url).pathname;

function capture(): { io: CommandIO; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t), debug: false }, out, err };
}

/** Run `f` with a fresh temporary directory as the cwd. */
async function inTempDir(f: () => Promise<void>): Promise<void> {
  const before = Deno.cwd();
  Deno.chdir(await Deno.makeTempDir({ prefix: "axb_hb_" }));
  try {
    await f();
  } finally {
    Deno.chdir(before);
  }
}

Deno.test("hbMapperCommand checker refuses --proto with onnx and a nash march", async () => {
  const base = ["checker", "--model-type", "onnx", "--model", "m.onnx"];
  await assert.rejects(
    () => hbMapperCommand(targets).run([...base, "--proto", "p.prototxt"], capture().io),
    UsageError,
  );
  await assert.rejects(
    () => hbMapperCommand(targets).run([...base, "--march", "nash-e"], capture().io),
    (e: unknown) => e instanceof UsageError && /hb_compile march/.test(e.message),
  );
});

Deno.test("hbMapperCommand makertbin logs the YAML's warnings and names a model file that does not exist", async () => {
  await inTempDir(async () => {
    const c = capture();
    await assert.rejects(
      () =>
        hbMapperCommand(targets).run(
          ["makertbin", "--config", `${DIR}bernoulli2_template_onnx.yaml`, "--model-type", "onnx"],
          c.io,
        ),
      (e: unknown) => e instanceof AxbError && /\*\*\*\*\.onnx/.test(e.message),
    );
    assert.ok(c.err.some((l) => / WARNING .*run_on_cpu/.test(l)));
    assert.match(
      await Deno.readTextFile("hb_mapper_makertbin.log"),
      /ERROR exception in command: makertbin/,
    );
  });
});

Deno.test("hbMapperCommand makertbin refuses a Caffe model-type against an ONNX config", async () => {
  await assert.rejects(
    () =>
      hbMapperCommand(targets).run([
        "makertbin",
        "--config",
        `${DIR}x5_bayes_e.yaml`,
        "--model-type",
        "caffe",
      ], capture().io),
    /Missing keys: 'caffe_model', 'prototxt'/,
  );
});

Deno.test("hbCompileCommand --fast-perf writes the repeated -i/--input-shape into its starter YAML", async () => {
  await inTempDir(async () => {
    await assert.rejects(() =>
      hbCompileCommand(targets).run([
        "--fast-perf",
        "-m",
        "m.onnx",
        "--march",
        "nash-m",
        "-i",
        "input_1",
        "1x3x224x224",
        "--input-shape",
        "input_2",
        "1x3x224x224",
      ], capture().io)
    );
    const yaml = await Deno.readTextFile(".fast_perf/m_config.yaml");
    assert.match(yaml, /input_name: 'input_1;input_2'/);
    assert.match(yaml, /input_shape: '1x3x224x224;1x3x224x224'/);
    assert.match(yaml, /march: 'nash-m'/);
  });
});

Deno.test("hbCompileCommand refuses --fast-perf together with --config", async () => {
  await assert.rejects(
    () =>
      hbCompileCommand(targets).run(
        ["--fast-perf", "-c", `${DIR}nash_template.yaml`],
        capture().io,
      ),
    (e: unknown) => e instanceof UsageError && /exclude each other/.test(e.message),
  );
});

Deno.test("hbCompileCommand -c --skip compile reads the config and logs to hb_compile.log in the cwd", async () => {
  await inTempDir(async () => {
    await assert.rejects(
      () =>
        hbCompileCommand(targets).run(
          ["-c", `${DIR}nash_quant_config.yaml`, "--skip", "compile"],
          capture().io,
        ),
      AxbError,
    );
    assert.match(await Deno.readTextFile("hb_compile.log"), /INFO Start Model Convert/);
  });
});

Deno.test("hbCompileCommand refuses a bernoulli2 config and a bernoulli2 --march", async () => {
  await assert.rejects(
    () => hbCompileCommand(targets).run(["--config", `${DIR}x3_yuv_quirks.yaml`], capture().io),
    /'bernoulli2', a hb_mapper march/,
  );
  await assert.rejects(
    () =>
      hbCompileCommand(targets).run(
        ["--fast-perf", "-m", "m.onnx", "--march", "bernoulli2"],
        capture().io,
      ),
    UsageError,
  );
});
