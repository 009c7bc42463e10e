/**
 * Archives read through caps: the zip reader, capped inflation, tar header checks while
 * inflating, link members, and the caps derived for calibration.
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { gzipSync, zipSync } from "fflate";
import { InputDataError, LimitError } from "../errors/mod.ts";
import { gzipTarLie, tarArchive, zipOverlapBomb } from "../fuzz/archive_build.ts";
import { concatBytes } from "../util/bytes.ts";
import { readZip } from "./zip.ts";
import { inflateCapped } from "./inflate.ts";
import { type ArchiveLimits, calibrationLimits, DEFAULT_ARCHIVE_LIMITS } from "./limits.ts";
import { openDataset } from "./archive.ts";
import { readTar, TarStream } from "./tar.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const MiB = 2 ** 20;

function limits(total: number, member: number, members = 100): ArchiveLimits {
  return { maxTotalBytes: total, maxMemberBytes: member, maxMembers: members, reason: "test" };
}

async function tempFile(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(await Deno.makeTempDir({ prefix: "axb_bounded_" }), name);
  await Deno.writeFile(path, bytes);
  return path;
}

Deno.test("readZip() reads stored and deflated members as fflate wrote them", () => {
  const zip = zipSync({
    "a.bin": [enc.encode("stored"), { level: 0 }],
    "d/b.bin": [new Uint8Array(5000).fill(7), { level: 9 }],
    "d/": new Uint8Array(0),
  });
  const members = readZip(zip, '"x.zip"', "x.zip", DEFAULT_ARCHIVE_LIMITS);
  assert.deepEqual(members.map((m) => [m.name, m.kind]), [
    ["a.bin", "file"],
    ["d/b.bin", "file"],
    ["d/", "directory"],
  ]);
  assert.equal(dec.decode(members[0].data), "stored");
  assert.deepEqual(members[1].data, new Uint8Array(5000).fill(7));
});

Deno.test("readZip() stops overlapping entries at the total cap and a member at its cap", () => {
  const bomb = zipOverlapBomb(64);
  assert.throws(
    () => readZip(bomb, '"b.zip"', "b.zip", limits(8 * MiB, 4 * MiB)),
    (e: Error) =>
      e instanceof LimitError && /"b\.zip": it decompresses to more than 8\.0 MiB/.test(e.message),
  );
  assert.throws(
    () => readZip(bomb, '"b.zip"', "b.zip", limits(8 * MiB, MiB / 2)),
    /member "0\.npy" decompresses to more than 512\.0 KiB/,
  );
  assert.throws(
    () => readZip(bomb, '"b.zip"', "b.zip", limits(GiB, MiB, 10)),
    /more than 10 members/,
  );
});

const GiB = 2 ** 30;

Deno.test("readZip() refuses encrypted entries, unknown methods and a cut directory", () => {
  const zip = zipSync({ "a.bin": enc.encode("hello") });
  const at = zip.findLastIndex((_, i) =>
    zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 1 && zip[i + 3] === 2
  );
  const encrypted = new Uint8Array(zip);
  encrypted[at + 8] |= 1;
  assert.throws(() => readZip(encrypted, '"e.zip"', "e.zip", DEFAULT_ARCHIVE_LIMITS), /encrypted/);
  const method = new Uint8Array(zip);
  method[at + 10] = 12;
  assert.throws(
    () => readZip(method, '"m.zip"', "m.zip", DEFAULT_ARCHIVE_LIMITS),
    (e: Error) => e instanceof InputDataError && /compression method 12/.test(e.message),
  );
  assert.throws(
    () => readZip(zip.subarray(0, zip.length - 30), '"c.zip"', "c.zip", DEFAULT_ARCHIVE_LIMITS),
    /no end-of-central-directory record/,
  );
});

Deno.test("readZip() reports a Unix symlink entry as a link, not a file", () => {
  const zip = zipSync({ "s.npy": [enc.encode("/etc/passwd"), { os: 3, attrs: 0o120777 << 16 }] });
  const [m] = readZip(zip, '"l.zip"', "l.zip", DEFAULT_ARCHIVE_LIMITS);
  assert.equal(m.kind, "link");
  assert.equal(m.data.length, 0);
});

Deno.test("inflateCapped() reads every gzip member, ignores zero padding, stops past the cap", () => {
  const two = concatBytes([gzipSync(enc.encode("ab")), gzipSync(enc.encode("cd"))]);
  const over = () => new LimitError("over");
  const opts = { format: "gzip" as const, cap: 100, over, what: "t" };
  assert.equal(dec.decode(inflateCapped(two, opts)), "abcd");
  assert.equal(dec.decode(inflateCapped(concatBytes([two, new Uint8Array(512)]), opts)), "abcd");
  assert.throws(() => inflateCapped(two, { ...opts, cap: 3 }), /over/);
  const long = gzipSync(enc.encode("hello world ".repeat(100)));
  assert.throws(
    () => inflateCapped(long.subarray(0, 15), { ...opts, cap: 10_000 }),
    (e: Error) => e instanceof InputDataError && /Cannot decompress t:/.test(e.message),
  );
});

Deno.test("openDataset() refuses a tar.gz member declaring 4 GiB at its header, quickly", async () => {
  const path = await tempFile("lie.tar.gz", gzipTarLie(4 * GiB));
  const t0 = performance.now();
  await assert.rejects(
    openDataset(path, { limits: limits(64 * MiB, 16 * MiB) }),
    (e: Error) => e instanceof LimitError && /member "big\.npy"/.test(e.message),
  );
  assert.ok(performance.now() - t0 < 2000);
});

Deno.test("openDataset() lists link members apart from the files", async () => {
  const tar = tarArchive([
    { name: "a.npy", data: enc.encode("x") },
    { name: "s.npy", type: "2", linkname: "/etc/passwd" },
    { name: "h.npy", type: "1", linkname: "a.npy" },
  ]);
  const src = await openDataset(await tempFile("l.tar", tar));
  assert.deepEqual(src.files.map((f) => f.name), ["a.npy"]);
  assert.deepEqual(src.links, [
    { name: "s.npy", target: "/etc/passwd" },
    { name: "h.npy", target: "a.npy" },
  ]);
});

Deno.test("openDataset() refuses a directory file over the member cap before reading it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb_bounded_dir_" });
  await Deno.writeFile(join(dir, "big.bin"), new Uint8Array(2048));
  await assert.rejects(openDataset(dir, { limits: limits(MiB, 1024) }), /member "big\.bin"/);
});

Deno.test("calibrationLimits() scales with samples and sample bytes, with floors", () => {
  const small = calibrationLimits(12 * 1024, 4, 'input "x"');
  assert.equal(small.maxMemberBytes, 16 * MiB);
  assert.equal(small.maxTotalBytes, 64 * MiB + 4 * 4 * 12 * 1024);
  const big = calibrationLimits(4 * MiB, 4, 'input "x"');
  assert.equal(big.maxMemberBytes, 32 * MiB);
  assert.equal(big.maxTotalBytes, 64 * MiB + 4 * 4 * 4 * MiB);
  const all = calibrationLimits(12 * 1024, -1, 'input "x"');
  assert.equal(all.maxTotalBytes, DEFAULT_ARCHIVE_LIMITS.maxTotalBytes);
  assert.match(all.reason, /calibration_size -1 reads every file/);
});

Deno.test("TarStream reads members spanning chunks as readTar() reads the whole archive", () => {
  const tar = tarArchive([
    { name: "a.bin", data: new Uint8Array(1000).map((_, i) => i % 251) },
    { name: "b.bin", data: enc.encode("b") },
    { name: "c.bin", data: new Uint8Array(0) },
  ]);
  const whole = readTar(tar, "t.tar");
  const stream = new TarStream("t.tar");
  for (let i = 0; i < tar.length; i += 7) stream.feed(tar.slice(i, i + 7));
  const pieces = stream.finish();
  assert.deepEqual(
    pieces.map((m) => [m.name, [...m.data]]),
    whole.map((m) => [m.name, [...m.data]]),
  );
  assert.equal(whole.length, 3);
  const cut = new TarStream("t.tar");
  cut.feed(tar.subarray(0, 700));
  assert.throws(() => cut.finish(), /t\.tar is truncated: a member needs 1000 bytes at offset 512/);
});

Deno.test("calibrationLimits() caps the total whatever calibration_size says", () => {
  assert.equal(calibrationLimits(12 * 1024, 2 ** 31, 'input "x"').maxTotalBytes, 512 * MiB);
});
