import { strict as assert } from "node:assert";
import { progressBar, ProgressDisplay, type ProgressSink, renderProgress } from "./progress.ts";

function fakeSink(tty: boolean): ProgressSink & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTerminal: () => tty,
    writeSync(bytes: Uint8Array) {
      chunks.push(new TextDecoder().decode(bytes));
      return bytes.length;
    },
    text: () => chunks.join(""),
  };
}

Deno.test("renderProgress() draws a ━ bar with count and percent", () => {
  assert.equal(renderProgress("Load", 1, 4, 8), "Load ━━       1/4  25%");
  assert.equal(renderProgress("Load", 4, 4, 8), "Load ━━━━━━━━ 4/4 100%");
});

Deno.test("progressBar() redraws with \\r on a terminal and ends the line", () => {
  const sink = fakeSink(true);
  const bar = progressBar("L", 2, { sink, width: 2 });
  bar.update(1);
  bar.update(2);
  bar.finish();
  assert.equal(sink.text(), "\rL ━  1/2  50%\rL ━━ 2/2 100%\rL ━━ 2/2 100%\n");
});

Deno.test("progressBar() prints one line when stderr is not a terminal, none when quiet", () => {
  const sink = fakeSink(false);
  const bar = progressBar("L", 2, { sink, width: 2 });
  bar.update(1);
  bar.update(2);
  bar.finish();
  assert.equal(sink.text(), "L ━━ 2/2 100%\n");
  const quiet = fakeSink(true);
  const q = progressBar("L", 2, { sink: quiet, quiet: true });
  q.update(2);
  q.finish();
  assert.equal(quiet.text(), "");
});

Deno.test("ProgressDisplay.lineWriter() clears a drawn bar, writes the line, draws the bar again", () => {
  const sink = fakeSink(true);
  const display = new ProgressDisplay({ sink, width: 2 });
  const lines: string[] = [];
  const write = display.lineWriter((line) => {
    lines.push(line);
    sink.writeSync(new TextEncoder().encode(`${line}\n`));
  });
  write("before");
  const bar = display.bar("L", 2);
  bar.update(1);
  write("warning");
  bar.finish();
  write("after");
  assert.deepEqual(lines, ["before", "warning", "after"]);
  assert.equal(
    sink.text(),
    "before\n\rL ━  1/2  50%\r\x1b[Kwarning\n\rL ━  1/2  50%\rL ━  1/2  50%\nafter\n",
  );
});

Deno.test("ProgressDisplay.bar() prints a line per interval when stderr is not a terminal", () => {
  const sink = fakeSink(false);
  let t = 0;
  const display = new ProgressDisplay({ sink, width: 2, lineInterval: 1000, now: () => t });
  const bar = display.bar("L", 4);
  bar.update(1);
  t = 999;
  bar.update(2);
  t = 1000;
  bar.update(3);
  t = 1500;
  bar.update(4);
  bar.finish();
  assert.equal(sink.text(), "L ━━ 3/4  75%\nL ━━ 4/4 100%\n");
});

Deno.test("ProgressDisplay.lineWriter() passes lines straight through when quiet", () => {
  const sink = fakeSink(true);
  const display = new ProgressDisplay({ sink, quiet: true });
  const lines: string[] = [];
  const write = display.lineWriter((line) => lines.push(line));
  const bar = display.bar("L", 2);
  bar.update(1);
  write("x");
  bar.finish();
  assert.deepEqual(lines, ["x"]);
  assert.equal(sink.text(), "");
});
