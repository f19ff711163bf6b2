// RUN: %loom-opt %s -convert-loom-to-linalg="panel-width=16" | FileCheck %s
// RUN: %loom-opt %s -pass-pipeline='builtin.module(convert-loom-to-linalg{panel-width=16},func.func(loom-tile-and-vectorize{thread-tile-m=8 thread-tile-n=32 reg-tile-m=4 reg-tile-n=16}))' | FileCheck %s --check-prefix=TILED

// panel-width=16: the [32, 8] weight becomes [2, 8, 16] panels (expand to [2, 16, 8],
// transpose the last two dims) and the matmul a contraction over the output viewed as
// [M, 2, 16]: C[m, j, p] += X[m, k] * W[j, k, p].
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 * 2 + d3, d4)>
// CHECK-DAG: #[[BCOL:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1 * 2 + d3, d4)>
// CHECK-DAG: #[[TAB:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>
// CHECK-DAG: #[[PCOL:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 8 + d3)>
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

// 24 output features are not a multiple of the panel width: the weight, bias and residual
// are zero-padded to 32 (two whole panels), the contraction and its bias + residual generic
// run on [8, 2, 16], and the result, expanded to [2, 4, 32] while contiguous, is cut back
// to 24 columns.
// CHECK-LABEL: func @not_multiple
// CHECK-SAME: (%{{.*}}: tensor<2x4x8xf32>, %[[W:.*]]: tensor<24x8xf32>, %[[B:.*]]: tensor<24xf32>, %[[R:.*]]: tensor<2x4x24xf32>)
// CHECK: tensor.pad %[[W]] low[0, 0] high[8, 0]
// CHECK: } : tensor<24x8xf32> to tensor<32x8xf32>
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x16x8xf32>) outs(%{{.*}} : tensor<2x8x16xf32>) permutation = [0, 2, 1]
// CHECK: %[[MM:.*]] = linalg.generic {{.*}}"reduction"]} {{.*}} outs(%{{.*}} : tensor<8x2x16xf32>)
// CHECK: tensor.pad %[[B]] low[0] high[8]
// CHECK: tensor.pad %{{.*}} low[0, 0] high[0, 8]
// CHECK: } : tensor<8x24xf32> to tensor<8x32xf32>
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[MM]], %{{.*}}, %{{.*}} : tensor<8x2x16xf32>, tensor<2x16xf32>, tensor<8x2x16xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[E]] {{\[}}[0], [1, 2]] : tensor<8x2x16xf32> into tensor<8x32xf32>
// CHECK: %[[C3:.*]] = tensor.expand_shape %[[C]] {{\[}}[0, 1], [2]] output_shape [2, 4, 32] : tensor<8x32xf32> into tensor<2x4x32xf32>
// CHECK: tensor.extract_slice %[[C3]][0, 0, 0] [2, 4, 24] [1, 1, 1] : tensor<2x4x32xf32> to tensor<2x4x24xf32>
// CHECK-NOT: linalg.matmul
// TILED-LABEL: func @not_multiple
// TILED: vector.contract {{.*}} into vector<4x16xf32>
func.func @not_multiple(%x: tensor<2x4x8xf32>, %w: tensor<24x8xf32>, %b: tensor<24xf32>, %r: tensor<2x4x24xf32>) -> tensor<2x4x24xf32> {
  %y = loom.linear %x, %w, %b residual %r : (tensor<2x4x8xf32>, tensor<24x8xf32>, tensor<24xf32>, tensor<2x4x24xf32>) -> tensor<2x4x24xf32>
  return %y : tensor<2x4x24xf32>
}

// The same with a dynamic batch and length: the padded rows are expanded back to
// [?, ?, 32] before the cut (a strided buffer cannot be expanded into dynamic dims).
// CHECK-LABEL: func @not_multiple_dynamic
// CHECK: %[[D3:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [%{{.*}}, %{{.*}}, 32] : tensor<?x32xf32> into tensor<?x?x32xf32>
// CHECK: tensor.extract_slice %[[D3]][0, 0, 0] [%{{.*}}, %{{.*}}, 24] [1, 1, 1] : tensor<?x?x32xf32> to tensor<?x?x24xf32>
func.func @not_multiple_dynamic(%x: tensor<?x?x8xf32>, %w: tensor<24x8xf32>) -> tensor<?x?x24xf32> {
  %y = loom.linear %x, %w : (tensor<?x?x8xf32>, tensor<24x8xf32>) -> tensor<?x?x24xf32>
  return %y : tensor<?x?x24xf32>
}

// A gated linear (glu first): the weight's halves are two panel contractions of the same
// shape, and one generic adds their biases, applies the epilogue to the gate and
// multiplies: exp(x Wg^T + bg) * (x Wu^T + bu).
// CHECK-LABEL: func @gated
// CHECK-SAME: (%{{.*}}: tensor<2x4x8xf32>, %[[W:.*]]: tensor<64x8xf32>, %[[B:.*]]: tensor<64xf32>)
// CHECK: tensor.extract_slice %[[W]][0, 0] [32, 8]
// CHECK: %[[G:.*]] = linalg.generic {{.*}}"reduction"]} {{.*}} outs(%{{.*}} : tensor<8x2x16xf32>)
// CHECK: tensor.extract_slice %[[W]][32, 0] [32, 8]
// CHECK: %[[U:.*]] = linalg.generic {{.*}}"reduction"]} {{.*}} outs(%{{.*}} : tensor<8x2x16xf32>)
// CHECK: tensor.extract_slice %[[B]][0] [32]
// CHECK: tensor.extract_slice %[[B]][32] [32]
// CHECK: linalg.generic {{.*}} ins(%[[G]], %[[U]], %{{.*}}, %{{.*}} : tensor<8x2x16xf32>, tensor<8x2x16xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%{{.*}} : tensor<8x2x16xf32>)
// CHECK-NEXT: ^bb0(%[[VG:.*]]: f32, %[[VU:.*]]: f32, %[[BG:.*]]: f32, %[[BU:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[ZG:.*]] = arith.addf %[[VG]], %[[BG]]
// CHECK-NEXT: %[[ZU:.*]] = arith.addf %[[VU]], %[[BU]]
// CHECK-NEXT: %[[E:.*]] = math.exp %[[ZG]]
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[E]], %[[ZU]]
// CHECK-NEXT: linalg.yield %[[P]]
// CHECK: tensor.collapse_shape {{.*}} : tensor<8x2x16xf32> into tensor<8x32xf32>

// Tiled: one scf.forall; each tile computes its gate and up panels (fill and register
// tiles) and then the gating on them; neither matmul is left outside.
// TILED-LABEL: func @gated
// TILED: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (8, 2) step (8, 2)
// TILED-NOT: scf.forall.in_parallel
// TILED-COUNT-2: vector.contract {{.*}} into vector<4x16xf32>
// TILED-NOT: scf.forall.in_parallel
// TILED: math.exp
// TILED: arith.mulf
// TILED: scf.forall.in_parallel
// TILED-NOT: linalg.generic
// TILED: return
func.func @gated(%x: tensor<2x4x8xf32>, %w: tensor<64x8xf32>, %b: tensor<64xf32>) -> tensor<2x4x32xf32> {
  %y = loom.linear %x, %w, %b glu first epilogue {
  ^bb0(%v: f32):
    %e = math.exp %v : f32
    loom.yield %e : f32
  } : (tensor<2x4x8xf32>, tensor<64x8xf32>, tensor<64xf32>) -> tensor<2x4x32xf32>
  return %y : tensor<2x4x32xf32>
}

// glu second with a residual, 24 features (not a multiple of the panel width): two plain
// matmuls on the halves' transposes; the gate is the second: x Wa^T * exp(x Wb^T) + r.
// CHECK-LABEL: func @gated_plain
// CHECK: %[[A:.*]] = linalg.matmul
// CHECK: %[[GB:.*]] = linalg.matmul
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[GB]], %{{.*}} : tensor<8x24xf32>, tensor<8x24xf32>, tensor<8x24xf32>)
// CHECK-NEXT: ^bb0(%[[VA:.*]]: f32, %[[VB:.*]]: f32, %[[R:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[E:.*]] = math.exp %[[VB]]
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[VA]], %[[E]]
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[P]], %[[R]]
// CHECK-NEXT: linalg.yield %[[S]]
// TILED-LABEL: func @gated_plain
// TILED: scf.forall
// TILED-NOT: scf.forall.in_parallel
// TILED-COUNT-2: vector.contract
// TILED-NOT: scf.forall.in_parallel
// TILED: math.exp
// TILED: scf.forall.in_parallel
// TILED-NOT: linalg.generic
// TILED: return
func.func @gated_plain(%x: tensor<2x4x8xf32>, %w: tensor<48x8xf32>, %r: tensor<2x4x24xf32>) -> tensor<2x4x24xf32> {
  %y = loom.linear %x, %w glu second residual %r epilogue {
  ^bb0(%v: f32):
    %e = math.exp %v : f32
    loom.yield %e : f32
  } : (tensor<2x4x8xf32>, tensor<48x8xf32>, tensor<2x4x24xf32>) -> tensor<2x4x24xf32>
  return %y : tensor<2x4x24xf32>
}

// A rotated projection (rope_heads = 2, d_head 64): the rows of every head's first half
// ([2, 2, 32, K] at half 0) and of its second half are two panel contractions of 64
// columns; one generic over [M, head, half, panel of the half, lane] reads both at column
// head * 32 + panel * 16 + lane, adds the halves' biases, and rotates with the [M, 2, 16]
// cos and sin tables of position (row mod seq) + offset; its output is the result's own
// column order.
// CHECK-LABEL: func @rotated
// CHECK-SAME: (%{{.*}}: tensor<2x4x8xf32>, %[[W:.*]]: tensor<128x8xf32>, %[[B:.*]]: tensor<128xf32>)
// CHECK: %[[WH:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1, 2], [3]] output_shape [2, 2, 32, 8]
// CHECK: tensor.extract_slice %[[WH]][0, 0, 0, 0] [2, 1, 32, 8]
// CHECK: %[[ZA:.*]] = linalg.generic {{.*}}"reduction"]} {{.*}} outs(%{{.*}} : tensor<8x4x16xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 1, 0, 0] [2, 1, 32, 8]
// CHECK: %[[ZB:.*]] = linalg.generic {{.*}}"reduction"]} {{.*}} outs(%{{.*}} : tensor<8x4x16xf32>)
// CHECK: %[[COS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<8x2x16xf32>)
// CHECK: %[[ROW:.*]] = linalg.index 0
// CHECK: %[[ROW64:.*]] = arith.index_cast %[[ROW]]
// CHECK: %[[POS:.*]] = arith.remsi %[[ROW64]], %{{.*}} : i64
// CHECK: arith.constant 3 : i64
// CHECK: math.cos
// CHECK: %[[SIN:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<8x2x16xf32>)
// CHECK: math.sin
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[COL]], #[[COL]], #[[BCOL]], #[[BCOL]], #[[TAB]], #[[TAB]], #{{.*}}], {{.*}} ins(%[[ZA]], %[[ZB]], %{{.*}}, %{{.*}}, %[[COS]], %[[SIN]] : {{.*}}) outs(%{{.*}} : tensor<8x2x2x2x16xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[BB:.*]]: f32, %[[BA:.*]]: f32, %[[BBB:.*]]: f32, %[[C:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[A1:.*]] = arith.addf %[[A]], %[[BA]]
// CHECK-NEXT: %[[B1:.*]] = arith.addf %[[BB]], %[[BBB]]
// CHECK-NEXT: %[[HALF:.*]] = linalg.index 2
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[HALF]]
// CHECK-NEXT: %[[SELF:.*]] = arith.select %[[FIRST]], %[[A1]], %[[B1]]
// CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[B1]]
// CHECK-NEXT: %[[OTHER:.*]] = arith.select %[[FIRST]], %[[NEG]], %[[A1]]
// CHECK-NEXT: %[[X:.*]] = arith.mulf %[[SELF]], %[[C]]
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[OTHER]], %[[S]]
// CHECK-NEXT: %[[O:.*]] = arith.addf %[[X]], %[[Y]]
// CHECK-NEXT: linalg.yield %[[O]]
// CHECK: tensor.collapse_shape %[[R]] {{\[}}[0], [1, 2, 3, 4]] : tensor<8x2x2x2x16xf32> into tensor<8x128xf32>

// Tiled: one scf.forall over (rows, heads) computes both halves' panels of its heads and
// rotates them in 16-lane vectors.
// TILED-LABEL: func @rotated
// TILED: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (8, 2) step (8, 1)
// TILED-NOT: scf.forall.in_parallel
// TILED-COUNT-2: vector.contract {{.*}} into vector<4x16xf32>
// TILED-NOT: scf.forall.in_parallel
// TILED: arith.select {{.*}} : vector<16xi1>, vector<16xf32>
// TILED: scf.forall.in_parallel
// TILED-NOT: linalg.generic
// TILED: return
func.func @rotated(%x: tensor<2x4x8xf32>, %w: tensor<128x8xf32>, %b: tensor<128xf32>) -> tensor<2x4x128xf32> {
  %y = loom.linear %x, %w, %b {rope_heads = 2 : i64, rope_position_offset = 3 : i64} : (tensor<2x4x8xf32>, tensor<128x8xf32>, tensor<128xf32>) -> tensor<2x4x128xf32>
  return %y : tensor<2x4x128xf32>
}

// Heads of 16 (halves of 8 features, less than a panel): plain matmuls, the generic over
// [M, head, half, feature] reads column head * 8 + feature.
// CHECK-LABEL: func @rotated_plain
// CHECK: %[[ZA:.*]] = linalg.matmul {{.*}} -> tensor<8x16xf32>
// CHECK: %[[ZB:.*]] = linalg.matmul {{.*}} -> tensor<8x16xf32>
// CHECK: linalg.generic {indexing_maps = [#[[PCOL]], #[[PCOL]], #{{.*}}, #{{.*}}, #{{.*}}]{{.*}} ins(%[[ZA]], %[[ZB]], %{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x8xf32>, tensor<8x8xf32>) outs(%{{.*}} : tensor<8x2x2x8xf32>)
// TILED-LABEL: func @rotated_plain
// TILED: scf.forall
// TILED-COUNT-2: vector.contract
// TILED: scf.forall.in_parallel
// TILED-NOT: linalg.generic
// TILED: return
func.func @rotated_plain(%x: tensor<2x4x8xf32>, %w: tensor<32x8xf32>) -> tensor<2x4x32xf32> {
  %y = loom.linear %x, %w {rope_heads = 2 : i64} : (tensor<2x4x8xf32>, tensor<32x8xf32>) -> tensor<2x4x32xf32>
  return %y : tensor<2x4x32xf32>
}

// Partial rotary (rope_rotary_dim = 6 of d_head 16): the tables' frequencies are
// base^(-2i / 6) (the exponent's factor -ln(10000) / 6), and the pairs from the third on
// pass through (cos 1, sin 0).
// CHECK-LABEL: func @rotated_partial
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<8x8xf32>)
// CHECK: %[[PAIR:.*]] = linalg.index 1
// CHECK: %[[I:.*]] = arith.index_cast %[[PAIR]] : index to i64
// CHECK: arith.constant -1.53505671 : f32
// CHECK: %[[COS:.*]] = math.cos
// CHECK: %[[IN:.*]] = arith.cmpi slt, %[[I]], %{{.*}} : i64
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: arith.select %[[IN]], %[[COS]], %[[ONE]] : f32
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<8x8xf32>)
// CHECK: %[[SIN:.*]] = math.sin
// CHECK: %[[IN2:.*]] = arith.cmpi slt
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: arith.select %[[IN2]], %[[SIN]], %[[ZERO]] : f32
func.func @rotated_partial(%x: tensor<2x4x8xf32>, %w: tensor<32x8xf32>) -> tensor<2x4x32xf32> {
  %y = loom.linear %x, %w {rope_heads = 2 : i64, rope_rotary_dim = 6 : i64} : (tensor<2x4x8xf32>, tensor<32x8xf32>) -> tensor<2x4x32xf32>
  return %y : tensor<2x4x32xf32>
}
