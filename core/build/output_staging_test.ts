import { strict as assert } from "node:assert";
import { join } from "node:path";
import { ConfigError } from "../errors/mod.ts";
import { OutputStaging, processGone } from "./output_staging.ts";

/** Every file under `dir` (relative path → text), and every directory (→ "<dir>"). */
async function tree(dir: string, prefix = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) {
      out[rel] = "<dir>";
      Object.assign(out, await tree(dir, rel));
    } else {
      out[rel] = await Deno.readTextFile(join(dir, rel));
    }
  }
  return out;
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "axb_staging_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function put(path: string, text: string): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, text);
}

const DIRS = (out: string) => ({ output_dir: out, work_dir: "", output_name: "compiled.axmodel" });

Deno.test("OutputStaging.commit() replaces the owned entries, drops stale ones and keeps the user's files", async () => {
  await withDir(async (dir) => {
    const out = join(dir, "out");
    await put(join(out, "compiled.axmodel"), "old model");
    await put(join(out, "quant", "quant_axmodel.onnx"), "old quant");
    await put(join(out, "compiler", "placement.txt"), "old placement");
    await put(join(out, "notes.txt"), "mine");
    const s = await OutputStaging.open(DIRS(out));
    assert.equal(s.output, s.work);
    assert.ok(s.output.startsWith(join(out, ".axb-staging-")), s.output);
    await put(join(s.output, "compiled.axmodel"), "new model");
    await put(join(s.work, "quant", "quant_axmodel.onnx"), "new quant");
    await put(join(s.work, "frontend", "optimized.onnx"), "new float");
    // staged inside the existing output, hidden, beside the untouched previous entries
    const staged = Object.entries(await tree(out)).filter(([k]) => !k.startsWith(".axb-staging-"));
    assert.deepEqual(Object.fromEntries(staged), {
      "compiled.axmodel": "old model",
      "quant": "<dir>",
      "quant/quant_axmodel.onnx": "old quant",
      "compiler": "<dir>",
      "compiler/placement.txt": "old placement",
      "notes.txt": "mine",
    });
    await s.commit();
    assert.deepEqual(await tree(out), {
      "compiled.axmodel": "new model",
      "quant": "<dir>",
      "quant/quant_axmodel.onnx": "new quant",
      "frontend": "<dir>",
      "frontend/optimized.onnx": "new float",
      "notes.txt": "mine",
    });
    // nothing is left beside the output
    assert.deepEqual(Object.keys(await tree(dir)).filter((k) => !k.startsWith("out")), []);
  });
});

Deno.test("OutputStaging.discard() leaves the previous output as it was and a missing one missing", async () => {
  await withDir(async (dir) => {
    const out = join(dir, "out");
    await put(join(out, "compiled.axmodel"), "old model");
    const before = await tree(dir);
    const s = await OutputStaging.open(DIRS(out));
    await put(join(s.output, "compiled.axmodel"), "half written");
    await s.discard();
    assert.deepEqual(await tree(dir), before);

    const missing = join(dir, "a", "b", "out");
    const t = await OutputStaging.open(DIRS(missing));
    // beside the missing directory, in its nearest existing ancestor
    assert.ok(t.output.startsWith(join(dir, ".out.axb-staging-")), t.output);
    await put(join(t.work, "quant", "x"), "y");
    await t.discard();
    assert.deepEqual(await tree(dir), before);
  });
});

Deno.test("OutputStaging.shown() names the final directories, also for a separate work_dir", async () => {
  await withDir(async (dir) => {
    const out = join(dir, "out");
    const work = join(dir, "work");
    const s = await OutputStaging.open({
      output_dir: out,
      work_dir: work,
      output_name: "m.axmodel",
    });
    try {
      assert.notEqual(s.output, s.work);
      assert.equal(
        s.shown(`save [${join(s.work, "quant", "q.onnx")}] and [${join(s.output, "m.axmodel")}]`),
        `save [${join(work, "quant", "q.onnx")}] and [${join(out, "m.axmodel")}]`,
      );
      await put(join(s.work, "quant", "q.onnx"), "q");
      await put(join(s.output, "m.axmodel"), "m");
      await s.commit();
      assert.deepEqual(await tree(work), { "quant": "<dir>", "quant/q.onnx": "q" });
      assert.deepEqual(await tree(out), { "m.axmodel": "m" });
    } finally {
      await s.discard();
    }
  });
});

Deno.test("OutputStaging.open() refuses an output_name outside output_dir and an output_dir that is a file", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      OutputStaging.open({ output_dir: join(dir, "out"), work_dir: "", output_name: "../x" }),
      (e) => e instanceof ConfigError && e.field === "output_name",
    );
    assert.deepEqual(await tree(dir), {});
    await Deno.writeTextFile(join(dir, "file"), "x");
    await assert.rejects(
      OutputStaging.open(DIRS(join(dir, "file"))),
      (e) => e instanceof ConfigError && e.field === "output_dir" && /is a file/.test(e.message),
    );
    assert.deepEqual(await tree(dir), { file: "x" });
  });
});

Deno.test("processGone() sees this process alive", async () => {
  assert.equal(await processGone(Deno.pid), false);
});

Deno.test("OutputStaging.open() removes staging left by a killed build and keeps a live build's", async () => {
  await withDir(async (dir) => {
    const out = join(dir, "out");
    const host = Deno.hostname();
    // a process id that cannot exist (above Linux's pid_max of 2^22)
    const dead = { pid: 2 ** 22 + 7, host, started: Date.now() };
    const old = { pid: Deno.pid, host: "elsewhere", started: Date.now() - 2 * 24 * 3600 * 1000 };
    const live = { pid: Deno.pid, host, started: Date.now() };
    for (const [name, owner] of [["a", dead], ["b", old], ["c", live]] as const) {
      await put(join(out, `.axb-staging-${name}`, "owner.json"), JSON.stringify(owner));
    }
    await put(join(out, "notes.txt"), "mine");
    const s = await OutputStaging.open(DIRS(out));
    await s.discard();
    const left = Object.keys(await tree(out)).filter((p) => !p.includes("/")).sort();
    // a dead owner is seen only where /proc is readable (Deno grants it only with --allow-all);
    // elsewhere its staging goes once it is a day old, like "b"
    const seesDead = await processGone(dead.pid);
    assert.deepEqual(left, [
      ...(seesDead ? [] : [".axb-staging-a"]),
      ".axb-staging-c",
      "notes.txt",
    ]);
  });
});
