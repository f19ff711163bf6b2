// RUN: %loom-opt %s -split-input-file -loom-outline-weight-prep | FileCheck %s

// A repeated layer's function (parameters marked loom.weight_param): its load-time work
// (the weight transpose) moves into one @layer_prepare function, which @forward_prepare
// calls once per layer on that layer's weights (one body however deep the model: compile
// time does not grow with depth). The layer function takes the prepared tensor instead of
// the weight (the now unused weight parameter is dropped); the per-run work stays in it.
// CHECK-LABEL: func.func private @layer_prepare
// CHECK-SAME: (%[[W:[^:]*]]: tensor<8x8xf32>) -> tensor<8x8xf32> attributes {no_inline, passthrough = ["noinline"]}
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]]
// CHECK: return %[[T]]
// CHECK-LABEL: func.func private @layer
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x8xf32>, %[[P:[^:]*]]: tensor<8x8xf32> {loom.weight_param = "prepared"})
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul ins(%[[X]], %[[P]]
// CHECK-LABEL: func @forward
// CHECK-SAME: %[[P0:[^:]*]]: tensor<8x8xf32> {bufferization.writable = false, loom.prepared = 0 : i64}, %[[P1:[^:]*]]: tensor<8x8xf32> {bufferization.writable = false, loom.prepared = 1 : i64}, %[[P2:[^:]*]]: tensor<8x8xf32> {bufferization.writable = false, loom.prepared = 2 : i64}
// CHECK-NOT: linalg.transpose
// CHECK-NOT: @layer_prepare
// CHECK: %[[Y:.*]] = call @layer(%{{.*}}, %[[P0]]) {no_inline}
// CHECK: %[[Z:.*]] = call @layer(%[[Y]], %[[P1]]) {no_inline}
// CHECK: call @layer(%[[Z]], %[[P2]]) {no_inline}
// CHECK-LABEL: func @forward_prepare
// CHECK-SAME: (%[[W0:[^:]*]]: tensor<8x8xf32> {{.*}}, %[[W1:[^:]*]]: tensor<8x8xf32> {{.*}}, %[[W2:[^:]*]]: tensor<8x8xf32> {{.*}})
// CHECK-NOT: linalg.transpose
// CHECK: %[[Q0:.*]] = call @layer_prepare(%[[W0]]) {loom.load_time, no_inline}
// CHECK: %[[Q1:.*]] = call @layer_prepare(%[[W1]]) {loom.load_time, no_inline}
// CHECK: %[[Q2:.*]] = call @layer_prepare(%[[W2]]) {loom.load_time, no_inline}
// CHECK: return %[[Q0]], %[[Q1]], %[[Q2]]
func.func private @layer(%x: tensor<4x8xf32>, %w: tensor<8x8xf32> {loom.weight_param = "layers.0.w"}) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %t = linalg.transpose ins(%w : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) permutation = [1, 0]
  %z = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%o : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = linalg.matmul ins(%x, %t : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m : tensor<4x8xf32>
}
func.func @forward(%x: tensor<4x8xf32> {loom.input = "x"}, %w0: tensor<8x8xf32> {loom.weight = "layers.0.w"},
                   %w1: tensor<8x8xf32> {loom.weight = "layers.1.w"}, %w2: tensor<8x8xf32> {loom.weight = "layers.2.w"}) -> tensor<4x8xf32> attributes {loom.entry} {
  %y = call @layer(%x, %w0) {no_inline} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %z = call @layer(%y, %w1) {no_inline} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %u = call @layer(%z, %w2) {no_inline} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %u : tensor<4x8xf32>
}

// -----

// Layers that share their weights (`let`): one prepare call, one prepared value.
// CHECK-LABEL: func @shared
// CHECK-SAME: %[[P:[^:]*]]: tensor<8x8xf32> {bufferization.writable = false, loom.prepared = 0 : i64}) -> tensor<4x8xf32>
// CHECK: %[[Y:.*]] = call @layer(%{{.*}}, %[[P]]) {no_inline}
// CHECK: call @layer(%[[Y]], %[[P]]) {no_inline}
// CHECK-LABEL: func @shared_prepare
// CHECK-COUNT-1: call @layer_prepare
// CHECK-NOT: call @layer_prepare
// CHECK: return
func.func private @layer(%x: tensor<4x8xf32>, %w: tensor<8x8xf32> {loom.weight_param = "w"}) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %t = linalg.transpose ins(%w : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) permutation = [1, 0]
  %z = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%o : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = linalg.matmul ins(%x, %t : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m : tensor<4x8xf32>
}
func.func @shared(%x: tensor<4x8xf32> {loom.input = "x"}, %w: tensor<8x8xf32> {loom.weight = "w"}) -> tensor<4x8xf32> attributes {loom.entry} {
  %y = call @layer(%x, %w) {no_inline} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %z = call @layer(%y, %w) {no_inline} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}

// -----

// Work on constants alone (a position table) is the same for every layer: it is not part
// of the layer's prepare function (which would prepare one copy per layer) but computed at
// the call sites, where CSE keeps one copy, in @tables_prepare.
// CHECK-LABEL: func.func private @layer_prepare
// CHECK-NOT: math.sin
// CHECK: linalg.transpose
// CHECK: return
// CHECK-LABEL: func @tables(
// CHECK-SAME: %[[T:[^:]*]]: tensor<8x8xf32> {bufferization.writable = false, loom.prepared = 0 : i64}, %[[P0:[^:]*]]: tensor<8x8xf32> {{.*}}loom.prepared = 1 : i64}, %[[P1:[^:]*]]: tensor<8x8xf32> {{.*}}loom.prepared = 2 : i64})
// CHECK: call @layer(%{{.*}}, %[[P0]], %[[T]])
// CHECK: call @layer(%{{.*}}, %[[P1]], %[[T]])
// CHECK-LABEL: func @tables_prepare
// CHECK-COUNT-1: math.sin
// CHECK-NOT: math.sin
// CHECK: return
func.func private @layer(%x: tensor<4x8xf32>, %w: tensor<8x8xf32> {loom.weight_param = "w"}) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %t = linalg.transpose ins(%w : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) permutation = [1, 0]
  %te = tensor.empty() : tensor<8x8xf32>
  %table = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%te : tensor<8x8xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f32
    %s = math.sin %f : f32
    linalg.yield %s : f32
  } -> tensor<8x8xf32>
  %z = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<4x8xf32>
  %fill = linalg.fill ins(%z : f32) outs(%o : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = linalg.matmul ins(%x, %t : tensor<4x8xf32>, tensor<8x8xf32>) outs(%fill : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m2 = linalg.matmul ins(%m, %table : tensor<4x8xf32>, tensor<8x8xf32>) outs(%fill : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m2 : tensor<4x8xf32>
}
func.func @tables(%x: tensor<4x8xf32> {loom.input = "x"}, %w0: tensor<8x8xf32> {loom.weight = "a"}, %w1: tensor<8x8xf32> {loom.weight = "b"}) -> tensor<4x8xf32> attributes {loom.entry} {
  %y = call @layer(%x, %w0) {no_inline} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %z = call @layer(%y, %w1) {no_inline} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}
