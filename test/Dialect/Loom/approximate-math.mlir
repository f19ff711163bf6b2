// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-approximate-math))' | FileCheck %s

// exp and erf become polynomials (no math.exp / math.erf left, so no libm calls).
// CHECK-LABEL: func @approximated
// CHECK-NOT: math.exp
// CHECK-NOT: math.erf
// CHECK: math.fma
// CHECK: return
func.func @approximated(%x: f32) -> f32 {
  %e = math.exp %x : f32
  %r = math.erf %e : f32
  return %r : f32
}

// sin and cos keep their library calls (accuracy on large angles).
// CHECK-LABEL: func @kept
// CHECK: math.sin
// CHECK: math.cos
func.func @kept(%x: f32) -> f32 {
  %s = math.sin %x : f32
  %c = math.cos %s : f32
  return %c : f32
}
