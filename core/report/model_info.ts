/**
 * `hb_model_info` text (spec `horizon.md` §11): the conversion environment, the model's
 * inputs and outputs (as the container declares them and as the conversion recorded their
 * runtime types), the YAML parameters of the conversion by group, and the nodes
 * `hb_model_modifier` removed with their parameters.
 *
 * @module
 */
import type { Model, ValueInfo } from "../ir/graph.ts";
import { DTYPES } from "../ir/dtype.ts";
import { requireHorizonMeta } from "../container/horizon_meta.ts";
import type { JsonValue } from "../config/json_value.ts";
import { formatTable } from "./table.ts";

/** The YAML groups in the order the vendor templates write them; others follow by name. */
const GROUP_ORDER = [
  "model_parameters",
  "input_parameters",
  "calibration_parameters",
  "compiler_parameters",
  "custom_op",
];

function groupRank(g: string): number {
  const i = GROUP_ORDER.indexOf(g);
  return i < 0 ? GROUP_ORDER.length : i;
}

function section(title: string): string {
  return `############# ${title} #############`;
}

/** A YAML value as the user wrote it: strings bare, everything else as JSON. */
function valueText(v: JsonValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  return JSON.stringify(v);
}

function ioRow(kind: string, v: ValueInfo): string[] {
  const t = v.type && !("kind" in v.type) ? v.type : undefined;
  const shape = t?.shape ? `(${t.shape.map((d) => d ?? "?").join(", ")})` : "?";
  return [kind, v.name, t ? DTYPES[t.dtype].label : "?", shape];
}

function keyValues(entries: readonly (readonly [string, string])[]): string[] {
  const w = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(w)} : ${v}`);
}

/**
 * The `hb_model_info` text of one Horizon container.
 *
 * @param name the model name (file basename, or its name in a packed file)
 * @param model the loaded container
 * @returns the text, sections separated by blank lines
 * @throws {ModelFormatError} when the model has no `axb.horizon` entry
 */
export function formatModelInfo(name: string, model: Model): string {
  const meta = requireHorizonMeta(model, name);
  const env = meta.environment;
  const out: string[] = [
    section(`model ${name}`),
    ...keyValues([
      ["converted by", `axb ${env.axb_version} (${meta.tool})`],
      ["march", meta.march],
      ["model type", env.model_type],
      ["input model", env.input_model],
      ["compiled for debug", meta.debug ? "True" : "False"],
      ["producer", `${model.producerName} ${model.producerVersion}`.trim()],
    ]),
    "",
    section("inputs and outputs"),
    formatTable(
      [
        ...model.graph.inputs.map((v) => ioRow("input", v)),
        ...model.graph.outputs.map((v) => ioRow("output", v)),
      ],
      { header: ["Kind", "Name", "Type", "Shape"] },
    ),
    formatTable(
      meta.inputs.map((i) => [
        i.name,
        i.type_rt,
        i.layout_rt,
        i.shape.join("x"),
        i.norm_type,
        i.mean_value.join(" "),
        i.scale_value.join(" "),
      ]),
      {
        header: [
          "Input",
          "input_type_rt",
          "input_layout_rt",
          "input_shape",
          "norm_type",
          "mean_value",
          "scale_value",
        ],
      },
    ),
  ];
  const groups = Object.entries(meta.yaml).sort(([a], [b]) =>
    groupRank(a) - groupRank(b) || (a < b ? -1 : a > b ? 1 : 0)
  );
  for (const [group, params] of groups) {
    out.push("", section(`${group} info`));
    if (params !== null && typeof params === "object" && !Array.isArray(params)) {
      out.push(...keyValues(Object.entries(params).map(([k, v]) => [k, valueText(v)])));
    } else {
      out.push(valueText(params));
    }
  }
  out.push("", section("removed node info"));
  if (meta.removed_nodes.length === 0) out.push("(none)");
  for (const r of meta.removed_nodes) {
    out.push(`${r.name} (${r.op_type})`);
    out.push(
      ...keyValues(Object.entries(r.parameters).map(([k, v]) => [k, valueText(v)])).map((l) =>
        `  ${l}`
      ),
    );
  }
  return out.join("\n");
}
