// RUN: %loom-opt %s -split-input-file | %loom-opt -split-input-file | FileCheck %s --check-prefix=ROUND
// RUN: %loom-opt %s -split-input-file -convert-loom-to-linalg | FileCheck %s

// ROUND-LABEL: func @decode
// ROUND: loom.greedy_decode {bos = 1 : i64, eos = 2 : i64, max_len = 4 : i64, pad = 3 : i64}

// One scf.while carrying (position, previous token, finished, ids, logits, state). It runs
// while position < max_len and some sequence is open; after the body: argmax over the
// vocabulary (first maximum), pad for finished sequences, eos check, and the step's token
// and logits written at the position.
// CHECK-LABEL: func @decode
// CHECK: %[[LOOP:.*]]:6 = scf.while (%[[P:.*]] = %{{.*}}, %[[PREV:.*]] = %{{.*}}, %[[FIN:.*]] = %{{.*}}, %[[IDS:.*]] = %{{.*}}, %[[LOG:.*]] = %{{.*}}, %[[ST:.*]] = %{{.*}}) : (index, tensor<2x1xi64>, tensor<2xf32>, tensor<2x4xi64>, tensor<2x4x5xf32>, tensor<2x4x8xf32>)
// CHECK: arith.cmpi slt, %[[P]]
// CHECK: scf.condition
// CHECK: } do {
// CHECK: ^bb0(%[[P2:.*]]: index, %[[PREV2:.*]]: tensor<2x1xi64>, %[[FIN2:.*]]: tensor<2xf32>, %[[IDS2:.*]]: tensor<2x4xi64>, %[[LOG2:.*]]: tensor<2x4x5xf32>, %[[ST2:.*]]: tensor<2x4x8xf32>):
// CHECK: %[[NEWST:.*]] = tensor.insert_slice %{{.*}} into %[[ST2]][0, %[[P2]], 0]
// CHECK: %[[ARG:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: %[[TOK:.*]]:2 = linalg.generic {{.*}} ins(%[[ARG]]#1, %[[FIN2]] :
// CHECK: arith.constant 3 : i64
// CHECK: arith.cmpi eq
// CHECK: %[[TOK2:.*]] = tensor.expand_shape %[[TOK]]#0
// CHECK: %[[NEWIDS:.*]] = tensor.insert_slice %[[TOK2]] into %[[IDS2]][0, %[[P2]]] [2, 1] [1, 1]
// CHECK: %[[NEWLOG:.*]] = tensor.insert_slice %{{.*}} into %[[LOG2]][0, %[[P2]], 0] [2, 1, 5] [1, 1, 1]
// CHECK: scf.yield %{{.*}}, %[[TOK2]], %[[TOK]]#1, %[[NEWIDS]], %[[NEWLOG]], %[[NEWST]]
// CHECK: return %[[LOOP]]#3, %[[LOOP]]#4
func.func @decode(%table: tensor<5x8xf32>, %w: tensor<5x8xf32>) -> (tensor<2x4xi64>, tensor<2x4x5xf32>) {
  %ids, %logits = loom.greedy_decode {bos = 1 : i64, eos = 2 : i64, max_len = 4 : i64, pad = 3 : i64}
      : () -> (tensor<2x4xi64>, tensor<2x4x5xf32>) {
  ^bb0(%prev: tensor<2x1xi64>, %pos: index, %cache: tensor<2x4x8xf32>):
    %x = loom.embedding %prev, %table : (tensor<2x1xi64>, tensor<5x8xf32>) -> tensor<2x1x8xf32>
    %c = tensor.insert_slice %x into %cache[0, %pos, 0] [2, 1, 8] [1, 1, 1] : tensor<2x1x8xf32> into tensor<2x4x8xf32>
    %l = loom.linear %x, %w : (tensor<2x1x8xf32>, tensor<5x8xf32>) -> tensor<2x1x5xf32>
    loom.yield %l, %c : tensor<2x1x5xf32>, tensor<2x4x8xf32>
  }
  return %ids, %logits : tensor<2x4xi64>, tensor<2x4x5xf32>
}
