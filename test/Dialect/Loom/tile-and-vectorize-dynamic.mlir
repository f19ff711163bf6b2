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

// A top-level fill of a dynamic tensor (a dynamic length's attention zero-pads its keys
// into one) becomes an scf.forall over blocks of rows whose rows are filled by vector
// stores, not one scalar loop over the flattened tensor; the insert of the data stays.
// TILES-LABEL: func.func @padded_rows
// TILES: scf.forall ({{.*}}) = (0, 0) to (%{{.*}}, %{{.*}}) step (1, {{[0-9]+}})
// TILES: vector.transfer_write %{{.*}} : vector<32xf32>
// TILES: scf.forall.in_parallel
// TILES-NOT: linalg.fill
// TILES: tensor.insert_slice %{{.*}} into
func.func @padded_rows(%x: tensor<?x?x32xf32>, %b: index, %s: index) -> tensor<?x?x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%b, %s) : tensor<?x?x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x?x32xf32>) -> tensor<?x?x32xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %xb = tensor.dim %x, %c0 : tensor<?x?x32xf32>
  %xs = tensor.dim %x, %c1 : tensor<?x?x32xf32>
  %r = tensor.insert_slice %x into %z[0, 0, 0] [%xb, %xs, 32] [1, 1, 1] : tensor<?x?x32xf32> into tensor<?x?x32xf32>
  return %r : tensor<?x?x32xf32>
}

// Fills of a scalar, of one dynamic dimension, or of static rows are left alone (a
// scalar's loop is trivial; the others become a memset).
// TILES-LABEL: func.func @fills_left_alone
// TILES-NOT: scf.forall
// TILES-COUNT-3: linalg.fill
// TILES: return
func.func @fills_left_alone(%n: index) -> (tensor<f32>, tensor<?xf32>, tensor<4x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<f32>
  %s = linalg.fill ins(%zero : f32) outs(%e0 : tensor<f32>) -> tensor<f32>
  %e1 = tensor.empty(%n) : tensor<?xf32>
  %v = linalg.fill ins(%zero : f32) outs(%e1 : tensor<?xf32>) -> tensor<?xf32>
  %e2 = tensor.empty() : tensor<4x32xf32>
  %m = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x32xf32>) -> tensor<4x32xf32>
  return %s, %v, %m : tensor<f32>, tensor<?xf32>, tensor<4x32xf32>
}
