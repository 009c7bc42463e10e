import { strict as assert } from "node:assert";
import { formatTable, wrapText } from "./table.ts";

Deno.test("formatTable() keeps a table that fits as one line per row", () => {
  assert.equal(
    formatTable([["a", "bb"]], { header: ["x", "y"], maxWidth: 80 }),
    ["+---+----+", "| x | y  |", "+===+====+", "| a | bb |", "+---+----+"].join("\n"),
  );
});

Deno.test("formatTable() narrows the widest column and wraps its cell when the table is wider than maxWidth", () => {
  // 2 columns cost 7 border characters, leaving 23 of 30 for text: "name" keeps 4, the
  // 34-character tensor name gets 19 and wraps after the "." at position 19
  const text = formatTable([["name", "/features/features.0/Conv_output_0"]], { maxWidth: 30 });
  assert.equal(
    text,
    [
      "+------+---------------------+",
      "| name | /features/features. |",
      "|      | 0/Conv_output_0     |",
      "+------+---------------------+",
    ].join("\n"),
  );
  assert.ok(text.split("\n").every((l) => l.length <= 30));
});

Deno.test("formatTable() never wraps with maxWidth Infinity", () => {
  const long = "x".repeat(200);
  assert.equal(formatTable([[long]], { maxWidth: Infinity }).split("\n").length, 3);
});

Deno.test("wrapText() breaks at the last space, dropping it, or hard at the width", () => {
  assert.deepEqual(wrapText("Conv×1 Relu×1 Softmax×1", 14), ["Conv×1 Relu×1", "Softmax×1"]);
  assert.deepEqual(wrapText("abcdefghij", 4), ["abcd", "efgh", "ij"]);
  assert.deepEqual(wrapText("short", 10), ["short"]);
});
