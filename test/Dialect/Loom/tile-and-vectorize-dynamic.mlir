// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-tile-and-vectorize{reg-tile-m=8 reg-tile-n=32}))' | FileCheck %s --check-prefix=TILES

// loom-tile-and-vectorize on a matmul with dynamic rows: thread tiles over the rows (a
// partial last one), an scf.for over 8-row register tiles peeled into the full tiles,
// vectorized as vector.contract on 8 x 32 tiles, and the remainder rows one at a time
// (1 x 32 vectors).
// TILES-LABEL: func.func @dynamic_rows
// TILES: scf.forall ({{.*}}) = (0, 0) to (%{{.*}}, 64) step ({{[0-9]+}}, 64)
// TILES: scf.for %{{.*}} = %c0 to %{{.*}} step %c8
// TILES: vector.contract {{.*}} vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// TILES: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8
// TILES: scf.for %{{.*}} = %c0 to %{{.*}} step %c1
// TILES: vector.contract {{.*}} vector<1xf32>, vector<1x32xf32> into vector<32xf32>
func.func @dynamic_rows(%a: tensor<?x16xf32>, %b: tensor<16x64xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x64xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<?x16xf32>, tensor<16x64xf32>) outs(%acc : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
