import { strict as assert } from "node:assert";
import { Histogram } from "./histogram.ts";
import { klRange, mseRange, percentileRange, quantile, rangeFor } from "./range_methods.ts";

/** 10000 values spread evenly over [0, 1) plus one outlier at 100. */
function outlierData(): number[] {
  const v: number[] = [];
  for (let i = 0; i < 10000; i++) v.push(i / 10000);
  v.push(100);
  return v;
}

function hist(values: number[], bins = 2048): Histogram {
  const h = new Histogram(Math.min(0, ...values), Math.max(...values), bins);
  h.add(values);
  return h;
}

Deno.test("rangeFor(MinMax) is the observed range", () => {
  const r = rangeFor("MinMax", { min: -1, max: 3 }, undefined, "U8");
  assert.deepEqual(r, { min: -1, max: 3 });
});

Deno.test("quantile() interpolates inside a bin", () => {
  // 4 bins over [0, 4), one value per bin: the median (f = 0.5) is the end of bin 1 = 2.
  const h = new Histogram(0, 4, 4);
  h.add([0.5, 1.5, 2.5, 3.5]);
  assert.equal(quantile(h, 0.5), 2);
  assert.equal(quantile(h, 0.25), 1);
});

Deno.test("percentileRange() drops a single outlier among 10001 values", () => {
  const data = outlierData();
  const r = percentileRange(hist(data), { min: 0, max: 100 });
  // 99.99 % of 10001 values lie below 1: the outlier (the top 0.01 %) is clipped.
  assert.equal(r.min, 0);
  assert.ok(r.max <= 1.1, `max ${r.max}`);
});

/** 100000 quantiles of the unit exponential distribution: x_i = −ln(1 − (i + ½)/N). */
function exponentialData(): number[] {
  const n = 100000;
  const v: number[] = [];
  for (let i = 0; i < n; i++) v.push(-Math.log(1 - (i + 0.5) / n));
  return v;
}

Deno.test("mseRange() finds the analytic clipping point of exponential data", () => {
  // For Exp(1) on 256 levels over [0, a]: E = a²/(12·256²) + 2e^(−a), minimal where
  // a·e^a = 6·65536·2 = 786432, i.e. a ≈ 11.17 (the data's max is ln(200000) ≈ 12.2).
  const data = exponentialData();
  const r = mseRange(hist(data), { min: 0, max: Math.max(...data) }, "U8");
  assert.ok(r.max > 10.6 && r.max < 11.8, `max ${r.max}`);
});

Deno.test("mseRange() keeps a lone outlier whose clipping error would dominate", () => {
  // Clipping 100 to 1 costs 99²/10001 ≈ 0.98 per element; keeping it costs ≈ 0.39²/12.
  const r = mseRange(hist(outlierData()), { min: 0, max: 100 }, "U8");
  assert.equal(r.max, 100);
});

Deno.test("mseRange() keeps the full range of uniform data", () => {
  const v: number[] = [];
  for (let i = 0; i <= 1000; i++) v.push(i / 1000);
  const r = mseRange(hist(v), { min: 0, max: 1 }, "U8");
  assert.ok(r.max >= 0.98, `max ${r.max}`);
});

Deno.test("klRange() clips a lone outlier and keeps uniform data", () => {
  const r1 = klRange(hist(outlierData()), { min: 0, max: 100 }, "U8");
  // Every threshold of 128…256 bins keeps each bin its own level, so Q = P but for the
  // outlier's mass in the edge bin: equal divergences, and the first, 128 of 2048 bins
  // over [0, 100] = 6.25, is kept.
  assert.equal(r1.max, 6.25);
  const v: number[] = [];
  for (let i = 0; i <= 20000; i++) v.push(i / 20000);
  const r2 = klRange(hist(v), { min: 0, max: 1 }, "U8");
  assert.ok(r2.max >= 0.95, `uniform data max ${r2.max}`);
});

Deno.test("the four methods give different ranges on exponential data", () => {
  const data = exponentialData();
  const h = hist(data);
  const observed = { min: 0, max: Math.max(...data) };
  const maxes = (["MinMax", "Percentile", "MSE", "KL"] as const).map((m) =>
    rangeFor(m, observed, h, "U8").max
  );
  assert.equal(new Set(maxes.map((m) => m.toFixed(3))).size, 4, maxes.join(", "));
  // Percentile keeps 99.99 %: q = ln(10000) ≈ 9.21.
  assert.ok(Math.abs(maxes[1] - Math.log(10000)) < 0.05, `percentile ${maxes[1]}`);
  assert.ok(maxes.every((m) => m <= maxes[0]));
});
