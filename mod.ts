/**
 * axb — an open toolchain that compiles ONNX models for edge NPUs (AXera AX650,
 * AX620E, AX615, M76H, M57, AX637; Horizon bernoulli2, bayes, bayes-e, nash-e/m/p/h).
 *
 * This module is the library API. The float reference path:
 *
 * @example Run a model on one input
 * ```ts
 * import { defaultRegistry, Executor, loadModel, Tensor } from "./mod.ts";
 *
 * const model = await loadModel("model.onnx");
 * const exec = new Executor(model, defaultRegistry());
 * const out = exec.run(new Map([["input", new Tensor("f32", [1, 3, 224, 224])]]));
 * console.log(out.get("output")?.shape);
 * ```
 *
 * @module
 */

export type { DType, DTypeArrayMap, TensorData } from "./core/ir/dtype.ts";
export {
  DEFAULT_MAX_TENSOR_BYTES,
  DTYPES,
  maxTensorBytes,
  setMaxTensorBytes,
} from "./core/ir/dtype.ts";
export { asFloat32, f32, fromFloat32, s64, sizeOf, Tensor } from "./core/ir/tensor.ts";
export type {
  Dim,
  NonTensorType,
  OptionalType,
  SequenceType,
  TensorType,
  ValueType,
} from "./core/ir/types.ts";
export { formatType, isTensorType, joinTypes } from "./core/ir/types.ts";
export { isTensor, OptionalValue, SequenceValue, typeOfValue } from "./core/ir/value.ts";
export type { Value } from "./core/ir/value.ts";
export type { Attribute, AttrReader } from "./core/ir/attribute.ts";
export { Graph } from "./core/ir/graph.ts";
export type { Model, Node, ValueInfo } from "./core/ir/graph.ts";
export { NameScope } from "./core/ir/names.ts";
export { normalizeDomain, opsetOf } from "./core/ir/opset.ts";

export { decodeModel, loadModel, loadTensorFile, loadValueFile } from "./core/onnx/load.ts";
export { validateModel, type ValidateOptions } from "./core/onnx/validate.ts";
export { decodeTensorProto } from "./core/onnx/tensor_proto.ts";
export { CAFFE_LAYER_TYPES, decodeCaffeModel, loadCaffeModel } from "./core/caffe/mod.ts";
export type { CaffeLoadOptions, CaffeSource } from "./core/caffe/mod.ts";

export { defineOp, defineValueOp, OpRegistry, parseNodeAttrs } from "./core/ops/op.ts";
export type {
  InferContext,
  KernelContext,
  OpDef,
  RegisteredOp,
  TypedOp,
  ValueInferContext,
  ValueKernel,
  ValueOpDef,
} from "./core/ops/op.ts";
export { builtinOps, defaultRegistry } from "./core/ops/mod.ts";

export { Executor } from "./core/exec/executor.ts";
export type { RunOptions } from "./core/exec/executor.ts";
export { kernelIsa, supportedIsas, useKernelIsa } from "./core/wasm/kernels.ts";
export type { KernelIsa } from "./core/wasm/kernels.ts";
export { inferShapes } from "./core/passes/infer_shapes.ts";
export type { InferredTypes } from "./core/passes/infer_shapes.ts";

export { decodeNpy, encodeNpy, readNpy } from "./core/io/npy.ts";
export { decodeRaw, encodeRaw, tensorFileStem } from "./core/io/raw.ts";

export { runSuite } from "./core/conformance/run_suite.ts";
export type { CaseResult } from "./core/conformance/run_suite.ts";

export {
  AxbError,
  CheckFailedError,
  ConfigError,
  EmptyOptionalError,
  GraphError,
  InputDataError,
  KernelError,
  LimitError,
  ModelFormatError,
  NotImplementedError,
  SequenceElementTypeError,
  UnsupportedOpError,
  UsageError,
} from "./core/errors/mod.ts";

export { main } from "./cli.ts";

// Configuration (pulsar2 BuildConfig and Horizon YAML)
export type { BuildConfig } from "./core/config/build_config.ts";
export { defaultBuildConfig } from "./core/config/build_config.ts";
export { loadConfigFile } from "./core/config/load.ts";
export { resolveBuildConfig } from "./core/config/resolve.ts";
export { horizonToBuildConfig, parseHorizonConfig } from "./core/config/horizon/mod.ts";

// Frontend passes
export { frontendPipeline, optimizeFrontend } from "./core/passes/frontend.ts";
export { runPasses } from "./core/passes/pass_manager.ts";
export type { Pass, PassContext } from "./core/passes/pass.ts";

// Quantization
export { calibrate } from "./core/quant/calibrate.ts";
export type { CalibrationMethod } from "./core/quant/range_methods.ts";
export { quantizeModel } from "./core/quant/quantize.ts";
export { resolvePrecision } from "./core/quant/precision.ts";
export type { QuantModel } from "./core/quant/quant_model.ts";
export { QuantEmulator } from "./core/quant/emulator.ts";
export type { EmulatorOptions } from "./core/quant/emulator.ts";
export { toQdqModel } from "./core/quant/qdq_export.ts";
export type { QdqExportOptions } from "./core/quant/qdq_export.ts";
export { fromQdqModel, isQdqModel } from "./core/quant/qdq_import.ts";
export { analyzePrecision } from "./core/quant/precision_analysis.ts";
export { searchAutoPrecision } from "./core/quant/auto_precision.ts";
export { listedCapabilities, opCapabilities } from "./core/quant/op_capabilities.ts";
export { findHazards, HAZARD_LIMITS } from "./core/quant/hazards.ts";
export { tensorViews } from "./core/quant/hazard_inputs.ts";
export { extractCalibrationSet, loadCalibrationSet } from "./core/dataset/load_calibration.ts";

// Targets, partition, compilation, container
export type { Legality, Target } from "./targets/target.ts";
export { builtinTargets, TargetRegistry } from "./targets/registry.ts";
export { loadTargetPlugin } from "./plugins/load_plugin.ts";
export { partitionModel } from "./core/partition/partition.ts";
export type { CompiledModel, PartitionResult } from "./core/compile/types.ts";
export { readCompiledModel } from "./core/container/decode.ts";
export { writeCompiledModel } from "./core/container/encode.ts";
export { CompiledRunner, runCompiled } from "./core/container/runtime.ts";
export { runBuild } from "./core/build/build.ts";
export type { BuildOptions, BuildResult } from "./core/build/build.ts";

// Horizon model tools: checker, hb_perf, hb_model_info, hb_model_modifier, hb_pack, run
export {
  HORIZON_META_KEY,
  readHorizonMeta,
  requireHorizonMeta,
  withHorizonMeta,
} from "./core/container/horizon_meta.ts";
export type {
  HorizonEnvironment,
  HorizonInputMeta,
  HorizonMeta,
  HorizonMetaTool,
  MetadataSource,
  RemovedNode,
} from "./core/container/horizon_meta.ts";
export {
  packModels,
  readHorizonModels,
  readModelToRun,
  unpackModels,
} from "./core/container/pack.ts";
export type { NamedModel, PackedModel } from "./core/container/pack.ts";
export { removableNodes, removeBoundaryNode } from "./core/container/remove_node.ts";
export type { RemoveNodeResult } from "./core/container/remove_node.ts";
export { checkModel } from "./core/report/model_check.ts";
export type { ModelCheck, ModelCheckOptions } from "./core/report/model_check.ts";
export {
  bpuImplementationName,
  formatCheckerTable,
  formatCpuReasons,
} from "./core/report/checker_table.ts";
export type { CheckerRow } from "./core/report/checker_table.ts";
export { formatModelInfo } from "./core/report/model_info.ts";
export { perfReport, structureSvg, writePerfReport } from "./core/report/hb_perf/mod.ts";
export type {
  LayerFigures,
  PerfReport,
  PerfReportOptions,
  StructureEdge,
  StructureGraph,
  StructureNode,
  StructureNodeKind,
  SubgraphFigures,
} from "./core/report/hb_perf/mod.ts";
export { horizonRunInputs } from "./core/run/horizon_inputs.ts";
export type { HorizonRunInput, InputPath } from "./core/run/horizon_inputs.ts";

// Types the public signatures above refer to
export type { CheckRecord } from "./core/build/compile_check.ts";
export type { CommandIO } from "./core/cli/command.ts";
export type { Logger } from "./core/util/log.ts";
export type { CompiledGroup, Placement, SubgraphPart } from "./core/compile/types.ts";
export type {
  AutoPrecisionConfig,
  CompilerConfig,
  ConstProcessor,
  DebugConfig,
  InputProcessor,
  InputQuantConfig,
  LayerConfig,
  OnnxOptConfig,
  OpProcessor,
  OutputProcessor,
  QuantConfig,
} from "./core/config/build_config.ts";
export type { ModelType } from "./core/config/enums.ts";
export type { HorizonSource } from "./core/config/horizon/mod.ts";
export type { HorizonValidateOptions } from "./core/config/horizon/schema.ts";
export type { HorizonMapping } from "./core/config/horizon/to_build_config.ts";
export type { HorizonConfig } from "./core/config/horizon/types.ts";
export type { LoadedConfig } from "./core/config/load.ts";
export type { ResolvedConfig, ResolveInput, ResolveOptions } from "./core/config/resolve.ts";
export type { SuiteOptions } from "./core/conformance/run_suite.ts";
export type { GroupMeta } from "./core/container/_groups_meta.ts";
export type {
  CompiledRunCallOptions,
  CompiledRunOptions,
  CompiledRunResult,
} from "./core/container/runtime.ts";
export type { CalibrationSet, LoadCalibrationOptions } from "./core/dataset/load_calibration.ts";
export type { AttributeValueMap } from "./core/ir/attribute.ts";
export type { DTypeInfo } from "./core/ir/dtype.ts";
export type { OpaqueType } from "./core/ir/types.ts";
export type { DecodeModelOptions } from "./core/onnx/load.ts";
export type { ParseContext, PreparedNode } from "./core/ops/op.ts";
export type { PartitionOptions } from "./core/partition/partition.ts";
export type { InferOptions } from "./core/passes/infer_shapes.ts";
export type { PassResult } from "./core/passes/pass.ts";
export type { PassRunReport, RunPassesOptions } from "./core/passes/pass_manager.ts";
export type { CalibrateOptions, TensorStats } from "./core/quant/calibrate.ts";
export type { EmulateOptions } from "./core/quant/emulator.ts";
export type { EmulationPath } from "./core/quant/emulator_steps.ts";
export type { Arithmetic } from "./core/quant/int_kernels.ts";
export type {
  CostClass,
  IntegerKernelId,
  OpCapabilities,
  WeightRule,
} from "./core/quant/op_capabilities.ts";
export type { PrecisionPlan } from "./core/quant/precision.ts";
export type {
  Metric,
  OutputAgreement,
  PrecisionMethod,
  PrecisionRow,
} from "./core/quant/precision_analysis.ts";
export type { Collapse } from "./core/quant/precision_channels.ts";
export type {
  AutoPrecisionGoal,
  AutoPrecisionInputs,
  AutoPrecisionResult,
  AutoPrecisionStep,
  Candidate,
} from "./core/quant/auto_precision.ts";
export type { ActivationQuant, ConstQuant } from "./core/quant/quant_model.ts";
export type {
  ActivationType,
  ChannelRanges,
  Hazard,
  HazardBase,
  HazardFix,
  HazardInputs,
  HazardKind,
  RangedTensor,
  TensorView,
} from "./core/quant/hazards.ts";
export { HAZARD_MODES } from "./core/config/quant_types.ts";
export type { HazardMode } from "./core/config/quant_types.ts";
export type { QuantizeOptions } from "./core/quant/quantize.ts";
export type { LoadPluginOptions } from "./plugins/load_plugin.ts";
export type {
  BatchConfig,
  CostEstimate,
  CpuCause,
  ExecutionPlan,
  HardwareFacts,
  LegalityContext,
  SubgraphProfile,
  TargetFamily,
  TargetSubgraph,
  TileContext,
  TilePlan,
} from "./targets/target.ts";
export type { NpuMode } from "./targets/target.ts";
export type { MainOptions } from "./cli.ts";
export type { MarchDialect, MarchRules } from "./core/config/horizon/march.ts";
export {
  CALIBRATION_TYPES,
  COMPILE_MODES,
  HORIZON_TOOLS,
  OPTIMIZE_LEVELS,
} from "./core/config/horizon/types.ts";
export type { FlagValue } from "./core/cli/flags.ts";
export type { CompiledSubgraph } from "./core/compile/types.ts";
export type {
  CompilerOptions,
  CompilerSubConfig,
  JsonValue,
  ShapeConfig,
} from "./core/config/build_config.ts";
export type { ConfigWarning } from "./core/config/diagnostics.ts";
export type {
  ColorSpace,
  CscMode,
  DataFormat,
  DataType,
  Layout,
  PrecisionAnalysisMethod,
  PrecisionAnalysisMode,
  QuantMethod,
} from "./core/config/enums.ts";
export type { HorizonModelType } from "./core/config/horizon/model_params.ts";
export type {
  CalibrationParameters,
  CompilerParameters,
  CustomOpParameters,
  HorizonInput,
  HorizonMarch,
  HorizonTool,
  InputParameters,
  ModelParameters,
  NodeInfoEntry,
  QuantConfigSpec,
} from "./core/config/horizon/types.ts";
export type { ConfigFormat } from "./core/config/load.ts";
export type { Tolerance } from "./core/conformance/compare.ts";
export type { SubgraphMeta } from "./core/container/_groups_meta.ts";
export type { NpuRun } from "./core/container/npu_kernel.ts";
export type { CalibrationSourceInfo, PendingExtraction } from "./core/dataset/load_calibration.ts";
export type { ArchiveLimits } from "./core/dataset/limits.ts";
export type {
  DatasetFile,
  DatasetSource,
  DatasetSourceKind,
  SkippedLink,
} from "./core/dataset/archive.ts";
export type { CutRange } from "./core/partition/cuts.ts";
export type { PassStat } from "./core/passes/pass_manager.ts";
export type { Histogram } from "./core/quant/histogram.ts";
export type { QType } from "./core/quant/numeric.ts";
export type { NodePrecision } from "./core/quant/precision.ts";
export type { Range } from "./core/quant/range_methods.ts";
export type {
  CompilerKnobs,
  HardwareFact,
  MacArrayShape,
  NodeTiling,
  OpProfile,
} from "./targets/target.ts";
export type { BatchCost } from "./core/compile/types.ts";
export type { CompilerGroupPattern, CompilerOptionName } from "./core/config/build_config.ts";
export type { CheckMode } from "./core/config/enums.ts";
export type {
  CalDataType,
  CalibrationType,
  CompileMode,
  HorizonLayout,
  HorizonPrecision,
  InputSource,
  NormType,
  OptimizeLevel,
  RuntimeType,
  SpaceAndRange,
  TrainType,
} from "./core/config/horizon/types.ts";
export type { ValueInfoJson } from "./core/container/_groups_meta.ts";
export type { BatchChunk } from "./core/container/batch.ts";
export type { Precision } from "./core/quant/precision.ts";
export type { GroupPatternNode } from "./core/config/build_config.ts";
export type { MatchMode, ScheduleStrategy } from "./core/config/enums.ts";
/** The config enums' value tables (name → the number pulsar2 stores), behind their types. */
export {
  CHECK_MODE,
  COLOR_SPACE,
  CSC_MODE,
  DATA_FORMAT,
  DATA_TYPE,
  LAYOUT,
  MATCH_MODE,
  MODEL_TYPE,
  PRECISION_ANALYSIS_METHOD,
  PRECISION_ANALYSIS_MODE,
  QUANT_METHOD,
  SCHEDULE_STRATEGY,
} from "./core/config/enums.ts";
export type { AnalyzePrecisionOptions, PrecisionNode } from "./core/quant/precision_analysis.ts";
export type { FixedActivation } from "./core/quant/quantize.ts";
export type { NumericModel } from "./core/quant/numeric_model.ts";
export { OMITTABLE_GROUPS } from "./core/config/horizon/march.ts";
export type { OmittableGroup } from "./core/config/horizon/march.ts";
export { ProgressDisplay } from "./core/util/progress.ts";
export type { ProgressBar } from "./core/util/progress.ts";
