// RUN: %loom-opt %s -split-input-file -verify-diagnostics

func.func @bos_outside(%w: tensor<5x8xf32>) {
  // expected-error @+1 {{bos (7) must be a token id in [0, 5)}}
  %ids, %logits = loom.greedy_decode {bos = 7 : i64, eos = 2 : i64, max_len = 4 : i64}
      : () -> (tensor<2x4xi64>, tensor<2x4x5xf32>) {
  ^bb0(%prev: tensor<2x1xi64>, %pos: index):
    %z = arith.constant dense<0.0> : tensor<2x1x5xf32>
    loom.yield %z : tensor<2x1x5xf32>
  }
  return
}

// -----

func.func @ids_length() {
  // expected-error @+1 {{ids must be [batch, max_len] with max_len = 4}}
  %ids, %logits = loom.greedy_decode {bos = 1 : i64, eos = 2 : i64, max_len = 4 : i64}
      : () -> (tensor<2x3xi64>, tensor<2x4x5xf32>) {
  ^bb0(%prev: tensor<2x1xi64>, %pos: index):
    %z = arith.constant dense<0.0> : tensor<2x1x5xf32>
    loom.yield %z : tensor<2x1x5xf32>
  }
  return
}

// -----

func.func @state_type() {
  // expected-error @+1 {{state #0 must be yielded with its type 'tensor<2x4x8xf32>'}}
  %ids, %logits = loom.greedy_decode {bos = 1 : i64, eos = 2 : i64, max_len = 4 : i64}
      : () -> (tensor<2x4xi64>, tensor<2x4x5xf32>) {
  ^bb0(%prev: tensor<2x1xi64>, %pos: index, %s: tensor<2x4x8xf32>):
    %z = arith.constant dense<0.0> : tensor<2x1x5xf32>
    %t = arith.constant dense<0.0> : tensor<2x4x9xf32>
    loom.yield %z, %t : tensor<2x1x5xf32>, tensor<2x4x9xf32>
  }
  return
}

// -----

func.func @step_logits() {
  // expected-error @+1 {{body must yield the step's logits ('tensor<2x1x5xf32>') and then every state}}
  %ids, %logits = loom.greedy_decode {bos = 1 : i64, eos = 2 : i64, max_len = 4 : i64}
      : () -> (tensor<2x4xi64>, tensor<2x4x5xf32>) {
  ^bb0(%prev: tensor<2x1xi64>, %pos: index):
    %z = arith.constant dense<0.0> : tensor<2x2x5xf32>
    loom.yield %z : tensor<2x2x5xf32>
  }
  return
}
