// RUN: %loom-opt %s --loom-to-loops | FileCheck %s
// The whole loom -> loops pipeline on one linear (64 rows): the weight is packed once (in
// forward_prepare) into [8, 64, 16] panels; per panel, the k loop reads one contiguous
// 16-float row of the panel per step and carries the accumulators in registers (vector
// iter_args) instead of loading and storing C every step: 6x16 tiles for rows 0-59, 4x16
// for the last 4 rows, both writing into one buffer (no copies between them). The bias
// epilogue runs on that tile (one thread tile here, so no parallel loop is left) and
// writes the output: no separate pass over the output.

// CHECK-LABEL: func @forward
// CHECK-SAME: %[[P:[a-z0-9]+]]: memref<8x64x16xf32> {loom.prepared = 0 : i64}
// CHECK-SAME: %[[BIAS:[a-z0-9]+]]: memref<8x16xf32> {loom.prepared = 1 : i64}
// CHECK: %[[OUT:.*]] = memref.alloc() {{.*}} : memref<64x8x16xf32>
// CHECK: %[[C:.*]] = memref.alloc() {{.*}} : memref<64x8x16xf32>
// CHECK: scf.for %[[J:.*]] = %c0 to %c8 step %c1
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<6x16xf32>)
// CHECK: vector.transfer_read %[[P]][%[[J]], %{{.*}}, %c0]{{.*}} : memref<8x64x16xf32>, vector<16xf32>
// CHECK: vector.contract {{.*}} into vector<6x16xf32>
// CHECK: scf.yield %{{.*}} : vector<6x16xf32>
// CHECK: vector.transfer_write %{{.*}}, %[[C]]
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.alloc
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<4x16xf32>)
// CHECK: vector.transfer_write %{{.*}}, %[[C]]
// CHECK-NOT: scf.parallel
// CHECK: %[[T:.*]] = vector.transfer_read %[[C]]{{.*}} : memref<64x8x16xf32>, vector<16xf32>
// CHECK: %[[BV:.*]] = vector.transfer_read %[[BIAS]]{{.*}} : memref<8x16xf32>, vector<16xf32>
// CHECK: %[[Y:.*]] = arith.addf %[[T]], %[[BV]] : vector<16xf32>
// CHECK: vector.transfer_write %[[Y]], %[[OUT]]
// CHECK-LABEL: func @forward_prepare
// CHECK-SAME: attributes {loom.prepare}
// CHECK: scf.parallel
func.func @forward(%x: tensor<2x32x64xf32> {loom.input = "x"},
                   %w: tensor<128x64xf32> {loom.weight = "proj.weight"},
                   %b: tensor<128xf32> {loom.weight = "proj.bias"}) -> tensor<2x32x128xf32> attributes {loom.entry} {
  %y = loom.linear %x, %w, %b : (tensor<2x32x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<2x32x128xf32>
  return %y : tensor<2x32x128xf32>
}
