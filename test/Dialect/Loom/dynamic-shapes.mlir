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

// An op whose lowering is static only says so for dynamic shapes (never a wrong answer):
// greedy decoding over a dynamic batch.
func.func @greedy_decode_dynamic_batch(%n: index) {
  // expected-error @+1 {{has no lowering for dynamic shapes yet}}
  %ids, %logits = loom.greedy_decode {bos = 1 : i64, eos = 2 : i64, max_len = 4 : i64}
      : () -> (tensor<?x4xi64>, tensor<?x4x5xf32>) {
  ^bb0(%prev: tensor<?x1xi64>, %pos: index):
    %e = tensor.empty(%n) : tensor<?x1x5xf32>
    loom.yield %e : tensor<?x1x5xf32>
  }
  return
}

// -----

// The Conformer's depthwise convolution over a dynamic length: the zero padding's result is
// as long as the input plus the kernel's halo, the output as long as the input.
// CHECK-LABEL: func.func @depthwise_conv1d
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x6xf32>
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK: tensor.pad %[[X]] low[0, 1, 0] high[0, 1, 0]
// CHECK: tensor<?x?x6xf32> to tensor<?x?x6xf32>
// CHECK: tensor.empty(%[[B]], %[[T]]) : tensor<?x?x6xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// CHECK-SAME: ins(%padded, %{{.*}} : tensor<?x?x6xf32>, tensor<3x6xf32>) outs(%{{.*}} : tensor<?x?x6xf32>)
func.func @depthwise_conv1d(%x: tensor<?x?x6xf32>, %w: tensor<6x3xf32>, %c: tensor<6xf32>) -> tensor<?x?x6xf32> {
  %0 = loom.depthwise_conv1d %x, %w, %c {padding_left = 1, padding_right = 1} : (tensor<?x?x6xf32>, tensor<6x3xf32>, tensor<6xf32>) -> tensor<?x?x6xf32>
  return %0 : tensor<?x?x6xf32>
}

// -----

// GroupNorm over a dynamic length: each group averages over length * channels / groups
// elements, a count computed at run time.
// CHECK-LABEL: func.func @group_norm
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x6xf32>
// CHECK: %[[T:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[N:.*]] = arith.muli %[[T]], %c2
// CHECK: %[[NI:.*]] = arith.index_castui %[[N]] : index to i64
// CHECK: %[[NF:.*]] = arith.uitofp %[[NI]] : i64 to f32
// CHECK: %[[INV:.*]] = arith.divf %cst{{.*}}, %[[NF]] : f32
// CHECK: tensor.expand_shape %[[X]] {{\[\[}}0], [1], [2, 3]] output_shape [%{{.*}}, %[[T]], 3, 2]
// CHECK: arith.mulf %{{.*}}, %[[INV]] : f32
func.func @group_norm(%x: tensor<?x?x6xf32>, %w: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<?x?x6xf32> {
  %0 = loom.group_norm %x, %w, %b {num_groups = 3} : (tensor<?x?x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x?x6xf32>
  return %0 : tensor<?x?x6xf32>
}

// -----

// Transformer-XL's position term over dynamic lengths: the distances' table is computed for
// the run-time seq_k (sinusoidal_table with a dynamic size), and relative_logits with
// max_distance 0 takes k = seq_k, and the queries' offset among the keys, seq_k - seq_q, from
// the result's run-time sizes.
// CHECK-LABEL: func.func @xl_position_term
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x8xf32>, %[[SK:.*]]: index)
// CHECK: %[[ROWS:.*]] = arith.muli %[[SK]], %c2
// CHECK: %[[TABLE:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?x8xf32>)
// CHECK: math.cos
// CHECK: %[[SQ:.*]] = tensor.dim %[[Q]], %c1
// CHECK: arith.subi %[[SK]], %[[SQ]]
// CHECK: tensor.empty(%{{.*}}, %[[SQ]], %[[SK]]) : tensor<?x2x?x?xf32>
// CHECK: linalg.generic
// CHECK-NOT: arith.minsi
// CHECK: tensor.extract %[[TABLE]]
func.func @xl_position_term(%q: tensor<?x?x8xf32>, %sk: index) -> tensor<?x2x?x?xf32> {
  %c2 = arith.constant 2 : index
  %twice = arith.muli %sk, %c2 : index
  %r = loom.sinusoidal_table %twice : tensor<?x8xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b0 = tensor.dim %q, %c0 : tensor<?x?x8xf32>
  %sq = tensor.dim %q, %c1 : tensor<?x?x8xf32>
  %b = loom.relative_logits %q, %r, %b0, %sq, %sk {n_heads = 2 : i64, max_distance = 0 : i64, scale = 0.5 : f32, mode = "c2p"} : (tensor<?x?x8xf32>, tensor<?x8xf32>, index, index, index) -> tensor<?x2x?x?xf32>
  return %b : tensor<?x2x?x?xf32>
}

// -----

// Attention over packed sequences (loom-remove-padding): a query block's key blocks run
// from its first row's sequence start to its last row's sequence end (others skipped), and
// inside them keys outside each query's own sequence are masked.
// CHECK-LABEL: func.func @segments
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>, %[[S:.*]]: tensor<?xi64>, %[[E:.*]]: tensor<?xi64>)
// CHECK: scf.forall
// CHECK: %[[S0:.*]] = tensor.extract %[[S]]
// CHECK: %[[KB0:.*]] = arith.divui %{{.*}}, %c64
// CHECK: tensor.extract %[[E]]
// CHECK: scf.for %{{.*}} = %[[KB0]] to
// CHECK: linalg.generic
// CHECK: tensor.extract %[[S]]
// CHECK: tensor.extract %[[E]]
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi sge
func.func @segments(%x: tensor<?x?x8xf32>, %s: tensor<?xi64>, %e: tensor<?xi64>) -> tensor<?x?x8xf32> {
  %a = loom.attention %x, %x, %x segment_start %s segment_end %e {n_heads = 2 : i64, causal = true} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?xi64>, tensor<?xi64>) -> tensor<?x?x8xf32>
  return %a : tensor<?x?x8xf32>
}
