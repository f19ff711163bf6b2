// RUN: %loom-opt %s -convert-loom-to-linalg | FileCheck %s
// RUN: %loom-opt %s -pass-pipeline='builtin.module(convert-loom-to-linalg,func.func(loom-tile-and-vectorize{thread-tile-m=8 thread-tile-n=32 reg-tile-m=4 reg-tile-n=16}))' | FileCheck %s --check-prefix=TILED

// CHECK-DAG: #[[KEY:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
// CHECK-DAG: #[[QUERY:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[FEAT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d4)>
// CHECK-DAG: #[[EX:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0)>
// CHECK-DAG: #[[POS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[BLOCK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>

// md_attention in blocks of 4 over 10 positions: each operand zero-padded to 12 and viewed
// as [2, 3, 4, 8]; one generic over (b, n, i, j, f) with j the reduction accumulates the
// numerator and the denominator (the key is visible if j > i (backward) and both positions
// are below min(length, 10)); then num / den where den > 0, and the first 10 rows.
// CHECK-LABEL: func @md_blocks
// CHECK-COUNT-3: tensor.pad %{{.*}} low[0, 0, 0] high[0, 2, 0]
// CHECK: %[[MD:.*]]:2 = linalg.generic {indexing_maps = [#[[KEY]], #[[QUERY]], #[[KEY]], #[[FEAT]], #[[EX]], #[[QUERY]], #[[QUERY]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: ins({{.*}} : tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<2x3x4x8xf32>, tensor<8xf32>, tensor<2xi64>)
// CHECK: %[[I:.*]] = linalg.index 2
// CHECK: %[[J:.*]] = linalg.index 3
// CHECK: arith.cmpi ugt, %[[J]], %[[I]]
// CHECK: arith.minui
// CHECK: math.tanh
// CHECK: math.exp
// CHECK-COUNT-2: arith.select
// CHECK: linalg.yield
// CHECK: arith.divf %{{.*}}, %{{.*}}
// CHECK: tensor.collapse_shape {{.*}} into tensor<2x12x8xf32>
// CHECK: tensor.extract_slice {{.*}}[0, 0, 0] [2, 10, 8] [1, 1, 1] : tensor<2x12x8xf32> to tensor<2x10x8xf32>
func.func @md_blocks(%v: tensor<2x10x8xf32>, %fb: tensor<8xf32>, %len: tensor<2xi64>) -> tensor<2x10x8xf32> {
  %r = loom.md_attention %v, %v, %v, %fb key_lengths %len {block_len = 4 : i64, direction = "backward"} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<8xf32>, tensor<2xi64>) -> tensor<2x10x8xf32>
  return %r : tensor<2x10x8xf32>
}

// One block of the whole sequence (block_len 0) needs no padding: [2, 8, 16] is viewed as
// [2, 1, 8, 16]; without key_lengths every position below 8 is valid.
// Tiled: one scf.forall over the rows, the keys a loop, each key a vector over the
// features (tanh and exp on vector<16xf32>) with the scalar mask broadcast; no generic left.
// CHECK-LABEL: func @md_whole
// CHECK-NOT: tensor.pad
// CHECK: tensor.expand_shape %{{.*}} output_shape [2, 1, 8, 16]
// CHECK: arith.cmpi ne
// CHECK-NOT: tensor.extract_slice
// CHECK: return
// TILED-LABEL: func @md_whole
// TILED: scf.forall
// TILED: math.tanh %{{.*}} : vector<16xf32>
// TILED: math.exp %{{.*}} : vector<16xf32>
// TILED: vector.broadcast %{{.*}} : i1 to vector<16xi1>
// TILED: scf.forall.in_parallel
// TILED-NOT: linalg.generic
// TILED: return
func.func @md_whole(%v: tensor<2x8x16xf32>, %fb: tensor<16xf32>) -> tensor<2x8x16xf32> {
  %r = loom.md_attention %v, %v, %v, %fb {direction = "diag"} : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  return %r : tensor<2x8x16xf32>
}

// source2token per block of 4: the valid logits' maximum per (b, n, f) from -inf, then
// numerator and denominator of exp(logit - max) in one generic, then num / den [2, 3, 8].
// CHECK-LABEL: func @s2t_blocks
// CHECK: %[[NINF:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x3x8xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[POS]], #[[BLOCK]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} {{.*}} outs(%[[NINF]] : tensor<2x3x8xf32>)
// CHECK: arith.maximumf
// CHECK: %[[ACC:.*]]:2 = linalg.generic {indexing_maps = [#[[POS]], #[[POS]], #[[BLOCK]], #[[BLOCK]], #[[BLOCK]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%{{.*}}, %{{.*}}, %[[MAX]] :
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[ACC]]#0, %[[ACC]]#1 : tensor<2x3x8xf32>, tensor<2x3x8xf32>)
// CHECK: arith.divf
func.func @s2t_blocks(%v: tensor<2x10x8xf32>, %l: tensor<2x10x8xf32>) -> tensor<2x3x8xf32> {
  %r = loom.source2token %v, %l {block_len = 4 : i64} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>) -> tensor<2x3x8xf32>
  return %r : tensor<2x3x8xf32>
}

// A dynamic length: ceil(seq / 4) blocks and the padding to them computed at run time.
// CHECK-LABEL: func @s2t_dynamic
// CHECK: %[[S:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<2x?x8xf32>
// CHECK: %[[N:.*]] = arith.ceildivui %[[S]], %{{.*}} : index
// CHECK: tensor.pad %{{.*}} low[0, 0, 0] high[0, %{{.*}}, 0]
// CHECK: tensor.expand_shape %{{.*}} output_shape [2, %[[N]], 4, 8] : tensor<2x?x8xf32> into tensor<2x?x4x8xf32>
func.func @s2t_dynamic(%v: tensor<2x?x8xf32>) -> tensor<2x?x8xf32> {
  %r = loom.source2token %v, %v {block_len = 4 : i64} : (tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
  return %r : tensor<2x?x8xf32>
}

// elu: x where x > 0, else alpha (exp(x) - 1).
// CHECK-LABEL: func @elu
// CHECK: math.exp
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.cmpf ogt
// CHECK: arith.select
func.func @elu(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %r = loom.elu %x : tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}
