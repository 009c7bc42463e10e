import { strict as assert } from "node:assert";
import { fsFailure, isPermissionDenial } from "./fs.ts";

Deno.test("fsFailure() says permission denied, not missing, when the OS refuses", () => {
  const e = new Deno.errors.PermissionDenied("Permission denied (os error 13): stat '/m/x'");
  const why = fsFailure(e, "/m/x.onnx");
  assert.match(why, /^cannot be read: permission denied by the operating system/);
  assert.match(why, /"\/m\/x\.onnx" and of every folder above it/);
  assert.ok(isPermissionDenial(e));
});

Deno.test("fsFailure() names the Deno flag when the process lacks the permission", () => {
  const e = new Deno.errors.NotCapable('Requires read access to "/m/x.onnx"');
  assert.match(fsFailure(e, "/m/x.onnx"), /permission denied.*--allow-read=\/m\/x\.onnx/);
  assert.match(fsFailure(e, "/o", "write"), /^cannot be written: .*--allow-write=\/o/);
});

Deno.test("fsFailure() says does not exist only for a missing path", async () => {
  const e = await Deno.stat("/nonexistent/axb/x").catch((err) => err);
  assert.equal(fsFailure(e, "/nonexistent/axb/x"), "does not exist");
  assert.equal(isPermissionDenial(e), false);
});
