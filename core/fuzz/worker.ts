/**
 * The fuzz worker: runs one case at a time for the runner, in its own thread, so that the
 * runner can stop a case that hangs or eats memory by terminating the worker.
 *
 * Protocol: the runner sends `{ tensorBytes }` once, the worker answers `{ ready: true }`;
 * then each `{ id, case }` is answered by `{ id, verdict }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { defaultRegistry } from "../ops/mod.ts";
import { setMaxTensorBytes } from "../ir/dtype.ts";
import { type FuzzCase, runCase } from "./cases.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const registries = { ops: defaultRegistry(), targets: new TargetRegistry(builtinTargets()) };

self.onmessage = async (
  ev: MessageEvent<{ tensorBytes?: number; id?: number; case?: FuzzCase }>,
) => {
  const msg = ev.data;
  if (msg.tensorBytes !== undefined) {
    setMaxTensorBytes(msg.tensorBytes);
    self.postMessage({ ready: true });
    return;
  }
  if (msg.case === undefined) return;
  const dir = await Deno.makeTempDir({ prefix: "axb_fuzz_" });
  try {
    const verdict = await runCase(msg.case, registries, dir);
    self.postMessage({ id: msg.id, verdict });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
};
