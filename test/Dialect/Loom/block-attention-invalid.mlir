// RUN: %loom-opt %s -split-input-file -verify-diagnostics
// The verifiers of loom.md_attention and loom.source2token.

func.func @md_shapes(%x: tensor<2x10x8xf32>, %h: tensor<2x9x8xf32>, %fb: tensor<8xf32>) -> tensor<2x10x8xf32> {
  // expected-error @+1 {{values, dependent and head must be [batch, seq, d] tensors of one shape}}
  %a = loom.md_attention %x, %x, %h, %fb : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x9x8xf32>, tensor<8xf32>) -> tensor<2x10x8xf32>
  return %a : tensor<2x10x8xf32>
}

// -----

func.func @md_bias(%x: tensor<2x10x8xf32>, %fb: tensor<6xf32>) -> tensor<2x10x8xf32> {
  // expected-error @+1 {{f_bias must be [8] (the channels)}}
  %a = loom.md_attention %x, %x, %x, %fb : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<6xf32>) -> tensor<2x10x8xf32>
  return %a : tensor<2x10x8xf32>
}

// -----

func.func @md_direction(%x: tensor<2x10x8xf32>, %fb: tensor<8xf32>) -> tensor<2x10x8xf32> {
  // expected-error @+1 {{direction must be "forward", "backward" or "diag", got "up"}}
  %a = loom.md_attention %x, %x, %x, %fb {direction = "up"} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<8xf32>) -> tensor<2x10x8xf32>
  return %a : tensor<2x10x8xf32>
}

// -----

func.func @md_scale(%x: tensor<2x10x8xf32>, %fb: tensor<8xf32>) -> tensor<2x10x8xf32> {
  // expected-error @+1 {{tanh_scale must be in (0, 60], got 1.000000e+02}}
  %a = loom.md_attention %x, %x, %x, %fb {tanh_scale = 100.0 : f32} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<8xf32>) -> tensor<2x10x8xf32>
  return %a : tensor<2x10x8xf32>
}

// -----

func.func @md_block(%x: tensor<2x10x8xf32>, %fb: tensor<8xf32>) -> tensor<2x10x8xf32> {
  // expected-error @+1 {{block_len must be >= 0 (0: the whole sequence), got -2}}
  %a = loom.md_attention %x, %x, %x, %fb {block_len = -2 : i64} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<8xf32>) -> tensor<2x10x8xf32>
  return %a : tensor<2x10x8xf32>
}

// -----

func.func @md_lengths(%x: tensor<2x10x8xf32>, %fb: tensor<8xf32>, %len: tensor<3xi64>) -> tensor<2x10x8xf32> {
  // expected-error @+1 {{key_lengths must be [batch] = [2]}}
  %a = loom.md_attention %x, %x, %x, %fb key_lengths %len : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<8xf32>, tensor<3xi64>) -> tensor<2x10x8xf32>
  return %a : tensor<2x10x8xf32>
}

// -----

func.func @md_result(%x: tensor<2x10x8xf32>, %fb: tensor<8xf32>) -> tensor<2x10x4xf32> {
  // expected-error @+1 {{result must have the values' type}}
  %a = loom.md_attention %x, %x, %x, %fb : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<8xf32>) -> tensor<2x10x4xf32>
  return %a : tensor<2x10x4xf32>
}

// -----

func.func @s2t_shapes(%x: tensor<2x10x8xf32>, %l: tensor<2x10x4xf32>) -> tensor<2x1x8xf32> {
  // expected-error @+1 {{values and logits must be [batch, seq, d] tensors of one shape}}
  %s = loom.source2token %x, %l : (tensor<2x10x8xf32>, tensor<2x10x4xf32>) -> tensor<2x1x8xf32>
  return %s : tensor<2x1x8xf32>
}

// -----

func.func @s2t_blocks(%x: tensor<2x10x8xf32>) -> tensor<2x2x8xf32> {
  // expected-error @+1 {{result must be [batch, n_blocks, d] = [2, 3, 8]}}
  %s = loom.source2token %x, %x {block_len = 4 : i64} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>) -> tensor<2x2x8xf32>
  return %s : tensor<2x2x8xf32>
}
