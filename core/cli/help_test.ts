import { strict as assert } from "node:assert";
import { runCli } from "./_testing.ts";
import { terminalWidth } from "../util/terminal.ts";

Deno.test("main() prints an error that already names the command with one prefix", async () => {
  const r = await runCli(["hb_mapper", "foo"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'axb hb_mapper: error: unknown subcommand "foo"; expected checker or makertbin',
  );
  const run = await runCli(["run"]);
  assert.match(run.stderr, /^axb run: error: --model is required; usage: axb run --model /);
});

Deno.test("main() fits the command list and every command's help in the terminal width (80 when not a terminal)", async () => {
  const width = terminalWidth();
  const texts = [(await runCli(["--help"])).stdout];
  for (const name of ["build", "run", "inspect", "config", "hb_mapper", "hb_compile"]) {
    const r = await runCli([name, "--help"]);
    assert.equal(r.code, 0, name);
    texts.push(r.stdout);
  }
  for (const line of texts.join("\n").split("\n")) assert.ok(line.length <= width, line);
});

Deno.test("main() lists a --target_plugin's chip and mode in axb build --help", async () => {
  const plugin = new URL("../../plugins/example_target/toy_npu.ts", import.meta.url).pathname;
  const plain = await runCli(["build", "--help"]);
  assert.doesNotMatch(plain.stdout, /toy-npu/);
  const r = await runCli(["build", "--target_plugin", plugin, "--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /--target_hardware\s+\{[^}]*,toy-npu\}/);
  assert.match(r.stdout, /--npu_mode\s+\{[^}]*,TOY1\}/);
  const bad = await runCli(["build", "--target_plugin", "/nonexistent/plugin.ts", "--help"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /plugin\.ts/);
});
