// RUN: %loom-opt %s -split-input-file -verify-diagnostics -convert-loom-to-linalg -canonicalize -cse | FileCheck %s

// Dynamic batch and seq (`loomc -D seq=? -D batch=?`) through convert-loom-to-linalg (and
// loom-tile-and-vectorize: tile-and-vectorize-dynamic.mlir).

// The fused attention with dynamic lengths: queries padded with zero rows to whole 64-row
// blocks, keys and values to 128-key blocks; the forall runs over (batch, heads, query
// blocks) with run-time bounds; the key-block loop is split into the blocks before the one
// holding the first padded key (no mask) and the rest (keys >= the key length masked); the
// padded queries' rows are dropped.
// CHECK-DAG: #[[QPAD:.*]] = affine_map<()[s0] -> ((s0 ceildiv 64) * 64)>
// CHECK-DAG: #[[KPAD:.*]] = affine_map<()[s0] -> ((s0 ceildiv 128) * 128)>
// CHECK-LABEL: func.func @attention
// CHECK: %[[B:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[SQ:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[SQP:.*]] = affine.apply #[[QPAD]]()[%[[SQ]]]
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[0, 0, 0] [%[[B]], %[[SQ]], 8]
// CHECK: affine.apply #[[KPAD]]
// CHECK: scf.forall ({{.*}}) in (%[[B]], 2, %{{.*}}) shared_outs
// CHECK: scf.for {{.*}} -> (tensor<64x4xf32>, tensor<64xf32>, tensor<64xf32>)
// CHECK: scf.for {{.*}} -> (tensor<64x4xf32>, tensor<64xf32>, tensor<64xf32>)
// CHECK: arith.cmpi sge
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [%[[B]], %[[SQ]], 2, 4] [1, 1, 1, 1] : tensor<?x?x2x4xf32> to tensor<?x?x2x4xf32>
func.func @attention(%q: tensor<?x?x8xf32>, %k: tensor<?x?x8xf32>, %v: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %0 = loom.attention %q, %k, %v {n_heads = 2 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// T5's bias at run-time lengths: sized by its dynamic operands; the query's offset among the
// keys is seq_k - seq_q, computed when the model runs.
// CHECK-LABEL: func.func @t5
// CHECK: arith.subi %arg2, %arg1 : index
// CHECK: tensor.empty(%arg1, %arg2) : tensor<4x?x?xf32>
func.func @t5(%t: tensor<32x4xf32>, %sq: index, %sk: index) -> tensor<4x?x?xf32> {
  %b = loom.t5_bias %t, %sq, %sk {max_distance = 128 : i64} : (tensor<32x4xf32>, index, index) -> tensor<4x?x?xf32>
  return %b : tensor<4x?x?xf32>
}

// -----

// Its verifier: one size per dynamic dimension.
func.func @t5_sizes(%t: tensor<32x4xf32>, %sq: index) -> tensor<4x?x?xf32> {
  // expected-error @+1 {{needs one dynamic size per dynamic dimension of the result (2), got 1}}
  %b = loom.t5_bias %t, %sq {max_distance = 128 : i64} : (tensor<32x4xf32>, index) -> tensor<4x?x?xf32>
  return %b : tensor<4x?x?xf32>
}

// -----

// A linear on dynamic rows: the matmul's accumulator is sized by the collapsed rows.
// CHECK-LABEL: func.func @linear
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<?x?x16xf32> into tensor<?x16xf32>
// CHECK: %[[M:.*]] = tensor.dim %[[X]], %c0
// CHECK: tensor.empty(%[[M]]) : tensor<?x32xf32>
// CHECK: linalg.matmul
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [%{{.*}}, %{{.*}}, 32] : tensor<?x32xf32> into tensor<?x?x32xf32>
func.func @linear(%x: tensor<?x?x16xf32>, %w: tensor<32x16xf32>) -> tensor<?x?x32xf32> {
  %0 = loom.linear %x, %w : (tensor<?x?x16xf32>, tensor<32x16xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// An op whose lowering is static only says so for dynamic shapes (never a wrong answer).
func.func @batch_norm(%x: tensor<1x?x4xf32>, %w: tensor<4xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x?x4xf32> {
  // expected-error @+1 {{has no lowering for dynamic shapes yet}}
  %0 = loom.batch_norm %x, %w, %b, %m, %v : (tensor<1x?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x?x4xf32>
  return %0 : tensor<1x?x4xf32>
}

