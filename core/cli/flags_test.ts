import { strict as assert } from "node:assert";
import { resolveBuildConfig } from "../config/resolve.ts";
import { type FlagSpec, formatFlagHelp, parseFlags } from "./flags.ts";
import { buildFlags, configOverrides } from "./build_flags.ts";
import { builtinTargets, TargetRegistry } from "../../targets/registry.ts";

const TARGETS = new TargetRegistry(builtinTargets());
const BUILD_FLAGS = buildFlags(TARGETS);
import { UsageError } from "../errors/mod.ts";

const SPECS: FlagSpec[] = [
  { name: "sizes", type: "ints", default: "[]", help: "batch sizes" },
  { name: "mode", type: "enum", values: ["A", "B"], help: "how it runs" },
];

Deno.test("parseFlags() gives an empty list for --sizes= and --sizes []", () => {
  assert.deepEqual(parseFlags(["--sizes="], SPECS).values.get("sizes"), []);
  const r = parseFlags(["--sizes", "[]", "--mode", "b"], SPECS).values;
  assert.deepEqual(r.get("sizes"), []);
  assert.equal(r.get("mode"), "B");
  assert.deepEqual(parseFlags(["--sizes", "1", "4"], SPECS).values.get("sizes"), [1, 4]);
  assert.throws(() => parseFlags(["--sizes"], SPECS), UsageError);
});

Deno.test("resolveBuildConfig() clears the file's static_batch_sizes with --compiler.static_batch_sizes=", async () => {
  const overrides = configOverrides(
    parseFlags(["--compiler.static_batch_sizes="], BUILD_FLAGS).values,
  );
  const { config } = await resolveBuildConfig({
    raw: { compiler: { static_batch_sizes: [1, 2, 4] } },
    overrides,
  }, { targets: TARGETS });
  assert.deepEqual(config.compiler.static_batch_sizes, []);
});

Deno.test("formatFlagHelp() puts names, type and help on one row when the help column has room", () => {
  // names column 7 wide, type column 5 wide: help starts at column 2 + 7 + 2 + 5 + 2 = 18
  // and wraps at 50 - 18 = 32 characters
  const specs: FlagSpec[] = [
    { name: "sizes", type: "ints", help: "batch sizes to compile, each a power of two" },
    { name: "mode", type: "enum", values: ["A", "B"], default: "A", help: "how it runs" },
  ];
  assert.equal(
    formatFlagHelp(specs, 50),
    [
      "  --sizes  ints   batch sizes to compile, each a",
      "                  power of two",
      "  --mode   {A,B}  how it runs (default: A)",
    ].join("\n"),
  );
});

Deno.test("formatFlagHelp() puts the help under the flag when the columns leave no room", () => {
  assert.equal(
    formatFlagHelp(SPECS, 24),
    [
      "  --sizes  ints",
      "      batch sizes",
      "      (default: [])",
      "  --mode  {A,B}",
      "      how it runs",
    ].join("\n"),
  );
  for (const line of formatFlagHelp(BUILD_FLAGS, 80).split("\n")) {
    assert.ok(line.length <= 80, line);
  }
});
