// RUN: %loom-opt %s -split-input-file -verify-diagnostics

func.func @heads_do_not_divide(%x: tensor<1x4x10xf32>) -> tensor<1x4x10xf32> {
  // expected-error @+1 {{d_model (10) must be divisible by n_heads (4)}}
  %a = loom.attention %x, %x, %x {n_heads = 4 : i64} : (tensor<1x4x10xf32>, tensor<1x4x10xf32>, tensor<1x4x10xf32>) -> tensor<1x4x10xf32>
  return %a : tensor<1x4x10xf32>
}

// -----

func.func @kv_mismatch(%q: tensor<1x4x8xf32>, %k: tensor<1x5x8xf32>, %v: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{key and value must have the same shape}}
  %a = loom.attention %q, %k, %v {n_heads = 2 : i64} : (tensor<1x4x8xf32>, tensor<1x5x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return %a : tensor<1x4x8xf32>
}

// -----

func.func @causal_longer_query(%q: tensor<1x6x8xf32>, %k: tensor<1x4x8xf32>) -> tensor<1x6x8xf32> {
  // expected-error @+1 {{causal attention needs seq_q <= seq_k}}
  %a = loom.attention %q, %k, %k {n_heads = 2 : i64, causal = true} : (tensor<1x6x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x6x8xf32>
  return %a : tensor<1x6x8xf32>
}

// -----

func.func @linear_in_features(%x: tensor<2x8x16xf32>, %w: tensor<32x15xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{input features (16) do not match weight in_features (15)}}
  %y = loom.linear %x, %w : (tensor<2x8x16xf32>, tensor<32x15xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @linear_bias(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>, %b: tensor<16xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{bias must be [32]}}
  %y = loom.linear %x, %w, %b : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<16xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @linear_result(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{result shape must be the input shape with the last dimension replaced by out_features (32)}}
  %y = loom.linear %x, %w : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x16xf32>
  return %y : tensor<2x8x16xf32>
}

// -----

func.func @epilogue_args(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{epilogue must take exactly one f32 argument}}
  %y = loom.linear %x, %w epilogue {
  ^bb0(%v: f32, %u: f32):
    loom.yield %v : f32
  } : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @layer_norm_weight(%x: tensor<2x8x16xf32>, %g: tensor<8xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{weight and bias must be [16] (the normalised dimension)}}
  %n = loom.layer_norm %x, %g, %g : (tensor<2x8x16xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8x16xf32>
  return %n : tensor<2x8x16xf32>
}

// -----

func.func @layer_norm_eps(%x: tensor<2x8x16xf32>, %g: tensor<16xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{epsilon must be positive}}
  %n = loom.layer_norm %x, %g, %g {epsilon = 0.0 : f32} : (tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  return %n : tensor<2x8x16xf32>
}

// -----

func.func @pe_odd(%x: tensor<1x4x7xf32>) -> tensor<1x4x7xf32> {
  // expected-error @+1 {{d_model must be even for sinusoidal encoding, got 7}}
  %p = loom.sinusoidal_pe %x : tensor<1x4x7xf32>
  return %p : tensor<1x4x7xf32>
}

// -----

func.func @gelu_mode(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{approximate must be "none" or "tanh", got "fast"}}
  %y = loom.gelu %x {approximate = "fast"} : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @pointwise_yield(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{body must end in a loom.yield of one f32}}
  %y = loom.pointwise %x : tensor<4xf32> {
  ^bb0(%v: f32):
    %i = arith.fptosi %v : f32 to i32
    loom.yield %i : i32
  }
  return %y : tensor<4xf32>
}

// -----

func.func @bias_shape(%x: tensor<1x4x8xf32>, %b: tensor<2x4x5xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{bias must be [n_heads, seq_q, seq_k] or [batch, n_heads, seq_q, seq_k]}}
  %a = loom.attention %x, %x, %x bias %b {n_heads = 2 : i64} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<2x4x5xf32>) -> tensor<1x4x8xf32>
  return %a : tensor<1x4x8xf32>
}

// -----

func.func @negative_window(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{window and block_size must be >= 0 (0 disables them)}}
  %a = loom.attention %x, %x, %x {n_heads = 2 : i64, window = -1 : i64} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) -> tensor<1x4x8xf32>
  return %a : tensor<1x4x8xf32>
}

// -----

func.func @rope_odd(%x: tensor<1x4x12xf32>) -> tensor<1x4x12xf32> {
  // expected-error @+1 {{rotary_dim must be even and in (0, d_head = 6], got 3}}
  %r = loom.rope %x {n_heads = 2 : i64, rotary_dim = 3 : i64} : tensor<1x4x12xf32>
  return %r : tensor<1x4x12xf32>
}

// -----

func.func @rope_heads(%x: tensor<1x4x12xf32>) -> tensor<1x4x12xf32> {
  // expected-error @+1 {{d_model (12) must be divisible by n_heads (5)}}
  %r = loom.rope %x {n_heads = 5 : i64, rotary_dim = 2 : i64} : tensor<1x4x12xf32>
  return %r : tensor<1x4x12xf32>
}

// -----

func.func @alibi_heads() -> tensor<4x4x4xf32> {
  // expected-error @+1 {{result must be [n_heads, seq_q, seq_k] with n_heads = 3}}
  %b = loom.alibi_bias {n_heads = 3 : i64} : tensor<4x4x4xf32>
  return %b : tensor<4x4x4xf32>
}

// -----

func.func @table_short(%x: tensor<1x8x4xf32>, %t: tensor<6x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{sequence length 8 exceeds the table's 6 positions}}
  %y = loom.add_position_table %x, %t : (tensor<1x8x4xf32>, tensor<6x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

func.func @t5_heads(%t: tensor<32x4xf32>) -> tensor<6x8x8xf32> {
  // expected-error @+1 {{result must be [n_heads, seq_q, seq_k] with n_heads = 4}}
  %b = loom.t5_bias %t {max_distance = 128 : i64} : (tensor<32x4xf32>) -> tensor<6x8x8xf32>
  return %b : tensor<6x8x8xf32>
}

// -----

func.func @t5_distance(%t: tensor<32x4xf32>) -> tensor<4x8x8xf32> {
  // expected-error @+1 {{max_distance must exceed the exact buckets (8)}}
  %b = loom.t5_bias %t {max_distance = 8 : i64} : (tensor<32x4xf32>) -> tensor<4x8x8xf32>
  return %b : tensor<4x8x8xf32>
}

// -----

func.func @lengths_shape(%x: tensor<2x4x8xf32>, %l: tensor<3xi64>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{key_lengths must be [batch] = [2]}}
  %a = loom.attention %x, %x, %x key_lengths %l {n_heads = 2 : i64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<3xi64>) -> tensor<2x4x8xf32>
  return %a : tensor<2x4x8xf32>
}

// -----

func.func @rms_weight(%x: tensor<2x8x16xf32>, %g: tensor<8xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{weight must be [16] (the normalised dimension)}}
  %n = loom.rms_norm %x, %g : (tensor<2x8x16xf32>, tensor<8xf32>) -> tensor<2x8x16xf32>
  return %n : tensor<2x8x16xf32>
}

// -----

func.func @rel_values_shape(%x: tensor<1x4x8xf32>, %t: tensor<5x8xf32>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{rel_values must be [2 * rel_max_distance + 1, d_head] with rel_max_distance > 0}}
  %a = loom.attention %x, %x, %x rel_values %t {n_heads = 2 : i64, rel_max_distance = 2 : i64} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<5x8xf32>) -> tensor<1x4x8xf32>
  return %a : tensor<1x4x8xf32>
}

// -----

func.func @relative_table(%x: tensor<1x4x8xf32>, %t: tensor<4x4xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{table must be [5, 4] for mode shaw}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 2 : i64, scale = 1.0 : f32} : (tensor<1x4x8xf32>, tensor<4x4xf32>) -> tensor<1x2x4x4xf32>
  return %b : tensor<1x2x4x4xf32>
}

// -----

func.func @relative_c2p_table(%x: tensor<1x4x8xf32>, %t: tensor<4x4xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{table must be [4, 8] for mode c2p}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 2 : i64, scale = 1.0 : f32, mode = "c2p"} : (tensor<1x4x8xf32>, tensor<4x4xf32>) -> tensor<1x2x4x4xf32>
  return %b : tensor<1x2x4x4xf32>
}

// -----

func.func @relative_mode(%x: tensor<1x4x8xf32>, %t: tensor<4x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{mode must be shaw, c2p, p2c, xl_shift or key_position, got p2p}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 2 : i64, scale = 1.0 : f32, mode = "p2p"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x2x4x4xf32>
  return %b : tensor<1x2x4x4xf32>
}

// -----

// max_distance 0 (every distance, Transformer-XL) is c2p's, over a [2 seq_k, d_model] table.
func.func @relative_every_distance_mode(%x: tensor<1x4x8xf32>, %t: tensor<8x4xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{max_distance 0 (every distance) needs mode c2p}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 0 : i64, scale = 1.0 : f32} : (tensor<1x4x8xf32>, tensor<8x4xf32>) -> tensor<1x2x4x4xf32>
  return %b : tensor<1x2x4x4xf32>
}

// -----

func.func @relative_every_distance_table(%x: tensor<1x4x8xf32>, %t: tensor<6x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{table must be [2 seq_k, 8] for max_distance 0}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 0 : i64, scale = 1.0 : f32, mode = "c2p"} : (tensor<1x4x8xf32>, tensor<6x8xf32>) -> tensor<1x2x4x4xf32>
  return %b : tensor<1x2x4x4xf32>
}

// -----

// xl_shift (ESPnet's legacy rel_shift) is self-attention only ...
func.func @xl_shift_cross(%x: tensor<1x4x8xf32>, %t: tensor<6x8xf32>) -> tensor<1x2x4x6xf32> {
  // expected-error @+1 {{mode xl_shift needs seq_q = seq_k (self-attention)}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 0 : i64, scale = 1.0 : f32, mode = "xl_shift"} : (tensor<1x4x8xf32>, tensor<6x8xf32>) -> tensor<1x2x4x6xf32>
  return %b : tensor<1x2x4x6xf32>
}

// -----

// ... over a table of one row per key ...
func.func @xl_shift_rows(%x: tensor<1x4x8xf32>, %t: tensor<8x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{table must be [seq_k, 8] for mode xl_shift}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 0 : i64, scale = 1.0 : f32, mode = "xl_shift"} : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x2x4x4xf32>
  return %b : tensor<1x2x4x4xf32>
}

// -----

// ... and reads every distance (no clipping).
func.func @xl_shift_distance(%x: tensor<1x4x8xf32>, %t: tensor<4x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{mode xl_shift takes max_distance 0}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 2 : i64, scale = 1.0 : f32, mode = "xl_shift"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x2x4x4xf32>
  return %b : tensor<1x2x4x4xf32>
}

// -----

// key_position reads one row per key ...
func.func @key_position_rows(%x: tensor<1x4x8xf32>, %t: tensor<8x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{table must be [seq_k, 8] for mode key_position}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 0 : i64, scale = 1.0 : f32, mode = "key_position"} : (tensor<1x4x8xf32>, tensor<8x8xf32>) -> tensor<1x2x4x4xf32>
  return %b : tensor<1x2x4x4xf32>
}

// -----

// ... and clips nothing.
func.func @key_position_distance(%x: tensor<1x4x8xf32>, %t: tensor<4x8xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{mode key_position takes max_distance 0}}
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 2 : i64, scale = 1.0 : f32, mode = "key_position"} : (tensor<1x4x8xf32>, tensor<4x8xf32>) -> tensor<1x2x4x4xf32>
  return %b : tensor<1x2x4x4xf32>
}

// -----

func.func @add_bias_shape(%x: tensor<2x4x8xf32>, %u: tensor<4xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{bias must be [8] (the last dimension)}}
  %y = loom.add_bias %x, %u : (tensor<2x4x8xf32>, tensor<4xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

func.func @table_odd() -> tensor<6x7xf32> {
  // expected-error @+1 {{result must be [rows, d_model] with even d_model}}
  %r = loom.sinusoidal_table : tensor<6x7xf32>
  return %r : tensor<6x7xf32>
}

// -----

// A dynamic number of rows needs its size.
func.func @table_dynamic_rows() -> tensor<?x8xf32> {
  // expected-error @+1 {{needs one dynamic size per dynamic dimension of the result (1), got 0}}
  %r = loom.sinusoidal_table : tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// -----

func.func @glu_odd(%x: tensor<2x8x7xf32>) -> tensor<2x8x3xf32> {
  // expected-error @+1 {{the last dimension must be even (two halves), got 7}}
  %g = loom.glu %x : (tensor<2x8x7xf32>) -> tensor<2x8x3xf32>
  return %g : tensor<2x8x3xf32>
}

// -----

func.func @glu_result(%x: tensor<2x8x8xf32>) -> tensor<2x8x8xf32> {
  // expected-error @+1 {{result must halve the last dimension of the input}}
  %g = loom.glu %x : (tensor<2x8x8xf32>) -> tensor<2x8x8xf32>
  return %g : tensor<2x8x8xf32>
}

// -----

func.func @conv_weight(%x: tensor<2x8x6xf32>, %w: tensor<5x3xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{weight must be [6, kernel_size]}}
  %d = loom.depthwise_conv1d %x, %w {padding_left = 1, padding_right = 1} : (tensor<2x8x6xf32>, tensor<5x3xf32>) -> tensor<2x8x6xf32>
  return %d : tensor<2x8x6xf32>
}

// -----

func.func @conv_padding(%x: tensor<2x8x6xf32>, %w: tensor<6x3xf32>) -> tensor<2x12x6xf32> {
  // expected-error @+1 {{padding must be in [0, kernel_size), got 3 and 3}}
  %d = loom.depthwise_conv1d %x, %w {padding_left = 3, padding_right = 3} : (tensor<2x8x6xf32>, tensor<6x3xf32>) -> tensor<2x12x6xf32>
  return %d : tensor<2x12x6xf32>
}

// -----

func.func @conv_result(%x: tensor<2x8x6xf32>, %w: tensor<6x3xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{result must be [2, 6, 6]}}
  %d = loom.depthwise_conv1d %x, %w : (tensor<2x8x6xf32>, tensor<6x3xf32>) -> tensor<2x8x6xf32>
  return %d : tensor<2x8x6xf32>
}

// -----

func.func @conv_bias(%x: tensor<2x8x6xf32>, %w: tensor<6x3xf32>, %b: tensor<3xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{bias must be [6] (the channels)}}
  %d = loom.depthwise_conv1d %x, %w, %b {padding_left = 1, padding_right = 1} : (tensor<2x8x6xf32>, tensor<6x3xf32>, tensor<3xf32>) -> tensor<2x8x6xf32>
  return %d : tensor<2x8x6xf32>
}

// -----

func.func @batch_norm_params(%x: tensor<2x8x6xf32>, %c: tensor<6xf32>, %v: tensor<5xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{weight, bias, running_mean and running_var must be [6] (the channels)}}
  %b = loom.batch_norm %x, %c, %c, %c, %v : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<5xf32>) -> tensor<2x8x6xf32>
  return %b : tensor<2x8x6xf32>
}

// -----

func.func @batch_norm_eps(%x: tensor<2x8x6xf32>, %c: tensor<6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{epsilon must be positive}}
  %b = loom.batch_norm %x, %c, %c, %c, %c {epsilon = 0.0 : f32} : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %b : tensor<2x8x6xf32>
}

// -----

func.func @group_norm_groups(%x: tensor<2x8x6xf32>, %c: tensor<6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{num_groups (4) must be positive and divide the channels (6)}}
  %n = loom.group_norm %x, %c, %c {num_groups = 4} : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n : tensor<2x8x6xf32>
}

// -----

func.func @embedding_ids_rank(%ids: tensor<2x6x1xi64>, %t: tensor<10x8xf32>) -> tensor<2x6x8xf32> {
  // expected-error @+1 {{ids must be [batch, seq]}}
  %e = loom.embedding %ids, %t : (tensor<2x6x1xi64>, tensor<10x8xf32>) -> tensor<2x6x8xf32>
  return %e : tensor<2x6x8xf32>
}

// -----

func.func @embedding_result(%ids: tensor<2x6xi32>, %t: tensor<10x8xf32>) -> tensor<2x6x10xf32> {
  // expected-error @+1 {{result must be [2, 6, 8]}}
  %e = loom.embedding %ids, %t : (tensor<2x6xi32>, tensor<10x8xf32>) -> tensor<2x6x10xf32>
  return %e : tensor<2x6x10xf32>
}

// -----

func.func @linear_residual(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>, %r: tensor<2x8x16xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{residual must have the result's type 'tensor<2x8x32xf32>', got 'tensor<2x8x16xf32>'}}
  %y = loom.linear %x, %w residual %r : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @glu_half(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{glu must be "first" or "second" (the half the gate's activation applies to), got "both"}}
  %y = loom.linear %x, %w glu both : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x16xf32>
  return %y : tensor<2x8x16xf32>
}

// -----

func.func @glu_odd_rows(%x: tensor<2x8x16xf32>, %w: tensor<33x16xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{a gated linear needs an even number of weight rows ([2 * f, in_features]), got 33}}
  %y = loom.linear %x, %w glu first : (tensor<2x8x16xf32>, tensor<33x16xf32>) -> tensor<2x8x16xf32>
  return %y : tensor<2x8x16xf32>
}

// -----

func.func @glu_result(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{result shape must be the input shape with the last dimension replaced by half the weight's rows (16)}}
  %y = loom.linear %x, %w glu first : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @glu_bias(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>, %b: tensor<16xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{bias must be [32]}}
  %y = loom.linear %x, %w, %b glu first : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  return %y : tensor<2x8x16xf32>
}

// -----

func.func @rope_rank(%x: tensor<8x16xf32>, %w: tensor<32x16xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{with rope, the input must be [batch, seq, in_features]}}
  %y = loom.linear %x, %w {rope_heads = 4 : i64} : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32>
  return %y : tensor<8x32xf32>
}

// -----

func.func @rope_heads(%x: tensor<2x8x16xf32>, %w: tensor<20x16xf32>) -> tensor<2x8x20xf32> {
  // expected-error @+1 {{rope_heads (4) must divide out_features (20) into heads of an even d_head}}
  %y = loom.linear %x, %w {rope_heads = 4 : i64} : (tensor<2x8x16xf32>, tensor<20x16xf32>) -> tensor<2x8x20xf32>
  return %y : tensor<2x8x20xf32>
}

// -----

func.func @rope_base(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{rope_base must be > 1}}
  %y = loom.linear %x, %w {rope_heads = 4 : i64, rope_base = 1.0 : f64} : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @rope_offset(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{rope_position_offset must be >= 0}}
  %y = loom.linear %x, %w {rope_heads = 4 : i64, rope_position_offset = -1 : i64} : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @rope_glu(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{rope cannot be combined with an epilogue or glu}}
  %y = loom.linear %x, %w glu first {rope_heads = 2 : i64} : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x16xf32>
  return %y : tensor<2x8x16xf32>
}

// -----

func.func @rope_rotary_dim_odd(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{rope_rotary_dim (3) must be even and in (0, d_head = 8]}}
  %y = loom.linear %x, %w {rope_heads = 4 : i64, rope_rotary_dim = 3 : i64} : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @rope_rotary_dim_large(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{rope_rotary_dim (10) must be even and in (0, d_head = 8]}}
  %y = loom.linear %x, %w {rope_heads = 4 : i64, rope_rotary_dim = 10 : i64} : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @rope_rotary_dim_alone(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>) -> tensor<2x8x32xf32> {
  // expected-error @+1 {{rope_rotary_dim needs rope_heads}}
  %y = loom.linear %x, %w {rope_rotary_dim = 4 : i64} : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// -----

func.func @segments_alone(%x: tensor<1x4x8xf32>, %s: tensor<4xi64>) -> tensor<1x4x8xf32> {
  // expected-error @+1 {{segment_start and segment_end come together}}
  %a = loom.attention %x, %x, %x segment_start %s {n_heads = 2 : i64} : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<4xi64>) -> tensor<1x4x8xf32>
  return %a : tensor<1x4x8xf32>
}

// -----

func.func @segments_batch(%x: tensor<2x4x8xf32>, %s: tensor<4xi64>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{segments (packed sequences) need a batch of 1 and no key_lengths, window, block_size, bias or rel_values}}
  %a = loom.attention %x, %x, %x segment_start %s segment_end %s {n_heads = 2 : i64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4xi64>, tensor<4xi64>) -> tensor<2x4x8xf32>
  return %a : tensor<2x4x8xf32>
}

// -----

func.func @pe_positions(%x: tensor<2x4x8xf32>, %p: tensor<4xi64>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{positions must be [seq], with a batch of 1 (packed sequences)}}
  %y = loom.sinusoidal_pe %x positions %p : tensor<4xi64> : tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// -----

// A dynamic length keeps its size only with "same" or causal padding.
func.func @depthwise_dynamic_valid(%x: tensor<1x?x4xf32>, %w: tensor<4x3xf32>) -> tensor<1x?x4xf32> {
  // expected-error @+1 {{a dynamic sequence needs padding_left + padding_right = kernel_size - 1}}
  %y = loom.depthwise_conv1d %x, %w : (tensor<1x?x4xf32>, tensor<4x3xf32>) -> tensor<1x?x4xf32>
  return %y : tensor<1x?x4xf32>
}
