import { strict as assert } from "node:assert";
import { join } from "node:path";
import { runCli } from "./_testing.ts";

const TINY = join(import.meta.dirname ?? ".", "../../testdata/models/tiny_cnn.onnx");

Deno.test("axb run --list logs each run's start, writes and finish together, in list order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb_run_list_" });
  try {
    await Deno.writeTextFile(join(dir, "list.txt"), "a\nb\n");
    const r = await runCli([
      "run",
      "--model",
      TINY,
      "--input_dir",
      join(dir, "in"),
      "--output_dir",
      join(dir, "out"),
      "--list",
      join(dir, "list.txt"),
      "--random_input",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stderr.split("\n")
      .map((l) => l.replace(/^.*? \| \w+ +\| /, ""))
      .filter((l) => l.startsWith(">>>") || l.startsWith("write [prob]"))
      .map((l) => l.startsWith("write") ? `write ${l.includes("/out/a/") ? "a" : "b"}` : l);
    assert.deepEqual(events, [
      ">>> [a] start",
      "write a",
      ">>> [a] finish",
      ">>> [b] start",
      "write b",
      ">>> [b] finish",
    ]);
    for (const l of ["a", "b"]) {
      assert.equal((await Deno.readFile(join(dir, "out", l, "prob.bin"))).length, 40);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
