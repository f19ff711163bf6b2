// RUN: %loom-opt %s -loom-outline-weight-prep | FileCheck %s

// Weight transposes and concatenations move to @forward_prepare; @forward receives their
// results as `loom.prepared` arguments. Work on the input stays.
// CHECK-LABEL: func @forward
// Every argument is read-only for bufferization (later runs read them again).
// CHECK-SAME: %[[X:[^:]*]]: tensor<4x8xf32> {bufferization.writable = false, loom.input = "x"}
// CHECK-SAME: %[[W1:[^:]*]]: tensor<8x8xf32> {bufferization.writable = false, loom.weight = "a.weight"}
// CHECK-SAME: %[[W2:[^:]*]]: tensor<8x8xf32> {bufferization.writable = false, loom.weight = "b.weight"}
// CHECK-SAME: %[[P0:[^:]*]]: tensor<8x16xf32> {bufferization.writable = false, loom.prepared = 0 : i64}
// CHECK-NOT: tensor.concat
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul ins(%[[X]], %[[P0]] : tensor<4x8xf32>, tensor<8x16xf32>)
// CHECK-LABEL: func @forward_prepare
// CHECK-SAME: (%{{.*}}: tensor<8x8xf32> {bufferization.writable = false, loom.weight = "a.weight"}, %{{.*}}: tensor<8x8xf32> {bufferization.writable = false, loom.weight = "b.weight"}) -> tensor<8x16xf32>
// CHECK-SAME: attributes {loom.prepare}
// CHECK: tensor.concat
// CHECK: linalg.transpose
// CHECK: return
func.func @forward(%x: tensor<4x8xf32> {loom.input = "x"}, %w1: tensor<8x8xf32> {loom.weight = "a.weight"},
                   %w2: tensor<8x8xf32> {loom.weight = "b.weight"}) -> tensor<4x16xf32> attributes {loom.entry} {
  %c = tensor.concat dim(0) %w1, %w2 : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<16x8xf32>
  %e = tensor.empty() : tensor<8x16xf32>
  %t = linalg.transpose ins(%c : tensor<16x8xf32>) outs(%e : tensor<8x16xf32>) permutation = [1, 0]
  %z = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%z : f32) outs(%o : tensor<4x16xf32>) -> tensor<4x16xf32>
  %m = linalg.matmul ins(%x, %t : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  return %m : tensor<4x16xf32>
}

// A function that is not an entry, or an entry with nothing weight-only, is untouched.
// CHECK-LABEL: func @helper
// CHECK-SAME: (%{{.*}}: tensor<8x8xf32> {loom.weight = "w"})
// CHECK: linalg.transpose
// CHECK-NOT: func @helper_prepare
func.func @helper(%w: tensor<8x8xf32> {loom.weight = "w"}) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %t = linalg.transpose ins(%w : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) permutation = [1, 0]
  return %t : tensor<8x8xf32>
}

// A computation on constants alone (a position table) is load-time work too; the fill of a
// scratch accumulator stays in the per-run function.
// CHECK-LABEL: func @table
// CHECK-SAME: %[[X:[^:]*]]: tensor<4x8xf32> {bufferization.writable = false, loom.input = "x"}
// CHECK-SAME: %[[T:[^:]*]]: tensor<4x8xf32> {bufferization.writable = false, loom.prepared = 0 : i64}
// CHECK: linalg.fill
// CHECK-NOT: math.sin
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[T]]
// CHECK-LABEL: func @table_prepare
// CHECK: math.sin
func.func @table(%x: tensor<4x8xf32> {loom.input = "x"}) -> (tensor<4x8xf32>, tensor<4x8xf32>) attributes {loom.entry} {
  %e = tensor.empty() : tensor<4x8xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      outs(%e : tensor<4x8xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f32
    %s = math.sin %f : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %z = arith.constant 0.0 : f32
  %acc = linalg.fill ins(%z : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
      ins(%x, %t : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %y, %acc : tensor<4x8xf32>, tensor<4x8xf32>
}
