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
