// RUN: %loom-opt %s -split-input-file -verify-diagnostics -pass-pipeline='builtin.module(func.func(loom-remove-padding))' | FileCheck %s

// loom-remove-padding on an entry with a dynamic batch and seq and key lengths: a
// preamble builds each packed row's example, position and sequence bounds from the
// lengths (scalar loops over the examples and their rows, plus one spare row); the input
// is gathered into [1, T, d] (cast back to its [?, ?, d] type), the attention masked by
// the lengths becomes attention over segments, the position encoding reads each row's
// position, and the result is scattered back to [batch, seq, d] with zero padded rows.
// CHECK-LABEL: func.func @entry
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32> {{.*}}, %[[LEN:.*]]: tensor<?xi64>
// CHECK: %[[SUMS:.*]]:3 = scf.for
// CHECK: tensor.extract %[[LEN]]
// CHECK: %[[ROWS:.*]]:4 = scf.for
// CHECK: scf.for
// CHECK-COUNT-4: tensor.insert
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%[[ROWS]]#0, %[[ROWS]]#1 : tensor<?xi64>, tensor<?xi64>) outs(%{{.*}} : tensor<1x?x8xf32>)
// CHECK: tensor.extract %[[X]]
// CHECK: %[[P:.*]] = tensor.cast %[[G]] : tensor<1x?x8xf32> to tensor<?x?x8xf32>
// CHECK: %[[PE:.*]] = loom.sinusoidal_pe %[[P]] positions %[[ROWS]]#1 : tensor<?xi64>
// CHECK: %[[A:.*]] = loom.attention %[[PE]], %[[PE]], %[[PE]] segment_start %[[ROWS]]#2 segment_end %[[ROWS]]#3
// CHECK-NOT: key_lengths
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[SUMS]]#2, %[[SUMS]]#1 : tensor<?xi64>, tensor<?xi64>)
// CHECK: arith.select
// CHECK: return %[[OUT]]
func.func @entry(%x: tensor<?x?x8xf32> {loom.dynamic_dims = ["batch", "seq", ""], loom.input = "x"},
                 %len: tensor<?xi64> {loom.dynamic_dims = ["batch"], loom.index_bound_dim = "seq", loom.index_bound_plus = 1 : i64, loom.input = "lengths"})
    -> (tensor<?x?x8xf32> {loom.dynamic_dims = ["batch", "seq", ""]}) attributes {loom.entry} {
  %p = loom.sinusoidal_pe %x : tensor<?x?x8xf32>
  %a = loom.attention %p, %p, %p key_lengths %len {n_heads = 2 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?xi64>) -> tensor<?x?x8xf32>
  return %a : tensor<?x?x8xf32>
}

// -----

// A function that is not the entry is left alone.
// CHECK-LABEL: func.func @helper
// CHECK-NOT: scf.for
// CHECK: loom.attention %{{.*}} key_lengths
func.func @helper(%x: tensor<?x?x8xf32>, %len: tensor<?xi64>) -> tensor<?x?x8xf32> {
  %a = loom.attention %x, %x, %x key_lengths %len {n_heads = 2 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?xi64>) -> tensor<?x?x8xf32>
  return %a : tensor<?x?x8xf32>
}

// -----

// A convolution over the sequence would read other sequences' rows once packed.
func.func @conv(%x: tensor<?x?x8xf32> {loom.dynamic_dims = ["batch", "seq", ""], loom.input = "x"},
                %len: tensor<?xi64> {loom.dynamic_dims = ["batch"], loom.index_bound_dim = "seq", loom.index_bound_plus = 1 : i64, loom.input = "lengths"},
                %w: tensor<8x3xf32>)
    -> (tensor<?x?x8xf32> {loom.dynamic_dims = ["batch", "seq", ""]}) attributes {loom.entry} {
  // expected-error @+1 {{cannot remove padding: 'loom.depthwise_conv1d' reads across the rows of a sequence or their absolute positions, which packing would change}}
  %c = loom.depthwise_conv1d %x, %w {padding_left = 1, padding_right = 1} : (tensor<?x?x8xf32>, tensor<8x3xf32>) -> tensor<?x?x8xf32>
  %a = loom.attention %c, %c, %c key_lengths %len {n_heads = 2 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?xi64>) -> tensor<?x?x8xf32>
  return %a : tensor<?x?x8xf32>
}

// -----

// Attention that reads the padded keys (neither masked by the lengths nor causal): its
// valid rows depend on the padding.
func.func @unmasked(%x: tensor<?x?x8xf32> {loom.dynamic_dims = ["batch", "seq", ""], loom.input = "x"},
                    %len: tensor<?xi64> {loom.dynamic_dims = ["batch"], loom.index_bound_dim = "seq", loom.index_bound_plus = 1 : i64, loom.input = "lengths"})
    -> (tensor<?x?x8xf32> {loom.dynamic_dims = ["batch", "seq", ""]}) attributes {loom.entry} {
  // expected-error @+1 {{cannot remove padding: attention must mask its keys by the lengths (or be causal)}}
  %a = loom.attention %x, %x, %x {n_heads = 2 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %a : tensor<?x?x8xf32>
}

// -----

// Without a lengths input there is nothing to remove.
// expected-error @+1 {{cannot remove padding: the model needs a lengths input [batch] that masks the keys (sdpa's key_lengths)}}
func.func @no_lengths(%x: tensor<?x?x8xf32> {loom.dynamic_dims = ["batch", "seq", ""], loom.input = "x"})
    -> (tensor<?x?x8xf32> {loom.dynamic_dims = ["batch", "seq", ""]}) attributes {loom.entry} {
  %a = loom.attention %x, %x, %x {n_heads = 2 : i64, causal = true} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %a : tensor<?x?x8xf32>
}
