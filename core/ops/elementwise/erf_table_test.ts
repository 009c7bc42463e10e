import { strict as assert } from "node:assert";
import { erfFromTable } from "./erf_table.ts";
import { erf } from "./erf.ts";
import { ERF_TABLE } from "./_erf_reference.ts";

Deno.test("erfFromTable() matches tabulated values of the error function", () => {
  for (const [x, v] of ERF_TABLE) {
    assert.ok(Math.abs(erfFromTable(x) - v) <= 1e-13 * v, `erfFromTable(${x})`);
    assert.ok(Math.abs(erfFromTable(-x) + v) <= 1e-13 * v, `erfFromTable(${-x})`);
  }
});

Deno.test("erfFromTable() stays within 1e-13 relative of erf() between and on grid points", () => {
  let worst = 0;
  for (let i = 1; i < 600_000; i++) {
    const x = i * 1e-5 + 1.7e-7;
    const want = erf(x);
    worst = Math.max(worst, Math.abs(erfFromTable(x) - want) / want);
  }
  assert.ok(worst < 1e-13, `worst relative error ${worst}`);
  assert.ok(Object.is(erfFromTable(0), 0) && Object.is(erfFromTable(-0), -0));
  assert.ok(Math.abs(erfFromTable(1e-30) / 1e-30 - 1.1283791670955126) < 1e-15);
});

Deno.test("erfFromTable() saturates to ±1 beyond 6 and keeps NaN", () => {
  assert.equal(erfFromTable(6), 1);
  assert.equal(erfFromTable(-Infinity), -1);
  assert.ok(Number.isNaN(erfFromTable(NaN)));
});
