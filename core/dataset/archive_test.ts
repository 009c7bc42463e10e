import { strict as assert } from "node:assert";
import { join } from "node:path";
import { gzipSync, zipSync } from "fflate";
import { createTar } from "nanotar";
import { InputDataError } from "../errors/mod.ts";
import { createLogger } from "../util/log.ts";
import { checkMemberPath, datasetDirFor, extractDataset, openDataset } from "./archive.ts";
import { readTar } from "./tar.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function tempFile(name: string, bytes: Uint8Array): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "axb_ds_" });
  const path = join(dir, name);
  await Deno.writeFile(path, bytes);
  return path;
}

const MEMBERS = [
  { name: "b/2.bin", data: enc.encode("two") },
  { name: "1.bin", data: enc.encode("one") },
  { name: "__MACOSX/._1.bin", data: enc.encode("junk") },
  { name: ".DS_Store", data: enc.encode("junk") },
  { name: "b/.hidden", data: enc.encode("junk") },
];

Deno.test("openDataset() refuses a tar member that climbs out with ../", async () => {
  const tar = createTar([{ name: "ok.bin", data: "x" }, { name: "../evil", data: "y" }]);
  const path = await tempFile("evil.tar", tar);
  await assert.rejects(openDataset(path), (e: Error) => {
    assert.ok(e instanceof InputDataError);
    assert.match(e.message, /evil\.tar/);
    assert.match(e.message, /"\.\.\/evil"/);
    return true;
  });
});

Deno.test("openDataset() refuses absolute and deep-escaping members in tar and zip", async () => {
  const tar = createTar([{ name: "/etc/passwd", data: "x" }]);
  await assert.rejects(openDataset(await tempFile("abs.tar", tar)), /absolute path/);
  const zip = zipSync({ "a/../../x.bin": enc.encode("x") });
  await assert.rejects(openDataset(await tempFile("esc.zip", zip)), /"a\/\.\.\/\.\.\/x\.bin"/);
});

Deno.test("checkMemberPath() normalises ./ and inner .. and ignores junk", () => {
  assert.equal(checkMemberPath("./a/./b.jpg", "x"), "a/b.jpg");
  assert.equal(checkMemberPath("a/../b.jpg", "x"), "b.jpg");
  assert.equal(checkMemberPath("dir/", "x"), undefined);
  assert.equal(checkMemberPath("__MACOSX/a.jpg", "x"), undefined);
  assert.equal(checkMemberPath("a/._b.jpg", "x"), undefined);
  assert.throws(() => checkMemberPath("C:\\x.jpg", "x"), InputDataError);
});

Deno.test("openDataset() lists the same files for tar, tar.gz, .gz, zip and a directory", async () => {
  const tar = createTar(MEMBERS);
  const zipInput: Record<string, Uint8Array> = {};
  for (const m of MEMBERS) zipInput[m.name] = m.data;
  const dir = await Deno.makeTempDir({ prefix: "axb_ds_dir_" });
  for (const m of MEMBERS) {
    await Deno.mkdir(join(dir, m.name, ".."), { recursive: true });
    await Deno.writeFile(join(dir, m.name), m.data);
  }
  const sources = [
    await openDataset(await tempFile("d.tar", tar)),
    await openDataset(await tempFile("d.tar.gz", gzipSync(tar))),
    await openDataset(await tempFile("d.gz", gzipSync(tar))),
    await openDataset(await tempFile("d.zip", zipSync(zipInput))),
    await openDataset(dir),
  ];
  assert.deepEqual(sources.map((s) => s.kind), ["tar", "tar.gz", "tar.gz", "zip", "directory"]);
  for (const s of sources) {
    assert.deepEqual(s.files.map((f) => f.name), ["1.bin", "b/2.bin"], s.path);
    assert.deepEqual(s.files.map((f) => dec.decode(f.bytes)), ["one", "two"], s.path);
  }
});

Deno.test("openDataset() refuses a gzip file that does not hold a tar", async () => {
  const path = await tempFile("plain.gz", gzipSync(enc.encode("hello")));
  await assert.rejects(openDataset(path), /gzip-compressed but does not hold a tar/);
  await assert.rejects(openDataset(await tempFile("x.rar", enc.encode("Rar!"))), /not a tar/);
  await assert.rejects(openDataset("/nonexistent/axb.tar"), /does not exist/);
});

Deno.test("readTar() joins the ustar prefix and reads PAX and GNU long names", () => {
  const block = (name: string, size: number, flag: string, prefix = "") => {
    const h = new Uint8Array(512);
    h.set(enc.encode(name), 0);
    h.set(enc.encode(size.toString(8).padStart(11, "0")), 124);
    h.set(enc.encode(flag), 156);
    h.set(enc.encode("ustar\u000000"), 257);
    h.set(enc.encode(prefix), 345);
    h.fill(0x20, 148, 156);
    const sum = h.reduce((a, b) => a + b, 0);
    h.set(enc.encode(sum.toString(8).padStart(6, "0") + "\u0000 "), 148);
    return h;
  };
  const pad = (b: Uint8Array) => {
    const out = new Uint8Array(Math.ceil(b.length / 512) * 512);
    out.set(b);
    return out;
  };
  const pax = enc.encode("29 path=dir with space/p.bin\n");
  assert.equal(pax.length, 29);
  const gnu = enc.encode("long/gnu.bin\u0000");
  const parts = [
    block("x.bin", 1, "0", "pre/fix"),
    pad(enc.encode("X")),
    block("PaxHeader", pax.length, "x"),
    pad(pax),
    block("ignored", 1, "0"),
    pad(enc.encode("P")),
    block("././@LongLink", gnu.length, "L"),
    pad(gnu),
    block("short", 1, "0"),
    pad(enc.encode("G")),
    new Uint8Array(1024),
  ];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    bytes.set(p, off);
    off += p.length;
  }
  const members = readTar(bytes.subarray(0), "t.tar");
  assert.deepEqual(members.map((m) => [m.name, dec.decode(m.data)]), [
    ["pre/fix/x.bin", "X"],
    ["dir with space/p.bin", "P"],
    ["long/gnu.bin", "G"],
  ]);
});

Deno.test("extractDataset() writes the files under quant/dataset/<input> and logs it", async () => {
  const source = await openDataset(await tempFile("d.tar", createTar(MEMBERS)));
  const work = await Deno.makeTempDir({ prefix: "axb_ds_work_" });
  const dir = datasetDirFor(work, "/model/input.1");
  assert.equal(dir, join(work, "quant", "dataset", "_model_input_1"));
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "stale.bin"), "old run");
  const lines: string[] = [];
  await extractDataset(source, dir, { log: createLogger({ sink: (l) => lines.push(l) }) });
  assert.equal(await Deno.readTextFile(join(dir, "1.bin")), "one");
  assert.equal(await Deno.readTextFile(join(dir, "b", "2.bin")), "two");
  await assert.rejects(Deno.stat(join(dir, "stale.bin")), Deno.errors.NotFound);
  assert.equal(lines.length, 1);
  assert.ok(lines[0].endsWith(`| INFO     | extract [${source.path}] to [${dir}]...`), lines[0]);
});
