/**
 * A stand-in fuzz worker for the runner's tests: answers model cases by the first byte —
 * 0 ok, 1 a named error, 2 a crash, 3 never (a hang), 4 grows memory by 64 MiB every 50 ms
 * (up to 1 GiB, so a runner that fails to stop it cannot exhaust the machine) and never answers.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { FuzzCase } from "./cases.ts";
import { classify } from "./targets.ts";
import { InputDataError } from "../errors/mod.ts";

const hoard: Uint8Array[] = [];

self.onmessage = (ev: MessageEvent<{ tensorBytes?: number; id?: number; case?: FuzzCase }>) => {
  const msg = ev.data;
  if (msg.tensorBytes !== undefined) {
    self.postMessage({ ready: true });
    return;
  }
  const c = msg.case;
  if (c?.kind !== "model") return;
  const mode = c.bytes[0];
  if (mode === 3) { for (;;) { /* hang */ } }
  if (mode === 4) {
    const grow = setInterval(() => {
      if (hoard.length >= 16) clearInterval(grow);
      else hoard.push(new Uint8Array(64 * 2 ** 20).fill(1));
    }, 50);
    return;
  }
  const verdict = mode === 0
    ? { outcome: "ok" }
    : classify(mode === 1 ? new InputDataError("bad input") : new TypeError("x is undefined"));
  self.postMessage({ id: msg.id, verdict });
};
