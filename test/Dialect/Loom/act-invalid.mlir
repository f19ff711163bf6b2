// RUN: %loom-opt %s -split-input-file -verify-diagnostics

func.func @weight_shape(%x: tensor<2x4x8xf32>, %w: tensor<8xf32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{halting_weight must be [1, 8]}}
  %y, %n, %r = loom.act %x, %w, %b {max_steps = 4 : i64, threshold = 0.99 : f32}
      : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<1xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  ^bb0(%s: tensor<2x4x8xf32>, %t: index):
    loom.yield %s, %s : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  }
  return
}

// -----

func.func @zero_steps(%x: tensor<2x4x8xf32>, %w: tensor<1x8xf32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{max_steps must be at least 1}}
  %y, %n, %r = loom.act %x, %w, %b {max_steps = 0 : i64, threshold = 0.99 : f32}
      : (tensor<2x4x8xf32>, tensor<1x8xf32>, tensor<1xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  ^bb0(%s: tensor<2x4x8xf32>, %t: index):
    loom.yield %s, %s : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  }
  return
}

// -----

func.func @threshold(%x: tensor<2x4x8xf32>, %w: tensor<1x8xf32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{threshold must be in (0, 1]}}
  %y, %n, %r = loom.act %x, %w, %b {max_steps = 2 : i64, threshold = 1.5 : f32}
      : (tensor<2x4x8xf32>, tensor<1x8xf32>, tensor<1xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  ^bb0(%s: tensor<2x4x8xf32>, %t: index):
    loom.yield %s, %s : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  }
  return
}

// -----

func.func @ponder_shape(%x: tensor<2x4x8xf32>, %w: tensor<1x8xf32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{ponder_steps and remainders must be 'tensor<2x4xf32>'}}
  %y, %n, %r = loom.act %x, %w, %b {max_steps = 2 : i64, threshold = 0.99 : f32}
      : (tensor<2x4x8xf32>, tensor<1x8xf32>, tensor<1xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x1xf32>, tensor<2x4xf32>) {
  ^bb0(%s: tensor<2x4x8xf32>, %t: index):
    loom.yield %s, %s : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  }
  return
}

// -----

func.func @body_args(%x: tensor<2x4x8xf32>, %w: tensor<1x8xf32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{body must take the state ('tensor<2x4x8xf32>') and the step (index)}}
  %y, %n, %r = loom.act %x, %w, %b {max_steps = 2 : i64, threshold = 0.99 : f32}
      : (tensor<2x4x8xf32>, tensor<1x8xf32>, tensor<1xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  ^bb0(%s: tensor<2x4x8xf32>):
    loom.yield %s, %s : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  }
  return
}

// -----

func.func @one_yield(%x: tensor<2x4x8xf32>, %w: tensor<1x8xf32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{body must end in a loom.yield of two 'tensor<2x4x8xf32>' (the signalled and the next state)}}
  %y, %n, %r = loom.act %x, %w, %b {max_steps = 2 : i64, threshold = 0.99 : f32}
      : (tensor<2x4x8xf32>, tensor<1x8xf32>, tensor<1xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  ^bb0(%s: tensor<2x4x8xf32>, %t: index):
    loom.yield %s : tensor<2x4x8xf32>
  }
  return
}
