/**
 * The float reference executor: runs a model's graph node by node with the kernels
 * of an {@linkcode OpRegistry}.
 *
 * - Nodes are prepared once (attributes parsed, kernels bound); an operator axb lacks
 *   fails at preparation, naming the node, before anything runs.
 * - Every produced tensor can be observed (`onValue`) or kept (`keep`), so calibration
 *   and precision analysis see every activation.
 * - A tensor is released right after its last consumer ran, unless it is a graph output
 *   or was asked for, so memory stays at the live set.
 * - A node that alone reads a kernel's output (Relu or Clip after Conv, a bias Add, a
 *   bias Add and the exact Gelu after it, a last-axis Softmax, or a Softmax and the
 *   MatMul that multiplies its output by a value computed earlier, after MatMul; see
 *   `epilogue_plan.ts`) is run by that kernel as its epilogue, in the same bits, when
 *   the run observes and keeps nothing: the output skips a copy into and out of a
 *   second kernel.
 * - Subgraphs (If/Loop/Scan bodies) run through the same machinery with a scope chain,
 *   so bodies see the values of enclosing graphs; their values can be observed too.
 * - Values are tensors, sequences or optionals ({@linkcode Value}); `run` is the tensor
 *   view for models whose inputs and outputs are tensors, `runValues` takes and returns
 *   any kind.
 *
 * @module
 */
import type { Graph, Model, Node } from "../ir/graph.ts";
import { nodeDependencies, nodeLabel } from "../ir/graph.ts";
import { normalizeDomain, opsetOf } from "../ir/opset.ts";
import type { Tensor } from "../ir/tensor.ts";
import { isTensor, type Value, valueKind } from "../ir/value.ts";
import type { KernelContext, OpRegistry, PreparedNode } from "../ops/op.ts";
import { prepareNode, runPrepared, runPreparedEpilogue } from "../ops/op.ts";
import { type Epilogue, epilogueNodes, epilogueOperands } from "../ops/epilogue.ts";
import { planEpilogues } from "./epilogue_plan.ts";
import { AxbError, GraphError, KernelError, UnsupportedOpError } from "../errors/mod.ts";
import { checkFeeds } from "./feeds.ts";

/** Options of {@linkcode Executor.run}. */
export interface RunOptions {
  /** Extra values to return besides the graph outputs; `"all"` keeps every value. */
  keep?: ReadonlySet<string> | "all";
  /**
   * Called once for every tensor a top-level node produces, in execution order (and for
   * tensors produced inside If/Loop/Scan bodies too, once per run of the body, when
   * `observeBodies` is set). Sequences and optionals are not reported.
   */
  onValue?: (name: string, tensor: Tensor, node: Node) => void;
  /** Report the tensors that nodes of subgraphs produce to `onValue` as well. */
  observeBodies?: boolean;
  /** Skip the dtype/shape check of feeds (callers that already validated them). */
  trustFeeds?: boolean;
}

interface Plan {
  readonly graph: Graph;
  readonly steps: readonly PreparedNode[];
  /** For each step, the values whose last use is that step. */
  readonly releaseAfter: readonly (readonly string[])[];
  /**
   * For each step, the epilogue of the next step (two steps for `bias-gelu` and
   * `softmax-matmul`) when that step alone reads this step's output 0 (not a graph
   * output) and this step's kernel can apply it itself (`planEpilogues`).
   */
  readonly epilogues: readonly (Epilogue | undefined)[];
}

/**
 * Read-only view of values visible in a scope (own values first, then enclosing scopes).
 * A body scope shows main-graph values through `view` (see `ExecutorOptions.capturedValue`).
 */
class Scope {
  readonly values = new Map<string, Value>();
  constructor(
    readonly parent?: Scope,
    readonly view?: (name: string, v: Value) => Value,
  ) {}
  get(name: string): Value | undefined {
    const own = this.values.get(name);
    if (own !== undefined) return own;
    const outer = this.parent?.get(name);
    if (outer === undefined || !this.view) return outer;
    return this.view(name, outer);
  }
}

type Observer = (name: string, t: Tensor, node: Node) => void;

/**
 * Replaces how a node is prepared: receives the node and the default preparation
 * (the registry's float kernel, created on demand) and returns the step to run.
 * The quantized emulator uses this to run integer kernels through the same scheduler.
 */
export type NodePreparer = (node: Node, floatKernel: () => PreparedNode) => PreparedNode;

/** Options of the {@linkcode Executor} constructor. */
export interface ExecutorOptions {
  /** Custom node preparation for the main graph (subgraphs always use float kernels). */
  prepareNode?: NodePreparer;
  /**
   * How a subgraph sees a value it captures from the main graph. Bodies run float
   * kernels, so the quantized emulator dequantizes the codes it keeps there.
   */
  capturedValue?: (name: string, value: Value) => Value;
}

/** Runs one model. Construct once, run many times. */
export class Executor {
  /** The model this executor runs. */
  readonly model: Model;
  readonly #registry: OpRegistry;
  readonly #plans = new WeakMap<Graph, Plan>();
  readonly #main: Plan;
  readonly #capturedValue?: (name: string, value: Value) => Value;
  /** Kernels fuse a following epilogue (only with the registry's own kernels). */
  readonly #fuse: boolean;

  /**
   * Plan the main graph: order its nodes and parse every node's attributes once.
   *
   * @throws {GraphError} when the main graph has a cycle
   * @throws {UnsupportedOpError} when a node's operator is not in `registry`, or a kernel
   *   rejects the node's variant
   * @throws {KernelError} when a node's attributes are invalid
   */
  constructor(model: Model, registry: OpRegistry, opts: ExecutorOptions = {}) {
    this.model = model;
    this.#registry = registry;
    this.#capturedValue = opts.capturedValue;
    this.#fuse = opts.prepareNode === undefined;
    this.#main = this.#plan(model.graph, opts.prepareNode);
  }

  /** Opset of a domain in this model ({@linkcode opsetOf}'s rule). */
  opsetOf(domain: string): number {
    return opsetOf(this.model, domain);
  }

  /**
   * Run the main graph. `feeds` maps every runtime input name to a tensor.
   * Returns the graph outputs plus any kept tensors, by name.
   *
   * @throws {KernelError} when a graph output is a sequence or an optional (use
   *   {@linkcode Executor.runValues} for such models)
   */
  run(feeds: ReadonlyMap<string, Tensor>, opts: RunOptions = {}): Map<string, Tensor> {
    const values = this.runValues(feeds, opts);
    const outputs = new Set(this.model.graph.outputs.map((o) => o.name));
    const result = new Map<string, Tensor>();
    for (const [name, v] of values) {
      if (isTensor(v)) result.set(name, v);
      else if (outputs.has(name)) {
        throw new KernelError(
          `Graph output "${name}" is a ${valueKind(v)}, not a tensor; run the model through ` +
            `Executor.runValues to read it`,
        );
      }
    }
    return result;
  }

  /**
   * Run the main graph on values of any kind (tensors, sequences, optionals). Returns the
   * graph outputs plus any kept values, by name.
   */
  runValues(feeds: ReadonlyMap<string, Value>, opts: RunOptions = {}): Map<string, Value> {
    const g = this.model.graph;
    if (!opts.trustFeeds) checkFeeds(g, feeds);
    const scope = new Scope();
    for (const [k, v] of g.initializers) scope.values.set(k, v);
    for (const [k, v] of feeds) scope.values.set(k, v);
    const keepAll = opts.keep === "all";
    const keep: ReadonlySet<string> | undefined = opts.keep === "all" ? undefined : opts.keep;
    const retained = new Set(g.outputs.map((o) => o.name));
    for (const [k] of g.initializers) retained.add(k);
    const result = new Map<string, Value>();
    const bodyObserver = opts.observeBodies ? opts.onValue : undefined;
    // a fused epilogue's input is never produced, so only runs that see no intermediate
    // values fuse
    const fuse = this.#fuse && !opts.onValue && opts.keep === undefined;
    this.#execute(
      this.#main,
      scope,
      (name, v, node) => {
        if (opts.onValue && isTensor(v)) opts.onValue(name, v, node);
        if (keepAll || keep?.has(name)) result.set(name, v);
      },
      keepAll ? undefined : (name) => !retained.has(name) && !keep?.has(name),
      bodyObserver,
      fuse,
    );
    for (const o of g.outputs) {
      const t = scope.get(o.name);
      if (!t) throw new GraphError(`Graph output "${o.name}" was never produced`);
      result.set(o.name, t);
    }
    if (keep) {
      for (const k of keep) {
        const t = scope.get(k);
        if (t && !result.has(k)) result.set(k, t);
      }
    }
    return result;
  }

  #plan(graph: Graph, custom?: NodePreparer): Plan {
    const cached = this.#plans.get(graph);
    if (cached) return cached;
    const order = graph.topologicalOrder();
    const steps = order.map((node) =>
      custom ? custom(node, () => this.#prepare(node)) : this.#prepare(node)
    );
    const lastUse = new Map<string, number>();
    order.forEach((node, i) => {
      for (const d of nodeDependencies(node)) lastUse.set(d, i);
      // Unconsumed outputs are released right after they are produced.
      for (const o of node.outputs) if (o && !lastUse.has(o)) lastUse.set(o, i);
    });
    const releaseAfter: string[][] = order.map(() => []);
    for (const [name, i] of lastUse) releaseAfter[i].push(name);
    const epilogues = planEpilogues(
      graph,
      order,
      steps.map((s) => s.absorbs),
      (d) => this.opsetOf(d),
    );
    const plan = { graph, steps, releaseAfter, epilogues };
    this.#plans.set(graph, plan);
    return plan;
  }

  #prepare(node: Node): PreparedNode {
    const op = this.#registry.get(node.domain, node.opType);
    if (!op) {
      const domain = normalizeDomain(node.domain);
      throw new UnsupportedOpError(
        domain ? `${domain}::${node.opType}` : node.opType,
        nodeLabel(node),
      );
    }
    return prepareNode(op, node, this.opsetOf(node.domain));
  }

  #execute(
    plan: Plan,
    scope: Scope,
    onValue: ((name: string, v: Value, node: Node) => void) | undefined,
    mayRelease: ((name: string) => boolean) | undefined,
    bodyObserver: Observer | undefined,
    fuse = false,
  ): void {
    for (let i = 0; i < plan.steps.length; i++) {
      const first = i;
      const step = plan.steps[i];
      let node = step.node;
      const inputs = node.inputs.map((name) => {
        if (name === "") return undefined;
        const t = scope.get(name);
        if (!t) {
          throw new GraphError(
            `Node "${node.name}" (${node.opType}) reads "${name}", which no node, input or initializer defines`,
          );
        }
        return t;
      });
      const ctx: KernelContext = {
        opset: this.opsetOf(node.domain),
        node,
        runSubgraph: (body, feeds) => this.#runBody(body, feeds, scope, bodyObserver),
        isConstantInput: (k) => {
          const t = inputs[k];
          return t !== undefined && plan.graph.initializers.get(node.inputs[k]) === t;
        },
      };
      let outputs: Value[];
      try {
        const epilogue = fuse ? plan.epilogues[i] : undefined;
        const fused = epilogue &&
          runPreparedEpilogue(
            step,
            [
              ...inputs,
              ...epilogueOperands(epilogue).map((name) => scope.get(name)),
            ],
            ctx,
            epilogue,
          );
        if (fused) {
          // the epilogue's output stands for all; the skipped values need no release
          i += epilogueNodes(epilogue);
          node = plan.steps[i].node;
          outputs = fused;
        } else outputs = runPrepared(step, inputs, ctx);
      } catch (e) {
        if (e instanceof AxbError) throw e;
        throw new KernelError(
          `Node "${node.name}" (${node.opType}) failed: ${
            e instanceof Error ? e.message : String(e)
          }`,
          { cause: e },
        );
      }
      node.outputs.forEach((name, k) => {
        if (!name) return;
        const t = outputs[k];
        if (!t) {
          throw new KernelError(
            `Node "${node.name}" (${node.opType}) did not produce its output ${k} ("${name}")`,
          );
        }
        scope.values.set(name, t);
        onValue?.(name, t, node);
      });
      if (mayRelease) {
        for (let j = first; j <= i; j++) {
          for (const name of plan.releaseAfter[j]) {
            if (scope.values.has(name) && mayRelease(name)) scope.values.delete(name);
          }
        }
      }
    }
  }

  #runBody(
    body: Graph,
    feeds: ReadonlyMap<string, Value>,
    outer: Scope,
    observer: Observer | undefined,
  ): Value[] {
    const plan = this.#plan(body);
    const scope = new Scope(outer, outer.parent ? undefined : this.#capturedValue);
    for (const [k, v] of body.initializers) scope.values.set(k, v);
    for (const [k, v] of feeds) scope.values.set(k, v);
    const retained = new Set(body.outputs.map((o) => o.name));
    const onValue = observer
      ? (name: string, v: Value, node: Node) => {
        if (isTensor(v)) observer(name, v, node);
      }
      : undefined;
    this.#execute(
      plan,
      scope,
      onValue,
      (name) => !retained.has(name) && !feeds.has(name),
      observer,
    );
    return body.outputs.map((o) => {
      const t = scope.get(o.name);
      if (!t) throw new GraphError(`Subgraph "${body.name}" output "${o.name}" was never produced`);
      return t;
    });
  }
}
