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

Deno.test("formatTable() prints each row as a header | value block when narrowing would leave columns unreadable", () => {
  // 4 columns need 13 border characters; 40 - 13 = 27 for text would cap the widest
  // columns below 10 characters, so each row becomes a block: key column 6 ("Weight")
  // and value column 40 - 6 - 7 = 27
  const text = formatTable(
    [["subgraph_npu_0", "NPU", "Conv×52 Clip×35 GlobalAveragePool×1", "3.69 MB"]],
    { header: ["Name", "Kind", "Ops", "Weight"], maxWidth: 40 },
  );
  assert.equal(
    text,
    [
      "+--------+-----------------------------+",
      "| Name   | subgraph_npu_0              |",
      "| Kind   | NPU                         |",
      "| Ops    | Conv×52 Clip×35             |",
      "|        | GlobalAveragePool×1         |",
      "| Weight | 3.69 MB                     |",
      "+--------+-----------------------------+",
    ].join("\n"),
  );
});
