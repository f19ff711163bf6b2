// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-tile-and-vectorize{thread-tile-m=8 thread-tile-n=32 reg-tile-m=4 reg-tile-n=16 row-vector=128}))' | FileCheck %s
// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-tile-and-vectorize{thread-tile-m=8 thread-tile-n=32 reg-tile-m=4 reg-tile-n=16 k-block=4}))' | FileCheck %s --check-prefix=KBLOCK
// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-tile-and-vectorize))' | FileCheck %s --check-prefix=ROW64
// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-tile-and-vectorize{thread-tile-m=8 thread-tile-n=32 reg-tile-m=4 reg-tile-n=16 a-tile-bytes=1024 min-tasks=2}))' | FileCheck %s --check-prefix=GROW

// With the default row-vector=64, a 128-key row is two 64-lane vectors (an scf.for of 2).
// ROW64-LABEL: func @row_softmax_steps
// ROW64: scf.for %{{.*}} = %c0 to %c128 step %c64
// ROW64: vector.reduction <maximumf>, %{{.*}} : vector<64xf32> into f32
// ROW64-NOT: vector<128xf32>
// ROW64-LABEL: func @top_level_generic

// With k-block=4 (K = 8): after the fill's tiles, a k-block loop (step 4 over K = 8),
// then the register tiles with n (step 16) outside m (step 4), then k (step 1).
// KBLOCK-LABEL: func @matmul
// KBLOCK: scf.forall
// KBLOCK: vector.transfer_write
// KBLOCK: scf.for %{{.*}} = %c0 to %c8 step %c4 iter_args
// KBLOCK-NEXT: scf.for %{{.*}} = %c0 to %c32 step %c16 iter_args
// KBLOCK-NEXT: scf.for %{{.*}} = %c0 to %c8 step %c4 iter_args
// KBLOCK-NEXT: scf.for %{{.*}} = %c0 to %c4 step %c1 iter_args
// KBLOCK: vector.contract

// The matmul becomes an scf.forall over 8x32 output blocks (the fill fused in), inner
// scf.for loops over 4x16 register tiles with k step 1, and vector.contract.
// CHECK-LABEL: func @matmul
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (16, 64) step (8, 32)
// CHECK: vector.transfer_write
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.contract {{.*}} vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<16x8xf32>, %b: tensor<8x64xf32>) -> tensor<16x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<16x8xf32>, tensor<8x64xf32>) outs(%f : tensor<16x64xf32>) -> tensor<16x64xf32>
  return %m : tensor<16x64xf32>
}

// Thread tiles hold whole register tiles: 12 rows with 4-row register tiles give thread
// tiles of 4 (8 does not divide 12), never a partial tile.
// CHECK-LABEL: func @odd_rows
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (12, 64) step (4, 32)
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
func.func @odd_rows(%a: tensor<12x8xf32>, %b: tensor<8x64xf32>) -> tensor<12x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<12x64xf32>) -> tensor<12x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<12x8xf32>, tensor<8x64xf32>) outs(%f : tensor<12x64xf32>) -> tensor<12x64xf32>
  return %m : tensor<12x64xf32>
}

// 14 rows are not a multiple of the 4-row register tile, but 7 (a divisor close to the
// 8-row thread tile) is: every thread tile has 7 rows, split inside it into 4 rows of 4x16
// register tiles and 3 rows of 3x16. One op, no partial tile.
// CHECK-LABEL: func @whole_row_tiles
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (14, 64) step (7, 32)
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
// CHECK: vector.contract {{.*}} into vector<3x16xf32>
// CHECK-NOT: scf.forall (
func.func @whole_row_tiles(%a: tensor<14x8xf32>, %b: tensor<8x64xf32>) -> tensor<14x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<14x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<14x64xf32>) -> tensor<14x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<14x8xf32>, tensor<8x64xf32>) outs(%f : tensor<14x64xf32>) -> tensor<14x64xf32>
  return %m : tensor<14x64xf32>
}

// 17 rows (prime): no such divisor. The largest multiple of the 8-row thread tile (rows
// 0-15) uses 8x32 thread tiles of 4x16 register tiles; the last row gets its own 1-row
// thread tile. Both parts get a fresh fill and are inserted into one tensor.
// CHECK-LABEL: func @split_rows
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<17x64xf32>
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (16, 64) step (8, 32)
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
// CHECK: %[[TOP:.*]] = tensor.insert_slice %{{.*}} into %[[EMPTY]][0, 0] [16, 64] [1, 1]
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (1, 64) step (1, 32)
// CHECK: tensor.insert_slice %{{.*}} into %[[TOP]][16, 0] [1, 64] [1, 1]
func.func @split_rows(%a: tensor<17x8xf32>, %b: tensor<8x64xf32>) -> tensor<17x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<17x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<17x64xf32>) -> tensor<17x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<17x8xf32>, tensor<8x64xf32>) outs(%f : tensor<17x64xf32>) -> tensor<17x64xf32>
  return %m : tensor<17x64xf32>
}

// A linear's bias + activation generic (the matmul's only use, identity map, same shape)
// is the op tiled for threads; the matmul and its fill are fused into each tile, so the
// epilogue reads the tile while it is in cache. No top-level generic is left.
// CHECK-LABEL: func @epilogue_in_tiles
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (16, 64) step (8, 32)
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
// CHECK: arith.addf %{{.*}} : vector<32xf32>
// CHECK: arith.maximumf %{{.*}} : vector<32xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @epilogue_in_tiles(%a: tensor<16x8xf32>, %b: tensor<8x64xf32>, %bias: tensor<64xf32>) -> tensor<16x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<16x8xf32>, tensor<8x64xf32>) outs(%f : tensor<16x64xf32>) -> tensor<16x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%m, %bias : tensor<16x64xf32>, tensor<64xf32>) outs(%e : tensor<16x64xf32>) {
  ^bb0(%c: f32, %bb: f32, %o: f32):
    %s = arith.addf %c, %bb : f32
    %r = arith.maximumf %s, %z : f32
    linalg.yield %r : f32
  } -> tensor<16x64xf32>
  return %y : tensor<16x64xf32>
}

// Not fused: the matmul has a second use (the epilogue would have to write the raw product
// too), or the generic reads the product transposed (a tile of it needs other tiles).
// CHECK-LABEL: func @epilogue_not_fused
// CHECK: scf.forall
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
// CHECK: scf.forall
// CHECK: arith.addf
// CHECK: scf.forall.in_parallel
// CHECK-LABEL: func @epilogue_transposed
// CHECK: scf.forall
// CHECK: vector.contract
// CHECK: scf.forall.in_parallel
// CHECK: linalg.generic
func.func @epilogue_not_fused(%a: tensor<16x8xf32>, %b: tensor<8x64xf32>, %bias: tensor<64xf32>) -> (tensor<16x64xf32>, tensor<16x64xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<16x64xf32>) -> tensor<16x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<16x8xf32>, tensor<8x64xf32>) outs(%f : tensor<16x64xf32>) -> tensor<16x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%m, %bias : tensor<16x64xf32>, tensor<64xf32>) outs(%e : tensor<16x64xf32>) {
  ^bb0(%c: f32, %bb: f32, %o: f32):
    %s = arith.addf %c, %bb : f32
    linalg.yield %s : f32
  } -> tensor<16x64xf32>
  return %y, %m : tensor<16x64xf32>, tensor<16x64xf32>
}
func.func @epilogue_transposed(%a: tensor<64x8xf32>, %b: tensor<8x64xf32>) -> tensor<64x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<64x8xf32>, tensor<8x64xf32>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%m : tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%c: f32, %o: f32):
    %s = arith.addf %c, %c : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// Inside a thread's task (the fused attention's score tile), a filled matmul whose rows
// are split gets its own bufferization.alloc_tensor for the combined result: each part's
// fill writes the part's rows of it, so both parts are computed in place (a tensor.empty
// would be merged with the one outside the task, and a buffer shared by the tasks is
// privatized with a copy).
// CHECK-LABEL: func @split_in_task
// CHECK: scf.forall
// CHECK: %[[ALLOC:.*]] = bufferization.alloc_tensor() : tensor<14x32xf32>
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[ALLOC]][0, 0] [12, 32] [1, 1]
// CHECK: vector.contract {{.*}} into vector<4x16xf32>
// CHECK: %[[INS:.*]] = tensor.insert_slice %{{.*}} into %[[ALLOC]][0, 0] [12, 32] [1, 1]
// CHECK: tensor.extract_slice %[[INS]][12, 0] [2, 32] [1, 1]
// CHECK: vector.contract {{.*}} into vector<2x16xf32>
// CHECK: tensor.insert_slice %{{.*}} into %[[INS]][12, 0] [2, 32] [1, 1]
func.func @split_in_task(%a: tensor<2x14x8xf32>, %b: tensor<8x32xf32>) -> tensor<2x14x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<14x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<14x32xf32>) -> tensor<14x32xf32>
  %o = tensor.empty() : tensor<2x14x32xf32>
  %r = scf.forall (%i) in (2) shared_outs(%s = %o) -> (tensor<2x14x32xf32>) {
    %ai = tensor.extract_slice %a[%i, 0, 0] [1, 14, 8] [1, 1, 1] : tensor<2x14x8xf32> to tensor<14x8xf32>
    %m = linalg.matmul ins(%ai, %b : tensor<14x8xf32>, tensor<8x32xf32>) outs(%f : tensor<14x32xf32>) -> tensor<14x32xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %m into %s[%i, 0, 0] [1, 14, 32] [1, 1, 1] : tensor<14x32xf32> into tensor<2x14x32xf32>
    }
  }
  return %r : tensor<2x14x32xf32>
}

// A transpose that moves the innermost dimension (the attention's keys [B, S, H, dh] ->
// [B, H, dh, S]): a forall over the leading output dims, then 8 x 8 blocks, each a
// vector<8x8> read with a transposing permutation map and one write.
// CHECK-LABEL: func @keys_transposed
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 4)
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c8
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK: vector.transfer_read {{.*}} permutation_map = {{.*}} : tensor<2x16x4x8xf32>, vector<8x8xf32>
// CHECK: vector.transfer_write {{.*}} : vector<8x8xf32>
// CHECK-NOT: linalg.transpose
// A transpose that keeps the innermost dimension (rows moved whole): a forall over the
// leading dims, each row one vector copy.
// CHECK-LABEL: func @rows_moved
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 4)
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c1
// CHECK: vector.transfer_read {{.*}} : tensor<2x16x4x8xf32>, vector<8xf32>
// CHECK-NOT: linalg.transpose
func.func @keys_transposed(%k: tensor<2x16x4x8xf32>) -> tensor<2x4x8x16xf32> {
  %e = tensor.empty() : tensor<2x4x8x16xf32>
  %t = linalg.transpose ins(%k : tensor<2x16x4x8xf32>) outs(%e : tensor<2x4x8x16xf32>) permutation = [0, 2, 3, 1]
  return %t : tensor<2x4x8x16xf32>
}
func.func @rows_moved(%k: tensor<2x16x4x8xf32>) -> tensor<2x4x16x8xf32> {
  %e = tensor.empty() : tensor<2x4x16x8xf32>
  %t = linalg.transpose ins(%k : tensor<2x16x4x8xf32>) outs(%e : tensor<2x4x16x8xf32>) permutation = [0, 2, 1, 3]
  return %t : tensor<2x4x16x8xf32>
}

// batch_matmul: one batch per task, reduced to a plain matmul, then vectorized.
// CHECK-LABEL: func @batch
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) = (0, 0, 0) to (2, 8, 32) step (1, 8, 32)
// CHECK: vector.contract
// CHECK-NOT: linalg.batch_matmul
func.func @batch(%a: tensor<2x8x4xf32>, %b: tensor<2x4x32xf32>, %c: tensor<2x8x32xf32>) -> tensor<2x8x32xf32> {
  %m = linalg.batch_matmul ins(%a, %b : tensor<2x8x4xf32>, tensor<2x4x32xf32>) outs(%c : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  return %m : tensor<2x8x32xf32>
}

// Generics inside a forall body (the fused attention's softmax steps) are vectorized one
// row at a time: a row reduction becomes a 1-D vector.reduction over the 128 keys, an
// element-wise step a vector<128xf32> op. No 2-D vector is left.
// CHECK-LABEL: func @row_softmax_steps
// CHECK: scf.forall
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK: vector.transfer_read {{.*}} vector<128xf32>
// CHECK: vector.reduction <maximumf>, %{{.*}} : vector<128xf32> into f32
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK: math.exp %{{.*}} : vector<128xf32>
// CHECK-NOT: vector<1x128xf32>
// CHECK: scf.forall.in_parallel
func.func @row_softmax_steps(%s: tensor<2x64x128xf32>) -> tensor<2x64x128xf32> {
  %e = tensor.empty() : tensor<2x64x128xf32>
  %r = scf.forall (%i) in (2) shared_outs(%o = %e) -> (tensor<2x64x128xf32>) {
    %t = tensor.extract_slice %s[%i, 0, 0] [1, 64, 128] [1, 1, 1] : tensor<2x64x128xf32> to tensor<64x128xf32>
    %ninf = arith.constant 0xFF800000 : f32
    %m0 = tensor.empty() : tensor<64xf32>
    %mf = linalg.fill ins(%ninf : f32) outs(%m0 : tensor<64xf32>) -> tensor<64xf32>
    %m = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%t : tensor<64x128xf32>) outs(%mf : tensor<64xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %x = arith.maximumf %acc, %a : f32
      linalg.yield %x : f32
    } -> tensor<64xf32>
    %pe = tensor.empty() : tensor<64x128xf32>
    %p = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%t, %m : tensor<64x128xf32>, tensor<64xf32>) outs(%pe : tensor<64x128xf32>) {
    ^bb0(%a: f32, %mx: f32, %out: f32):
      %d = arith.subf %a, %mx : f32
      %x = math.exp %d : f32
      linalg.yield %x : f32
    } -> tensor<64x128xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %p into %o[%i, 0, 0] [1, 64, 128] [1, 1, 1] : tensor<64x128xf32> into tensor<2x64x128xf32>
    }
  }
  return %r : tensor<2x64x128xf32>
}

// A top-level row-wise generic (here exp, element-wise) gets an scf.forall over blocks of
// 16 rows (row-block) and is then vectorized one row at a time like the above.
// CHECK-LABEL: func @top_level_generic
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (16)
// CHECK: math.exp %{{.*}} : vector<128xf32>
// CHECK-NOT: linalg.generic
func.func @top_level_generic(%t: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %pe = tensor.empty() : tensor<64x128xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%t : tensor<64x128xf32>) outs(%pe : tensor<64x128xf32>) {
  ^bb0(%a: f32, %out: f32):
    %x = math.exp %a : f32
    linalg.yield %x : f32
  } -> tensor<64x128xf32>
  return %p : tensor<64x128xf32>
}

// An element-wise producer with one use is fused into its consumer first: one forall, one
// loop body with both the add and the exp.
// CHECK-LABEL: func @fused_then_tiled
// CHECK: scf.forall
// CHECK: arith.addf %{{.*}} : vector<128xf32>
// CHECK: math.exp %{{.*}} : vector<128xf32>
// CHECK-NOT: scf.forall (
// CHECK-LABEL: func @not_row_wise
func.func @fused_then_tiled(%t: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %e0 = tensor.empty() : tensor<64x128xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%t : tensor<64x128xf32>) outs(%e0 : tensor<64x128xf32>) {
  ^bb0(%a: f32, %out: f32):
    %x = arith.addf %a, %a : f32
    linalg.yield %x : f32
  } -> tensor<64x128xf32>
  %e1 = tensor.empty() : tensor<64x128xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<64x128xf32>) outs(%e1 : tensor<64x128xf32>) {
  ^bb0(%a: f32, %out: f32):
    %x = math.exp %a : f32
    linalg.yield %x : f32
  } -> tensor<64x128xf32>
  return %p : tensor<64x128xf32>
}

// Not row-wise: a sliding window (x[i + k], the innermost loop inside another index) and a
// transpose (the innermost loop read as a non-last index) are left alone.
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
// CHECK: linalg.generic
func.func @not_row_wise(%x: tensor<70x64xf32>, %kw: tensor<7x64xf32>, %t: tensor<64x64xf32>) -> (tensor<64x64xf32>, tensor<64x64xf32>) {
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(i, c, k) -> (i + k, c)>, affine_map<(i, c, k) -> (k, c)>, affine_map<(i, c, k) -> (i, c)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %kw : tensor<70x64xf32>, tensor<7x64xf32>) outs(%f : tensor<64x64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  %e1 = tensor.empty() : tensor<64x64xf32>
  %tr = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%t : tensor<64x64xf32>) outs(%e1 : tensor<64x64xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<64x64xf32>
  return %w, %tr : tensor<64x64xf32>, tensor<64x64xf32>
}

// A norm's steps (a row-sum reduction, then an element-wise step that reads the rows and
// the sums) become one forall: the consumer is tiled by row blocks and the reduction and
// its fill are fused into each block, so the block stays in cache across both steps.
// CHECK-LABEL: func @norm_one_loop
// CHECK: scf.forall (%{{.*}}) = (0) to (64) step (16)
// CHECK: vector.reduction <add>, %{{.*}} : vector<128xf32> into f32
// CHECK: arith.subf %{{.*}} : vector<128xf32>
// CHECK: scf.forall.in_parallel
// CHECK-NOT: scf.forall (
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @norm_one_loop(%t: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e0 : tensor<64xf32>) -> tensor<64xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%t : tensor<64x128xf32>) outs(%f : tensor<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %x = arith.addf %acc, %a : f32
    linalg.yield %x : f32
  } -> tensor<64xf32>
  %e1 = tensor.empty() : tensor<64x128xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%t, %sum : tensor<64x128xf32>, tensor<64xf32>) outs(%e1 : tensor<64x128xf32>) {
  ^bb0(%a: f32, %s: f32, %out: f32):
    %x = arith.subf %a, %s : f32
    linalg.yield %x : f32
  } -> tensor<64x128xf32>
  return %c : tensor<64x128xf32>
}

// A row reduction whose result is also returned stays as well (the consumer's block
// recomputes it): fusion never drops a value that is used elsewhere.
// CHECK-LABEL: func @norm_shared_stat
// CHECK: %[[SUM:.*]] = scf.forall (%{{.*}}) = (0) to (64) step (16) {{.*}} -> (tensor<64xf32>)
// CHECK: vector.reduction <add>
// CHECK: %[[C:.*]] = scf.forall (%{{.*}}) = (0) to (64) step (16) {{.*}} -> (tensor<64x128xf32>)
// CHECK: vector.reduction <add>
// CHECK: arith.subf
// CHECK: return %[[C]], %[[SUM]]
func.func @norm_shared_stat(%t: tensor<64x128xf32>) -> (tensor<64x128xf32>, tensor<64xf32>) {
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e0 : tensor<64xf32>) -> tensor<64xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%t : tensor<64x128xf32>) outs(%f : tensor<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %x = arith.addf %acc, %a : f32
    linalg.yield %x : f32
  } -> tensor<64xf32>
  %e1 = tensor.empty() : tensor<64x128xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%t, %sum : tensor<64x128xf32>, tensor<64xf32>) outs(%e1 : tensor<64x128xf32>) {
  ^bb0(%a: f32, %s: f32, %out: f32):
    %x = arith.subf %a, %s : f32
    linalg.yield %x : f32
  } -> tensor<64x128xf32>
  return %c, %sum : tensor<64x128xf32>, tensor<64xf32>
}

// A sliding window with the channels innermost (the depthwise convolution's loops (t, k, c)):
// row-wise too. The taps k become an scf.for of vector FMAs into the output row.
// CHECK-LABEL: func @window_channels_innermost
// CHECK: scf.forall
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1
// CHECK: vector.transfer_read {{.*}} vector<64xf32>
// CHECK: arith.mulf %{{.*}} : vector<64xf32>
// CHECK: arith.addf %{{.*}} : vector<64xf32>
func.func @window_channels_innermost(%x: tensor<70x64xf32>, %kw: tensor<7x64xf32>) -> tensor<64x64xf32> {
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %w = linalg.generic {indexing_maps = [affine_map<(i, k, c) -> (i + k, c)>, affine_map<(i, k, c) -> (k, c)>, affine_map<(i, k, c) -> (i, c)>], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x, %kw : tensor<70x64xf32>, tensor<7x64xf32>) outs(%f : tensor<64x64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %w : tensor<64x64xf32>
}

// A contraction with other maps than the packed-panel linear's is not taken for one (no
// panel matmuls, no vector.contract); with k innermost and read at stride 1 it is row-wise:
// dot products vectorized along k.
// CHECK-LABEL: func @not_panel
// CHECK-NOT: vector.contract
// CHECK: vector.reduction <add>
func.func @not_panel(%a: tensor<8x8xf32>, %b: tensor<2x16x8xf32>, %c: tensor<8x2x16xf32>) -> tensor<8x2x16xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, j, p, k) -> (m, k)>, affine_map<(m, j, p, k) -> (j, p, k)>, affine_map<(m, j, p, k) -> (m, j, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : tensor<8x8xf32>, tensor<2x16x8xf32>) outs(%c : tensor<8x2x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x2x16xf32>
  return %r : tensor<8x2x16xf32>
}

// Thread tiles start at thread-tile-m = 8 rows and double while the tile's rows of A fit
// in a-tile-bytes = 1024 (rows x K x 4 bytes) and min-tasks = 2 tasks remain.
// K = 4: 64 rows (1024 bytes; 2 column tiles give 2 tasks).
// GROW-LABEL: func @grow_rows
// GROW: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 64) step (64, 32)
func.func @grow_rows(%a: tensor<64x4xf32>, %b: tensor<4x64xf32>) -> tensor<64x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<64x4xf32>, tensor<4x64xf32>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %m : tensor<64x64xf32>
}

// K = 16: 16 rows of A are 1024 bytes, 32 would be 2048.
// GROW-LABEL: func @grow_rows_k
// GROW: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 64) step (16, 32)
func.func @grow_rows_k(%a: tensor<64x16xf32>, %b: tensor<16x64xf32>) -> tensor<64x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<64x16xf32>, tensor<16x64xf32>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %m : tensor<64x64xf32>
}

// One column tile (N = 32): 64-row tiles would leave 1 task, so 32 rows (2 tasks).
// GROW-LABEL: func @grow_rows_tasks
// GROW: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 32) step (32, 32)
func.func @grow_rows_tasks(%a: tensor<64x4xf32>, %b: tensor<4x32xf32>) -> tensor<64x32xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x32xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x32xf32>) -> tensor<64x32xf32>
  %m = linalg.matmul ins(%a, %b : tensor<64x4xf32>, tensor<4x32xf32>) outs(%f : tensor<64x32xf32>) -> tensor<64x32xf32>
  return %m : tensor<64x32xf32>
}
