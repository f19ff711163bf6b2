// RUN: %loom-opt %s -convert-loom-to-linalg | FileCheck %s

// CHECK-DAG: #[[SHIFTED:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 + d2, d3)>
// CHECK-DAG: #[[TAPS:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[CONV_OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[GN_IN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>
// CHECK-DAG: #[[GN_STAT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>

// glu: the two halves of the last dimension, a / (1 + exp(-b)).
// CHECK-LABEL: func @glu
// CHECK: %[[A:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0] [2, 8, 6] [1, 1, 1]
// CHECK: %[[B:.*]] = tensor.extract_slice %{{.*}}[0, 0, 6] [2, 8, 6] [1, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[B]] :
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.divf
func.func @glu(%x: tensor<2x8x12xf32>) -> tensor<2x8x6xf32> {
  %g = loom.glu %x : (tensor<2x8x12xf32>) -> tensor<2x8x6xf32>
  return %g : tensor<2x8x6xf32>
}

// depthwise conv: zero padding, the bias broadcast as the accumulator, the weight
// transposed to [K, C], then loops (b, t, k, c) with the channels innermost (stride 1 in
// every operand, so it vectorizes over channels) reading x at t + k.
// CHECK-LABEL: func @depthwise_conv
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x6xf32>, %[[W:.*]]: tensor<6x3xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 2, 0] high[0, 0, 0]
// CHECK: } : tensor<2x8x6xf32> to tensor<2x10x6xf32>
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<6xf32>)
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<6x3xf32>) outs(%{{.*}} : tensor<3x6xf32>) permutation = [1, 0]
// CHECK: linalg.generic {indexing_maps = [#[[SHIFTED]], #[[TAPS]], #[[CONV_OUT]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%[[P]], %[[WT]] : tensor<2x10x6xf32>, tensor<3x6xf32>) outs(%[[ACC]] : tensor<2x8x6xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @depthwise_conv(%x: tensor<2x8x6xf32>, %w: tensor<6x3xf32>, %b: tensor<6xf32>) -> tensor<2x8x6xf32> {
  %d = loom.depthwise_conv1d %x, %w, %b {padding_left = 2} : (tensor<2x8x6xf32>, tensor<6x3xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %d : tensor<2x8x6xf32>
}

// Without padding there is no tensor.pad, and without a bias the accumulator is a zero fill.
// CHECK-LABEL: func @conv_valid
// CHECK-NOT: tensor.pad
// CHECK: linalg.fill
// CHECK: linalg.generic
func.func @conv_valid(%x: tensor<2x8x6xf32>, %w: tensor<6x3xf32>) -> tensor<2x6x6xf32> {
  %d = loom.depthwise_conv1d %x, %w : (tensor<2x8x6xf32>, tensor<6x3xf32>) -> tensor<2x6x6xf32>
  return %d : tensor<2x6x6xf32>
}

// batch_norm (unfolded): per-channel scale and shift from the parameters alone, then x*s + t.
// CHECK-LABEL: func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x6xf32>, %[[G:.*]]: tensor<6xf32>, %[[BE:.*]]: tensor<6xf32>, %[[M:.*]]: tensor<6xf32>, %[[V:.*]]: tensor<6xf32>)
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[G]], %[[V]] :
// CHECK: math.rsqrt
// CHECK: %[[T:.*]] = linalg.generic {{.*}} ins(%[[BE]], %[[M]], %[[S]] :
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[S]], %[[T]] : tensor<16x6xf32>, tensor<6xf32>, tensor<6xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @batch_norm(%x: tensor<2x8x6xf32>, %g: tensor<6xf32>, %be: tensor<6xf32>, %m: tensor<6xf32>, %v: tensor<6xf32>) -> tensor<2x8x6xf32> {
  %n = loom.batch_norm %x, %g, %be, %m, %v : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n : tensor<2x8x6xf32>
}

// group_norm: [2, 8, 6] viewed as [2, 8, 3 groups, 2]; sums over (seq, channel in group)
// per (example, group), then the normalisation.
// CHECK-LABEL: func @group_norm
// CHECK: %[[X4:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2, 3]] output_shape [2, 8, 3, 2]
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[GN_IN]], #[[GN_STAT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[X4]] : tensor<2x8x3x2xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} ins(%[[X4]], %[[SUM]] :
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X4]], %[[SUM]], %[[SQ]], %{{.*}}, %{{.*}} : tensor<2x8x3x2xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
// CHECK: math.rsqrt
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3]]
func.func @group_norm(%x: tensor<2x8x6xf32>, %g: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<2x8x6xf32> {
  %n = loom.group_norm %x, %g, %b {num_groups = 3} : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n : tensor<2x8x6xf32>
}

// embedding: one generic over (b, s, d) reading the id at (b, s) and extracting the table
// row it names, times the scale.
// CHECK-LABEL: func @embedding
// CHECK-SAME: (%[[IDS:.*]]: tensor<2x6xi32>, %[[T:.*]]: tensor<10x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[IDS]] : tensor<2x6xi32>) outs(%{{.*}} : tensor<2x6x8xf32>)
// CHECK: ^bb0(%[[ID:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[ROW:.*]] = arith.index_cast %[[ID]] : i32 to index
// CHECK: %[[D:.*]] = linalg.index 2
// CHECK: %[[V:.*]] = tensor.extract %[[T]][%[[ROW]], %[[D]]]
// CHECK: arith.mulf %[[V]], %{{.*}}
func.func @embedding(%ids: tensor<2x6xi32>, %t: tensor<10x8xf32>) -> tensor<2x6x8xf32> {
  %e = loom.embedding %ids, %t {scale = 2.0 : f32} : (tensor<2x6xi32>, tensor<10x8xf32>) -> tensor<2x6x8xf32>
  return %e : tensor<2x6x8xf32>
}
