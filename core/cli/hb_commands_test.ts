import { strict as assert } from "node:assert";
import type { Command, CommandIO } from "./command.ts";
import { NotImplementedError, UsageError } from "../errors/mod.ts";
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

/** Run a command that must stop with NotImplementedError; returns its JSON output. */
async function runToNotImplemented(
  cmd: Command,
  argv: string[],
  what: RegExp,
): Promise<{ json: Record<string, unknown>; err: string[] }> {
  const c = capture();
  await assert.rejects(
    () => cmd.run(argv, c.io),
    (e: unknown) => e instanceof NotImplementedError && what.test(e.message),
  );
  assert.equal(c.out.length, 1);
  return { json: JSON.parse(c.out[0]), err: c.err };
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

Deno.test("hbMapperCommand makertbin validates the YAML and prints Horizon config and BuildConfig", async () => {
  const { json, err } = await runToNotImplemented(
    hbMapperCommand(targets),
    ["makertbin", "--config", `${DIR}bernoulli2_template_onnx.yaml`, "--model-type", "onnx"],
    /Horizon compilation \(hb_mapper makertbin\)/,
  );
  assert.equal(json.target, "bernoulli2");
  assert.equal((json.horizon as { march: string }).march, "bernoulli2");
  assert.equal((json.build as { output_name: string }).output_name, "mobilenetv1.axmodel");
  assert.ok(err.some((l) => l.includes("WARNING") && l.includes("run_on_cpu")));
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

Deno.test("hbCompileCommand --fast-perf takes repeated -i/--input-shape", async () => {
  const { json } = await runToNotImplemented(hbCompileCommand(targets), [
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
  ], /hb_compile --fast-perf/);
  assert.equal(json.target, "nash-m");
  assert.equal(
    (json.build as { input_shapes: string }).input_shapes,
    "input_1:1x3x224x224;input_2:1x3x224x224",
  );
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

Deno.test("hbCompileCommand -c maps the config and names the skipped stage", async () => {
  const { json } = await runToNotImplemented(
    hbCompileCommand(targets),
    ["-c", `${DIR}nash_quant_config.yaml`, "--skip", "compile"],
    /hb_compile --skip compile/,
  );
  assert.equal(json.skip, "compile");
  assert.equal(json.target, "nash-m");
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
