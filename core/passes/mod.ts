/**
 * Graph passes: the pass contract, the pass manager, the frontend pipeline and the
 * passes themselves.
 *
 * @module
 */
export { type Pass, type PassContext, type PassResult, passResult } from "./pass.ts";
export {
  MAX_FIXED_POINT_ROUNDS,
  type PassRunReport,
  type PassStat,
  runPasses,
  type RunPassesOptions,
  verifyGraph,
} from "./pass_manager.ts";
export { frontendPipeline, optimizeFrontend } from "./frontend.ts";
export { constantToInitializer } from "./constant_to_initializer.ts";
export { eliminateIdentity } from "./eliminate_identity.ts";
export { foldConstants, MAX_FOLD_ELEMENTS } from "./fold_constants.ts";
export {
  CONTROL_FLOW_NOTE,
  inlineControlFlow,
  MAX_UNROLL_NODES,
  MAX_UNROLL_TRIPS,
} from "./inline_control_flow.ts";
export { simplifySequences } from "./simplify_sequences.ts";
export { fuseBnIntoConv } from "./fuse_bn_into_conv.ts";
export { fuseLayerNorm } from "./fuse_layer_norm.ts";
export { fuseGelu } from "./fuse_gelu.ts";
export { TARGET_OPSET, upgradeOpset } from "./upgrade_opset.ts";
export { removeUnused } from "./remove_unused.ts";
export { opHistogram } from "./_graph_util.ts";
export { inferShapes } from "./infer_shapes.ts";
