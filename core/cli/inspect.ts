/**
 * `axb inspect MODEL`: inputs and outputs (name, dtype, shape), opsets, an operator
 * histogram and parameter bytes; `--json` for scripts. The text form is the model
 * summary table pulsar2 prints on load.
 *
 * @module
 */
import type { Command, CommandIO } from "./command.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { loadModel } from "../onnx/load.ts";
import { UsageError } from "../errors/mod.ts";
import { formatSummary, summarizeModel } from "../report/model_summary.ts";
import { isCompiledModel } from "../container/decode.ts";
import { formatCompiledSummary, summarizeCompiled } from "../container/inspect.ts";

const FLAGS: FlagSpec[] = [
  { name: "json", type: "bool", help: "print the summary as JSON" },
  { name: "debug", type: "bool", help: "print stack traces on errors" },
];

/** The `inspect` subcommand. */
export const inspectCommand: Command = {
  name: "inspect",
  summary:
    "show a model's inputs, outputs, opsets, operators, size (and subgraphs of compiled models)",
  usage: "axb inspect MODEL [--json]",
  flags: FLAGS,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseFlags(argv, FLAGS);
    const file = positionals[0];
    if (!file) throw new UsageError("a model path is required; usage: axb inspect MODEL [--json]");
    if (positionals.length > 1) {
      throw new UsageError(
        `axb inspect takes one model, got ${positionals.length}: ${positionals.join(" ")}`,
      );
    }
    const model = await loadModel(file);
    const json = values.get("json") === true;
    if (isCompiledModel(model)) {
      const summary = summarizeCompiled(model, file);
      io.stdout(json ? JSON.stringify(summary, null, 2) : formatCompiledSummary(summary));
      return 0;
    }
    const summary = summarizeModel(model, file);
    io.stdout(json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    return 0;
  },
};
