/**
 * `deno task compile` builds a single `axb` binary. `deno compile` downloads a runtime for
 * the target the first time; where that download is impossible (an offline machine), the
 * binary cannot be built, so the test is registered as ignored and prints
 * `skipped: <reason>` — it does not count as passed. Any other build failure fails the
 * test. Where the binary builds, it must answer `axb version`.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { VERSION } from "../core/version.ts";

const NAME = "deno compile produces an axb binary that prints its version";
const root = join(import.meta.dirname ?? ".", "..");
const dir = await Deno.makeTempDir();
const binary = join(dir, "axb");
const build = await new Deno.Command(Deno.execPath(), {
  args: [
    "compile",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--include",
    join(root, "core/quant/pool_worker.ts"),
    "--output",
    binary,
    join(root, "cli.ts"),
  ],
  cwd: root,
  stdout: "piped",
  stderr: "piped",
}).output();
// deno-lint-ignore no-control-regex -- strip ANSI colour codes from deno's output
const stderrLines = new TextDecoder().decode(build.stderr).replace(/\x1b\[[0-9;]*m/g, "")
  .split("\n").map((l) => l.trim()).filter((l) => l);
const offline = stderrLines.find((l) => /error sending request|dns error|network/i.test(l));

if (!build.success && offline) {
  console.log(`skipped: ${NAME}: deno compile cannot download its runtime here (${offline})`);
  await Deno.remove(dir, { recursive: true });
  Deno.test({ name: NAME, ignore: true, fn: () => {} });
} else {
  Deno.test(NAME, async () => {
    try {
      assert.ok(build.success, `deno compile failed: ${stderrLines.join(" | ")}`);
      const run = await new Deno.Command(binary, { args: ["version"], stdout: "piped" }).output();
      assert.ok(run.success);
      assert.match(
        new TextDecoder().decode(run.stdout),
        new RegExp(`version: ${VERSION.replaceAll(".", "\\.")}`),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
