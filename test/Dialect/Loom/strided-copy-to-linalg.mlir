// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-strided-copy-to-linalg))' | FileCheck %s

// CHECK-LABEL: func @strided
// CHECK: linalg.copy ins(%{{.*}} : memref<4x8xf32, strided<[24, 1], offset: 8>>) outs(%{{.*}} : memref<4x8xf32>)
// CHECK-NOT: memref.copy
func.func @strided(%a: memref<4x24xf32>, %b: memref<4x8xf32>) {
  %s = memref.subview %a[0, 8] [4, 8] [1, 1] : memref<4x24xf32> to memref<4x8xf32, strided<[24, 1], offset: 8>>
  memref.copy %s, %b : memref<4x8xf32, strided<[24, 1], offset: 8>> to memref<4x8xf32>
  return
}

// Contiguous copies stay (they become llvm.memcpy).
// CHECK-LABEL: func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  return
}

// Dynamic rows (a model's dynamic batch and seq) of 512 contiguous floats: a parallel loop
// over the rows, each copied in vectors of 64 lanes.
// CHECK-LABEL: func @dynamic_rows
// CHECK: scf.parallel (%[[B:.*]], %[[S:.*]]) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}})
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %c64
// CHECK: %[[V:.*]] = vector.transfer_read %{{.*}}[%[[B]], %[[S]], %[[C]]]{{.*}} : memref<?x?x512xf32, strided<[?, 1536, 1]>>, vector<64xf32>
// CHECK: vector.transfer_write %[[V]], %{{.*}}[%[[B]], %[[S]], %[[C]]]{{.*}} : vector<64xf32>, memref<?x?x512xf32>
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.copy
func.func @dynamic_rows(%a: memref<?x?x1536xf32>, %b: memref<?x?x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = memref.dim %a, %c0 : memref<?x?x1536xf32>
  %d1 = memref.dim %a, %c1 : memref<?x?x1536xf32>
  %s = memref.subview %a[0, 0, 0] [%d0, %d1, 512] [1, 1, 1] : memref<?x?x1536xf32> to memref<?x?x512xf32, strided<[?, 1536, 1]>>
  memref.copy %s, %b : memref<?x?x512xf32, strided<[?, 1536, 1]>> to memref<?x?x512xf32>
  return
}

// Dynamic rows that are too short for vectors stay a linalg.copy.
// CHECK-LABEL: func @dynamic_short_rows
// CHECK: linalg.copy
func.func @dynamic_short_rows(%a: memref<?x6xf32>, %b: memref<?x4xf32>) {
  %c0 = arith.constant 0 : index
  %d0 = memref.dim %a, %c0 : memref<?x6xf32>
  %s = memref.subview %a[0, 0] [%d0, 4] [1, 1] : memref<?x6xf32> to memref<?x4xf32, strided<[6, 1]>>
  memref.copy %s, %b : memref<?x4xf32, strided<[6, 1]>> to memref<?x4xf32>
  return
}
