/**
 * The frontend graph optimisation that runs on the float model before quantization
 * (pulsar2's `frontend/optimized.onnx` stage).
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import { constantToInitializer } from "./constant_to_initializer.ts";
import { eliminateIdentity } from "./eliminate_identity.ts";
import { foldConstants } from "./fold_constants.ts";
import { inlineControlFlow } from "./inline_control_flow.ts";
import { simplifySequences } from "./simplify_sequences.ts";
import { fuseBnIntoConv } from "./fuse_bn_into_conv.ts";
import { fuseLayerNorm } from "./fuse_layer_norm.ts";
import { fuseGelu } from "./fuse_gelu.ts";
import { upgradeOpset } from "./upgrade_opset.ts";
import { removeUnused } from "./remove_unused.ts";
import type { Pass, PassContext } from "./pass.ts";
import { type PassRunReport, runPasses, type RunPassesOptions } from "./pass_manager.ts";

/** The default frontend passes, in order. */
export function frontendPipeline(): Pass[] {
  return [
    constantToInitializer,
    eliminateIdentity,
    foldConstants,
    inlineControlFlow,
    simplifySequences,
    fuseBnIntoConv,
    fuseLayerNorm,
    fuseGelu,
    upgradeOpset,
    removeUnused,
  ];
}

/**
 * The rewrites onnx-simplifier makes (constants folded, identities and dead nodes
 * removed): a subset of {@linkcode frontendPipeline}, for `onnx_opt.enable_onnxsim` when the
 * frontend optimisation itself is disabled.
 */
export function simplifyPipeline(): Pass[] {
  return [constantToInitializer, eliminateIdentity, foldConstants, removeUnused];
}

/**
 * Run {@linkcode frontendPipeline} to a fixed point (folding can expose identities and
 * fusions can expose dead code), verifying the graph after each pass unless told not to.
 */
export function optimizeFrontend(
  model: Model,
  ctx: PassContext,
  opts: RunPassesOptions = {},
): PassRunReport {
  return runPasses(model, frontendPipeline(), ctx, { fixedPoint: true, verify: true, ...opts });
}
