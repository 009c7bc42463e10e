/**
 * The one name-minting helper of graph edits: fresh value and node names that clash with
 * nothing in a model.
 *
 * ONNX forbids a subgraph (If/Loop/Scan body) from redefining a name its enclosing graphs
 * define, and a body reads outer values by name. A name minted for any level must
 * therefore be new in every level, so the scope collects the names of the graph it is
 * built from and of all graphs nested in it: build it from the outermost graph (the
 * model's main graph) also when the edit happens inside a body, and the enclosing scopes
 * are seen too.
 *
 * @module
 */
import type { Graph } from "./graph.ts";

/** Every name used in a graph and its nested subgraphs; hands out fresh ones. */
export class NameScope {
  readonly #used = new Set<string>();

  /**
   * Collect the names of `root` and of every subgraph nested in it: graph inputs,
   * outputs, initializers, value_info entries, node names and node outputs.
   *
   * @param root the outermost graph the edit can see (normally `model.graph`)
   */
  constructor(root: Graph) {
    this.#collect(root);
  }

  #collect(g: Graph): void {
    for (const v of g.inputs) this.#used.add(v.name);
    for (const v of g.outputs) this.#used.add(v.name);
    for (const k of g.initializers.keys()) this.#used.add(k);
    for (const k of g.valueInfo.keys()) this.#used.add(k);
    for (const n of g.nodes) {
      if (n.name) this.#used.add(n.name);
      for (const o of n.outputs) if (o) this.#used.add(o);
      for (const a of n.attrs.values()) {
        if (a.kind === "graph") this.#collect(a.value);
        else if (a.kind === "graphs") { for (const s of a.value) this.#collect(s); }
      }
    }
  }

  /** True when `name` is already used (collected or handed out). */
  has(name: string): boolean {
    return this.#used.has(name);
  }

  /**
   * `base` when it is free, else the first free of `base_1`, `base_2`, …; the result is
   * reserved, so the next call never returns it again.
   */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.#used.has(name); k++) name = `${base}_${k}`;
    this.#used.add(name);
    return name;
  }
}
