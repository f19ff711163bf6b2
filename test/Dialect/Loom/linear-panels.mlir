// RUN: %loom-opt %s -convert-loom-to-linalg="panel-width=16" | FileCheck %s
// RUN: %loom-opt %s -pass-pipeline='builtin.module(convert-loom-to-linalg{panel-width=16},func.func(loom-tile-and-vectorize{thread-tile-m=8 thread-tile-n=32 reg-tile-m=4 reg-tile-n=16}))' | FileCheck %s --check-prefix=TILED

// panel-width=16: the [32, 8] weight becomes [2, 8, 16] panels (expand to [2, 16, 8],
// transpose the last two dims) and the matmul a contraction over the output viewed as
// [M, 2, 16]: C[m, j, p] += X[m, k] * W[j, k, p].
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func @packed
// CHECK: %[[W3:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [2, 16, 8] : tensor<32x8xf32> into tensor<2x16x8xf32>
// CHECK: %[[PANELS:.*]] = linalg.transpose ins(%[[W3]] : tensor<2x16x8xf32>) outs(%{{.*}} : tensor<2x8x16xf32>) permutation = [0, 2, 1]
// CHECK: %[[MM:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[PANELS]] : tensor<8x8xf32>, tensor<2x8x16xf32>) outs(%{{.*}} : tensor<8x2x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[MM]] {{\[}}[0], [1, 2]] : tensor<8x2x16xf32> into tensor<8x32xf32>
// CHECK-NOT: linalg.matmul

// TILED-LABEL: func @packed
// TILED: scf.forall
// TILED: scf.for %{{.*}} = %c0 to %c2 step %c1
// TILED: vector.contract {{.*}} into vector<4x16xf32>
// TILED-NOT: linalg.generic {{.*}}"reduction"
func.func @packed(%x: tensor<2x4x8xf32>, %w: tensor<32x8xf32>) -> tensor<2x4x32xf32> {
  %y = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<32x8xf32>) -> tensor<2x4x32xf32>
  return %y : tensor<2x4x32xf32>
}

// 24 output features are not a multiple of the panel width: the plain transposed weight
// and linalg.matmul.
// CHECK-LABEL: func @not_multiple
// CHECK: linalg.transpose {{.*}} permutation = [1, 0]
// CHECK: linalg.matmul
// TILED-LABEL: func @not_multiple
// TILED: vector.contract
func.func @not_multiple(%x: tensor<2x4x8xf32>, %w: tensor<24x8xf32>) -> tensor<2x4x24xf32> {
  %y = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<24x8xf32>) -> tensor<2x4x24xf32>
  return %y : tensor<2x4x24xf32>
}
