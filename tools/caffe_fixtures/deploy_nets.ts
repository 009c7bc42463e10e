/**
 * Deploy prototxts of three public architectures, generated in the layout and spelling of
 * the widely used public deploy files (whose sources testdata/caffe/README.md names):
 *
 * - MobileNet v1: legacy `input` + 4 × `input_dim`, Convolution without bias followed by
 *   BatchNorm + Scale + ReLU, depthwise convolutions as `group` = channels, global average
 *   pooling, the classifier as a 1×1 Convolution, Softmax.
 * - SqueezeNet v1.1: an Input layer, fire modules (squeeze 1×1, expand 1×1 and 3×3,
 *   Concat), MAX pooling 3/2 with Caffe's ceil rounding (113 → 56 → 28 → 14 with no pad),
 *   Dropout, global average pooling.
 * - ResNet-50: legacy input, bottleneck blocks with BatchNorm + Scale after every
 *   convolution (the stride on the first 1×1 of each stage), Eltwise SUM shortcuts,
 *   MAX pool 3/2 (ceil: 112 → 56), AVE pool 7/1, InnerProduct 1000, Softmax.
 *
 * @module
 */

function conv(
  name: string,
  bottom: string,
  top: string,
  out: number,
  k: number,
  s: number,
  p: number,
  opts: { group?: number; bias?: boolean; param?: boolean; filler?: boolean } = {},
): string {
  const lines = [
    `  num_output: ${out}`,
    ...(opts.bias === false ? ["  bias_term: false"] : []),
    `  pad: ${p}`,
    `  kernel_size: ${k}`,
    ...(opts.group ? [`  group: ${opts.group}`] : []),
    `  stride: ${s}`,
    ...(opts.filler === false ? [] : [`  weight_filler {\n      type: "msra"\n    }`]),
  ];
  const param = opts.param === false ? "" : `  param {
    lr_mult: 1
    decay_mult: 1
  }
`;
  return `layer {
  name: "${name}"
  type: "Convolution"
  bottom: "${bottom}"
  top: "${top}"
${param}  convolution_param {
  ${lines.join("\n  ")}
  }
}
`;
}

function bnScale(bnName: string, scaleName: string, blob: string): string {
  return `layer {
  name: "${bnName}"
  type: "BatchNorm"
  bottom: "${blob}"
  top: "${blob}"
  batch_norm_param {
    use_global_stats: true
  }
}
layer {
  name: "${scaleName}"
  type: "Scale"
  bottom: "${blob}"
  top: "${blob}"
  scale_param {
    bias_term: true
  }
}
`;
}

function relu(name: string, blob: string): string {
  return `layer {
  name: "${name}"
  type: "ReLU"
  bottom: "${blob}"
  top: "${blob}"
}
`;
}

/** MobileNet v1 (1.0, 224) deploy prototxt. */
export function mobilenetV1(): string {
  let t = `name: "MOBILENET"
#  transform_param {
#    scale: 0.017
#    mirror: false
#    crop_size: 224
#    mean_value: [103.94,116.78,123.68]
#  }
input: "data"
input_dim: 1
input_dim: 3
input_dim: 224
input_dim: 224
`;
  t += conv("conv1", "data", "conv1", 32, 3, 2, 1, { bias: false });
  t += bnScale("conv1/bn", "conv1/scale", "conv1") + relu("relu1", "conv1");
  const blocks: [string, number, number, number][] = [
    ["2_1", 32, 64, 1],
    ["2_2", 64, 128, 2],
    ["3_1", 128, 128, 1],
    ["3_2", 128, 256, 2],
    ["4_1", 256, 256, 1],
    ["4_2", 256, 512, 2],
    ["5_1", 512, 512, 1],
    ["5_2", 512, 512, 1],
    ["5_3", 512, 512, 1],
    ["5_4", 512, 512, 1],
    ["5_5", 512, 512, 1],
    ["5_6", 512, 1024, 2],
    ["6", 1024, 1024, 1],
  ];
  let prev = "conv1";
  for (const [id, cin, cout, s] of blocks) {
    const dw = `conv${id}/dw`;
    const sep = `conv${id}/sep`;
    t += conv(dw, prev, dw, cin, 3, s, 1, { group: cin, bias: false });
    t += bnScale(`${dw}/bn`, `${dw}/scale`, dw) + relu(`relu${id}/dw`, dw);
    t += conv(sep, dw, sep, cout, 1, 1, 0, { bias: false });
    t += bnScale(`${sep}/bn`, `${sep}/scale`, sep) + relu(`relu${id}/sep`, sep);
    prev = sep;
  }
  t += `layer {
  name: "pool6"
  type: "Pooling"
  bottom: "${prev}"
  top: "pool6"
  pooling_param {
    pool: AVE
    global_pooling: true
  }
}
layer {
  name: "fc7"
  type: "Convolution"
  bottom: "pool6"
  top: "fc7"
  param {
    lr_mult: 1
    decay_mult: 1
  }
  param {
    lr_mult: 2
    decay_mult: 0
  }
  convolution_param {
    num_output: 1000
    kernel_size: 1
    weight_filler {
      type: "msra"
    }
    bias_filler {
      type: "constant"
      value: 0
    }
  }
}
layer {
  name: "prob"
  type: "Softmax"
  bottom: "fc7"
  top: "prob"
}
`;
  return t;
}

/** SqueezeNet v1.1 deploy prototxt. */
export function squeezenetV11(): string {
  const plain = (name: string, bottom: string, out: number, k: number, s: number, p: number) =>
    `layer {
  name: "${name}"
  type: "Convolution"
  bottom: "${bottom}"
  top: "${name}"
  convolution_param {
    num_output: ${out}${p ? `\n    pad: ${p}` : ""}
    kernel_size: ${k}${s !== 1 ? `\n    stride: ${s}` : ""}
  }
}
`;
  const reluTo = (name: string, blob: string) => relu(name, blob);
  const pool = (name: string, bottom: string) =>
    `layer {
  name: "${name}"
  type: "Pooling"
  bottom: "${bottom}"
  top: "${name}"
  pooling_param {
    pool: MAX
    kernel_size: 3
    stride: 2
  }
}
`;
  const fire = (n: number, bottom: string, sq: number, ex: number) => {
    const f = `fire${n}`;
    return plain(`${f}/squeeze1x1`, bottom, sq, 1, 1, 0) +
      reluTo(`${f}/relu_squeeze1x1`, `${f}/squeeze1x1`) +
      plain(`${f}/expand1x1`, `${f}/squeeze1x1`, ex, 1, 1, 0) +
      reluTo(`${f}/relu_expand1x1`, `${f}/expand1x1`) +
      plain(`${f}/expand3x3`, `${f}/squeeze1x1`, ex, 3, 1, 1) +
      reluTo(`${f}/relu_expand3x3`, `${f}/expand3x3`) +
      `layer {
  name: "${f}/concat"
  type: "Concat"
  bottom: "${f}/expand1x1"
  bottom: "${f}/expand3x3"
  top: "${f}/concat"
}
`;
  };
  let t = `layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape: { dim: 1 dim: 3 dim: 227 dim: 227 } }
}
`;
  t += plain("conv1", "data", 64, 3, 2, 0) + reluTo("relu_conv1", "conv1") + pool("pool1", "conv1");
  t += fire(2, "pool1", 16, 64) + fire(3, "fire2/concat", 16, 64) + pool("pool3", "fire3/concat");
  t += fire(4, "pool3", 32, 128) + fire(5, "fire4/concat", 32, 128) + pool("pool5", "fire5/concat");
  t += fire(6, "pool5", 48, 192) + fire(7, "fire6/concat", 48, 192);
  t += fire(8, "fire7/concat", 64, 256) + fire(9, "fire8/concat", 64, 256);
  t += `layer {
  name: "drop9"
  type: "Dropout"
  bottom: "fire9/concat"
  top: "fire9/concat"
  dropout_param {
    dropout_ratio: 0.5
  }
}
`;
  t += plain("conv10", "fire9/concat", 1000, 1, 1, 0) + reluTo("relu_conv10", "conv10");
  t += `layer {
  name: "pool10"
  type: "Pooling"
  bottom: "conv10"
  top: "pool10"
  pooling_param {
    pool: AVE
    global_pooling: true
  }
}
layer {
  name: "prob"
  type: "Softmax"
  bottom: "pool10"
  top: "prob"
}
`;
  return t;
}

/** ResNet-50 deploy prototxt. */
export function resnet50(): string {
  const cbs = (
    name: string,
    bottom: string,
    out: number,
    k: number,
    s: number,
    p: number,
    act: boolean,
  ) => {
    const base = name.replace(/^res/, "");
    return conv(name, bottom, name, out, k, s, p, { bias: false, param: false, filler: false }) +
      bnScale(`bn${base}`, `scale${base}`, name) + (act ? relu(`${name}_relu`, name) : "");
  };
  let t = `name: "ResNet-50"
input: "data"
input_dim: 1
input_dim: 3
input_dim: 224
input_dim: 224

`;
  t += conv("conv1", "data", "conv1", 64, 7, 2, 3, { param: false });
  t += bnScale("bn_conv1", "scale_conv1", "conv1") + relu("conv1_relu", "conv1");
  t += `layer {
  bottom: "conv1"
  top: "pool1"
  name: "pool1"
  type: "Pooling"
  pooling_param {
    kernel_size: 3
    stride: 2
    pool: MAX
  }
}

`;
  const stages: [number, number, number, number][] = [
    [2, 3, 64, 1],
    [3, 4, 128, 2],
    [4, 6, 256, 2],
    [5, 3, 512, 2],
  ];
  let prev = "pool1";
  for (const [stage, blocks, width, stride] of stages) {
    for (let b = 0; b < blocks; b++) {
      const id = `${stage}${String.fromCharCode(97 + b)}`;
      const s = b === 0 ? stride : 1;
      let shortcut = prev;
      if (b === 0) {
        t += cbs(`res${id}_branch1`, prev, width * 4, 1, s, 0, false);
        shortcut = `res${id}_branch1`;
      }
      t += cbs(`res${id}_branch2a`, prev, width, 1, s, 0, true);
      t += cbs(`res${id}_branch2b`, `res${id}_branch2a`, width, 3, 1, 1, true);
      t += cbs(`res${id}_branch2c`, `res${id}_branch2b`, width * 4, 1, 1, 0, false);
      t += `layer {
  bottom: "${shortcut}"
  bottom: "res${id}_branch2c"
  top: "res${id}"
  name: "res${id}"
  type: "Eltwise"
}

` + relu(`res${id}_relu`, `res${id}`);
      prev = `res${id}`;
    }
  }
  t += `layer {
  bottom: "${prev}"
  top: "pool5"
  name: "pool5"
  type: "Pooling"
  pooling_param {
    kernel_size: 7
    stride: 1
    pool: AVE
  }
}

layer {
  bottom: "pool5"
  top: "fc1000"
  name: "fc1000"
  type: "InnerProduct"
  inner_product_param {
    num_output: 1000
  }
}

layer {
  bottom: "fc1000"
  top: "prob"
  name: "prob"
  type: "Softmax"
}
`;
  return t;
}
