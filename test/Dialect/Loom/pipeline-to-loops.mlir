// RUN: %loom-opt %s --loom-to-loops | FileCheck %s
// The whole loom -> loops pipeline on one linear: the transposed weight is prepared once,
// the output blocks are an scf.parallel, and the k loop carries the 4x16 accumulator in
// registers (vector iter_arg) instead of loading and storing C every step.

// CHECK-LABEL: func @forward
// CHECK-SAME: {loom.prepared = 0 : i64}
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<4x16xf32>)
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
// CHECK: scf.yield %{{.*}} : vector<4x16xf32>
// CHECK: vector.transfer_write
// CHECK-LABEL: func @forward_prepare
// CHECK-SAME: attributes {loom.prepare}
// CHECK: scf.parallel
func.func @forward(%x: tensor<2x32x64xf32> {loom.input = "x"},
                   %w: tensor<128x64xf32> {loom.weight = "proj.weight"},
                   %b: tensor<128xf32> {loom.weight = "proj.bias"}) -> tensor<2x32x128xf32> attributes {loom.entry} {
  %y = loom.linear %x, %w, %b : (tensor<2x32x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<2x32x128xf32>
  return %y : tensor<2x32x128xf32>
}
