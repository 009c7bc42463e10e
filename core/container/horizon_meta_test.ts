import { strict as assert } from "node:assert";
import { ModelFormatError } from "../errors/mod.ts";
import {
  HORIZON_META_KEY,
  parseHorizonMeta,
  readHorizonMeta,
  requireHorizonMeta,
  withHorizonMeta,
} from "./horizon_meta.ts";
import { encodeCompiledModel } from "./encode.ts";
import { horizonSampleCompiled, horizonSampleMeta } from "./_horizon_testing.ts";
import { encodeModel } from "../onnx/save.ts";
import { decodeModel } from "../onnx/load.ts";

Deno.test("withHorizonMeta() stores the entry as sorted-key JSON that readHorizonMeta() reads back after a save", () => {
  const meta = horizonSampleMeta({ typeRt: "nv12", debug: true });
  const plain = encodeCompiledModel(horizonSampleCompiled());
  const model = withHorizonMeta(plain, meta);
  assert.equal(plain.metadataProps.has(HORIZON_META_KEY), false, "input model untouched");
  const text = model.metadataProps.get(HORIZON_META_KEY)!;
  assert.ok(text.startsWith('{"debug":true,"environment":{"axb_version"'), text.slice(0, 60));
  const back = readHorizonMeta(decodeModel(encodeModel(model)), "m.bin");
  assert.deepEqual(back, meta);
});

Deno.test("readHorizonMeta() reads a compiled model's metadata map and returns undefined without an entry", () => {
  const meta = horizonSampleMeta();
  const text = JSON.stringify(meta);
  assert.deepEqual(readHorizonMeta({ metadata: new Map([[HORIZON_META_KEY, text]]) }), meta);
  assert.equal(readHorizonMeta({ metadata: undefined }), undefined);
  assert.equal(readHorizonMeta(encodeCompiledModel(horizonSampleCompiled())), undefined);
});

Deno.test("requireHorizonMeta() names the file and the commands that write the entry when it is missing", () => {
  assert.throws(
    () => requireHorizonMeta(encodeCompiledModel(horizonSampleCompiled()), "compiled.axmodel"),
    (e: unknown) =>
      e instanceof ModelFormatError &&
      /"compiled.axmodel" is not a Horizon model/.test(e.message) &&
      /hb_mapper makertbin or axb hb_compile/.test(e.message),
  );
});

Deno.test("parseHorizonMeta() names the bad field of a malformed entry", () => {
  const bad = { ...horizonSampleMeta(), tool: "pulsar2" };
  assert.throws(
    () => parseHorizonMeta(JSON.stringify(bad), "m.bin"),
    (e: unknown) => e instanceof ModelFormatError && /"m.bin": field tool:/.test(e.message),
  );
  const noInputs = { ...horizonSampleMeta(), inputs: [{ name: "x" }] };
  assert.throws(
    () => parseHorizonMeta(JSON.stringify(noInputs), "m.bin"),
    /field inputs\.0\.type_rt/,
  );
  assert.throws(() => parseHorizonMeta("{", "m.bin"), /not JSON/);
});
