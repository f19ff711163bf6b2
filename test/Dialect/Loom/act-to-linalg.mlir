// RUN: %loom-opt %s -convert-loom-to-linalg | FileCheck %s
// RUN: %loom-opt %s -loom-to-linalg | FileCheck %s --check-prefix=HOIST

// loom.act becomes one scf.while carrying (state, step, halting sum, steps, remainders,
// weighted output). The before region continues while any halting sum is below 1; the after
// region is the lowered body, then the halting logit (a reduction over d with the [1, d]
// weight), one generic updating h, n, r and the weight w, and the weighted output.
// CHECK-LABEL: func @act
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<1x8xf32>, %[[B:.*]]: tensor<1xf32>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[LOOP:.*]]:6 = scf.while (%[[S:.*]] = %[[X]], %[[T:.*]] = %[[C0]], %[[H:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}})
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[H]] : tensor<2x4xf32>)
// CHECK: arith.cmpf olt
// CHECK: %[[ANY:.*]] = arith.cmpf ogt
// CHECK: scf.condition(%[[ANY]])
// CHECK: } do {
// CHECK: ^bb0(%[[S2:.*]]: tensor<2x4x8xf32>, %[[T2:.*]]: index, %[[H2:.*]]: tensor<2x4xf32>, %[[N2:.*]]: tensor<2x4xf32>, %[[R2:.*]]: tensor<2x4xf32>, %[[OUT2:.*]]: tensor<2x4x8xf32>):
// CHECK: tensor.extract_slice %{{.*}}[%[[T2]], 0] [1, 8] [1, 1]
// CHECK: %[[PRE:.*]] = linalg.generic {{.*}} ins(%[[S2]], %{{.*}} : tensor<2x4x8xf32>, tensor<8xf32>)
// CHECK: linalg.matmul
// CHECK: %[[NEXT:.*]] = tensor.expand_shape
// CHECK: %[[LOGIT:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[PRE]], %[[W]] : tensor<2x4x8xf32>, tensor<1x8xf32>)
// CHECK: %[[UPD:.*]]:4 = linalg.generic {{.*}} ins(%[[LOGIT]], %[[H2]], %[[N2]], %[[R2]] :
// CHECK: math.exp
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oge
// CHECK: linalg.yield
// CHECK: %[[NEWOUT:.*]] = linalg.generic {{.*}} ins(%[[NEXT]], %[[OUT2]], %[[UPD]]#3 :
// CHECK: %[[T3:.*]] = arith.addi %[[T2]]
// CHECK: scf.yield %[[NEXT]], %[[T3]], %[[UPD]]#0, %[[UPD]]#1, %[[UPD]]#2, %[[NEWOUT]]
// CHECK: return %[[LOOP]]#5, %[[LOOP]]#3, %[[LOOP]]#4
//
// The loop-invariant weight transpose leaves the loop (and, being weight-only, the run):
// HOIST-LABEL: func.func @act(
// HOIST: scf.while
// HOIST-NOT: linalg.transpose
// HOIST: return
// HOIST: func.func @act_prepare(
// HOIST: linalg.transpose
func.func @act(%x: tensor<2x4x8xf32>, %w: tensor<1x8xf32>, %b: tensor<1xf32>, %lw: tensor<8x8xf32> {loom.weight = "lw"}, %tab: tensor<5x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) attributes {loom.entry} {
  %y, %n, %r = loom.act %x, %w, %b {max_steps = 4 : i64, threshold = 0.99 : f32}
      : (tensor<2x4x8xf32>, tensor<1x8xf32>, tensor<1xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  ^bb0(%s: tensor<2x4x8xf32>, %t: index):
    %row = tensor.extract_slice %tab[%t, 0] [1, 8] [1, 1] : tensor<5x8xf32> to tensor<8xf32>
    %pre = loom.add_bias %s, %row : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
    %next = loom.linear %pre, %lw : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    loom.yield %pre, %next : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  }
  return %y, %n, %r : tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// The interleaved table: column c is sin (even c) or cos (odd c) of row * f_(c >> 1).
// CHECK-LABEL: func @interleaved_table
// CHECK: linalg.generic
// CHECK: arith.andi
// CHECK: arith.cmpi ne
// CHECK: arith.shrsi
// CHECK: math.cos
// CHECK: math.sin
func.func @interleaved_table() -> tensor<6x8xf32> {
  %r = loom.sinusoidal_table {interleaved = true} : tensor<6x8xf32>
  return %r : tensor<6x8xf32>
}
