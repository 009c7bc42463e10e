import { strict as assert } from "node:assert";
import { join } from "node:path";
import { StagedFiles } from "./staged_files.ts";

async function listing(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(rel);
    if (e.isDirectory) out.push(...await listing(dir, rel));
  }
  return out.sort();
}

Deno.test("StagedFiles.commit() puts the files in place only when called", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const s = new StagedFiles();
    await s.write(join(dir, "out", "a", "x.bin"), new Uint8Array([1, 2]));
    await s.write(join(dir, "out", "b", "y.bin"), new Uint8Array([3]));
    assert.ok(!(await listing(dir)).some((p) => p.endsWith("x.bin") || p.endsWith("y.bin")));
    await s.commit();
    assert.deepEqual(await listing(dir), ["out", "out/a", "out/a/x.bin", "out/b", "out/b/y.bin"]);
    assert.deepEqual([...await Deno.readFile(join(dir, "out", "a", "x.bin"))], [1, 2]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StagedFiles.discard() removes the staged files and the directories it created", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "out"));
    await Deno.writeTextFile(join(dir, "out", "keep.txt"), "kept");
    const s = new StagedFiles();
    await s.write(join(dir, "out", "a", "x.bin"), new Uint8Array([1]));
    await s.write(join(dir, "out", "keep.txt"), new Uint8Array([9]));
    await s.discard();
    assert.deepEqual(await listing(dir), ["out", "out/keep.txt"]);
    assert.equal(await Deno.readTextFile(join(dir, "out", "keep.txt")), "kept");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
