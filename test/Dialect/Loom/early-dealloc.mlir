// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-early-dealloc))' | FileCheck %s

// %a is last used (through a view) by the first copy, %b by the loop: each dealloc moves to
// right after that op, so a later allocation can reuse the memory.
// CHECK-LABEL: func @moves
// CHECK: %[[A:.*]] = memref.alloc() : memref<16xf32>
// CHECK: %[[B:.*]] = memref.alloc() : memref<16xf32>
// CHECK: memref.copy %{{.*}}, %[[B]]
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK: scf.for
// CHECK: memref.load %[[B]]
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK: %[[C:.*]] = memref.alloc() : memref<16xf32>
// CHECK: memref.dealloc %[[C]]
// CHECK-NEXT: return
func.func @moves(%x: memref<16xf32>, %y: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %a = memref.alloc() : memref<16xf32>
  memref.copy %x, %a : memref<16xf32> to memref<16xf32>
  %v = memref.subview %a[0] [16] [1] : memref<16xf32> to memref<16xf32, strided<[1]>>
  %b = memref.alloc() : memref<16xf32>
  memref.copy %v, %b : memref<16xf32, strided<[1]>> to memref<16xf32>
  scf.for %i = %c0 to %c16 step %c1 {
    %e = memref.load %b[%i] : memref<16xf32>
    memref.store %e, %y[%i] : memref<16xf32>
  }
  %c = memref.alloc() : memref<16xf32>
  memref.copy %y, %c : memref<16xf32> to memref<16xf32>
  memref.copy %c, %y : memref<16xf32> to memref<16xf32>
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<16xf32>
  memref.dealloc %c : memref<16xf32>
  return
}

// A dealloc under control flow (an ownership check) stays where it is.
// CHECK-LABEL: func @conditional
// CHECK: memref.copy
// CHECK-NEXT: arith.constant
// CHECK-NEXT: scf.if
// CHECK-NEXT: memref.dealloc
func.func @conditional(%x: memref<16xf32>, %own: i1) {
  %a = memref.alloc() : memref<16xf32>
  memref.copy %x, %a : memref<16xf32> to memref<16xf32>
  %k = arith.constant 0 : index
  scf.if %own {
    memref.dealloc %a : memref<16xf32>
  }
  return
}
