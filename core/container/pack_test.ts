import { strict as assert } from "node:assert";
import { join } from "node:path";
import { createTar } from "nanotar";
import { ModelFormatError, UsageError } from "../errors/mod.ts";
import { encodeModel } from "../onnx/save.ts";
import { readTar } from "../dataset/tar.ts";
import {
  isPackedFile,
  PACK_INDEX,
  packedName,
  packModels,
  readHorizonModels,
  unpackModels,
} from "./pack.ts";
import { horizonSampleModel } from "./_horizon_testing.ts";
import { readHorizonMeta } from "./horizon_meta.ts";

const a = encodeModel(horizonSampleModel());
const b = encodeModel(horizonSampleModel({ typeRt: "rgb", inputDtype: "u8" }));

Deno.test("packModels() writes a tar whose first member is the index and whose models are unchanged", () => {
  const packed = packModels([{ name: "a", bytes: a }, { name: "b", bytes: b }]);
  assert.ok(isPackedFile(packed));
  assert.ok(!isPackedFile(a));
  const members = readTar(packed, "packed");
  assert.deepEqual(members.map((m) => m.name), [PACK_INDEX, "models/0.bin", "models/1.bin"]);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(members[0].data)), {
    format: "axb-pack",
    version: 1,
    models: [
      { name: "a", file: "models/0.bin", bytes: a.length },
      { name: "b", file: "models/1.bin", bytes: b.length },
    ],
  });
  const back = unpackModels(packed, "p.bin");
  assert.deepEqual(back.map((m) => m.name), ["a", "b"]);
  assert.deepEqual(back[1].bytes, b);
  // deterministic: member times are fixed
  assert.deepEqual(packModels([{ name: "a", bytes: a }, { name: "b", bytes: b }]), packed);
});

Deno.test("packModels() refuses one model and two models of one name", () => {
  assert.throws(() => packModels([{ name: "a", bytes: a }]), UsageError);
  assert.throws(
    () => packModels([{ name: "a", bytes: a }, { name: "a", bytes: b }]),
    /both named "a"/,
  );
});

Deno.test("unpackModels() refuses a tar without the index, a member of the wrong size and a non-tar", () => {
  const noIndex = createTar([{ name: "models/0.bin", data: a }]);
  assert.throws(() => unpackModels(noIndex, "p.bin"), /has no axb_pack.json member/);
  const index = {
    format: "axb-pack",
    version: 1,
    models: [{ name: "a", file: "models/0.bin", bytes: a.length + 1 }],
  };
  const wrongSize = createTar([
    { name: PACK_INDEX, data: JSON.stringify(index) },
    { name: "models/0.bin", data: a },
  ]);
  assert.throws(
    () => unpackModels(wrongSize, "p.bin"),
    new RegExp(`model "a" needs member models/0.bin of ${a.length + 1} bytes, found ${a.length}`),
  );
  assert.throws(() => unpackModels(a, "p.bin"), /Cannot read packed model: "p.bin" is not a tar/);
});

Deno.test("readHorizonModels() reads a single model, a packed one with -p, and refuses a mismatched -p", async () => {
  const dir = await Deno.makeTempDir({ prefix: "axb_pack_" });
  try {
    const single = join(dir, "mobilenet.bin");
    const packed = join(dir, "all.bin");
    await Deno.writeFile(single, a);
    await Deno.writeFile(packed, packModels([{ name: "a", bytes: a }, { name: "b", bytes: b }]));
    const one = await readHorizonModels(single, false);
    assert.deepEqual(one.map((m) => m.name), ["mobilenet"]);
    const two = await readHorizonModels(packed, true);
    assert.deepEqual(two.map((m) => m.name), ["a", "b"]);
    assert.equal(readHorizonMeta(two[1].model)?.inputs[0].type_rt, "rgb");
    await assert.rejects(() => readHorizonModels(packed, false), /is a packed model; add -p/);
    await assert.rejects(() => readHorizonModels(single, true), /not a packed one; drop -p/);
    await assert.rejects(() => readHorizonModels(join(dir, "none.bin"), false), ModelFormatError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("packedName() is the basename without its extension", () => {
  assert.equal(packedName("/x/y/mobilenetv1_224x224_nv12.bin"), "mobilenetv1_224x224_nv12");
  assert.equal(packedName("model.hbm"), "model");
  assert.equal(packedName("noext"), "noext");
});
