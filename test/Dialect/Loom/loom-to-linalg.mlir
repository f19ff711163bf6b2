// RUN: %loom-opt %s -convert-loom-to-linalg | FileCheck %s
// RUN: %loom-opt %s -convert-loom-to-linalg=panel-width=4 | FileCheck %s --check-prefix=PANELS

// RUN: %loom-opt %s -convert-loom-to-linalg | FileCheck %s --check-prefix=TILES
// The fused attention never builds a [seq_q, seq_k] tensor (@attention: seq 256).
// TILES-NOT: tensor<256x256xf32>
// TILES-NOT: x256x256xf32>

// The rope tables' map of @rope (maps print first).
// CHECK-DAG: #[[TAB:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>

// linear: transpose of the [out, in] weight, matmul into a zero fill, then ONE generic for
// bias + epilogue (the consumer loop the activation is folded into).
// CHECK-LABEL: func @linear
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<16x8xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[X2:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]]
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<16x8xf32>) outs(%{{.*}} : tensor<8x16xf32>) permutation = [1, 0]
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[MM:.*]] = linalg.matmul ins(%[[X2]], %[[WT]] : tensor<8x8xf32>, tensor<8x16xf32>) outs(%[[ZERO]]
// CHECK: %[[EPI:.*]] = linalg.generic {{.*}} ins(%[[MM]], %[[B]] : tensor<8x16xf32>, tensor<16xf32>)
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: tensor.expand_shape %[[EPI]]
func.func @linear(%x: tensor<2x4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> tensor<2x4x16xf32> {
  %cst = arith.constant 0.0 : f32
  %y = loom.linear %x, %w, %b epilogue {
  ^bb0(%v: f32):
    %r = arith.maximumf %v, %cst : f32
    loom.yield %r : f32
  } : (tensor<2x4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  return %y : tensor<2x4x16xf32>
}

// The residual is added last, after the epilogue, in the same generic.
// CHECK-LABEL: func @linear_residual
// CHECK-SAME: %[[R:[a-z0-9]+]]: tensor<2x4x16xf32>)
// CHECK: %[[MM:.*]] = linalg.matmul
// CHECK: %[[R2:.*]] = tensor.collapse_shape %[[R]] {{\[}}[0, 1], [2]]
// CHECK: linalg.generic {{.*}} ins(%[[MM]], %{{.*}}, %[[R2]] : tensor<8x16xf32>, tensor<16xf32>, tensor<8x16xf32>)
// CHECK-NEXT: ^bb0(%[[C:.*]]: f32, %[[BV:.*]]: f32, %[[RV:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.addf %[[C]], %[[BV]]
// CHECK: %[[A:.*]] = arith.maximumf %[[S]]
// CHECK: %[[Y:.*]] = arith.addf %[[A]], %[[RV]]
// CHECK: linalg.yield %[[Y]]
func.func @linear_residual(%x: tensor<2x4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>, %r: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %cst = arith.constant 0.0 : f32
  %y = loom.linear %x, %w, %b residual %r epilogue {
  ^bb0(%v: f32):
    %a = arith.maximumf %v, %cst : f32
    loom.yield %a : f32
  } : (tensor<2x4x8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %y : tensor<2x4x16xf32>
}

// A linear with neither bias nor epilogue is just the matmul.
// CHECK-LABEL: func @linear_plain
// CHECK: linalg.matmul
// CHECK-NOT: linalg.generic
func.func @linear_plain(%x: tensor<8x8xf32>, %w: tensor<16x8xf32>) -> tensor<8x16xf32> {
  %y = loom.linear %x, %w : (tensor<8x8xf32>, tensor<16x8xf32>) -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// attention: one fused kernel. An scf.forall over (batch, head, query block) runs an
// scf.for over key blocks carrying (O, row max, row sum): scores exist only as tiles, here
// [64, 64] (causal, at most 512 positions: the masked diagonal blocks are smaller). The scale (1/sqrt(4) = 0.5) multiplies the query tile once per
// task; the score tile's own pass applies only the mask. Causal: the key-block loop ends at
// the block of the block's last query, and is split in two.
// CHECK-LABEL: func @attention
// CHECK: %[[KT:.*]] = tensor.collapse_shape {{.*}} into tensor<2x4x256xf32>
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[QB:.*]]) in (1, 2, 4) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<1x256x2x4xf32>)
// CHECK: %[[Q0:.*]] = tensor.extract_slice %{{.*}}[%[[B]], %{{.*}}, %{{.*}}] [1, 64, 4] [1, 1, 1] : tensor<1x256x8xf32> to tensor<64x4xf32>
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%[[Q0]] : tensor<64x4xf32>)
// CHECK: arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK: %[[END:.*]] = arith.minsi
// Key blocks wholly before the block's first query: a first loop, with no mask.
// CHECK: %[[FULL:.*]] = arith.minsi %{{.*}}, %[[END]]
// CHECK: %[[VIS:.*]]:3 = scf.for %{{.*}} = %{{.*}} to %[[FULL]]
// CHECK-NOT: arith.cmpi
// CHECK: math.exp
// CHECK-NOT: arith.cmpi
// The rest (the diagonal block) in a second loop, carrying on from the first, masked.
// CHECK: scf.for %[[KB:.*]] = %[[FULL]] to %[[END]] step %{{.*}} iter_args(%{{.*}} = %[[VIS]]#0, %{{.*}} = %[[VIS]]#1, %{{.*}} = %[[VIS]]#2) -> (tensor<64x4xf32>, tensor<64xf32>, tensor<64xf32>)
// CHECK: %[[K:.*]] = tensor.extract_slice %[[KT]]{{.*}} [1, 4, 64] [1, 1, 1] : tensor<2x4x256xf32> to tensor<4x64xf32>
// CHECK: %[[S:.*]] = linalg.matmul ins(%[[Q]], %[[K]] : tensor<64x4xf32>, tensor<4x64xf32>)
// CHECK: %[[SM:.*]] = linalg.generic {{.*}} ins(%[[S]] : tensor<64x64xf32>)
// CHECK-NOT: arith.mulf
// CHECK: arith.cmpi sgt
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}}["parallel", "reduction"]{{.*}} ins(%[[SM]]
// CHECK: arith.maximumf
// CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%[[SM]], %[[MAX]]
// CHECK: math.exp
// CHECK: %[[V:.*]] = tensor.extract_slice {{.*}} [1, 64, 4] [1, 1, 1] : tensor<1x256x8xf32> to tensor<64x4xf32>
// CHECK: %[[O:.*]] = linalg.matmul ins(%[[P]], %[[V]] : tensor<64x64xf32>, tensor<64x4xf32>)
// CHECK: scf.yield %[[O]], %[[MAX]]
// CHECK: arith.divf
// CHECK: tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[B]], %{{.*}}, %[[H]], 0] [1, 64, 1, 4]
// With panel-width=P (loomc: the register tile's width), keys are packed once per call
// into [B*H, S/P, dh, P] and values into [B*H, dh/P, S, P]: both matmuls of a key block
// are panel contractions whose B operands are contiguous [K, P] panels (not rows 1-2 KiB
// apart, which share a few L1 sets).
// PANELS-LABEL: func @attention
// PANELS: linalg.transpose {{.*}} outs(%{{.*}} : tensor<1x2x64x4x4xf32>) permutation = [0, 3, 1, 4, 2]
// PANELS: %[[KP:.*]] = tensor.collapse_shape {{.*}} into tensor<2x64x4x4xf32>
// PANELS: linalg.transpose {{.*}} outs(%{{.*}} : tensor<1x2x1x256x4xf32>) permutation = [0, 2, 3, 1, 4]
// PANELS: %[[VP:.*]] = tensor.collapse_shape {{.*}} into tensor<2x1x256x4xf32>
// PANELS: scf.for
// PANELS: %[[K:.*]] = tensor.extract_slice %[[KP]]{{.*}} [1, 16, 4, 4] [1, 1, 1, 1] : tensor<2x64x4x4xf32> to tensor<16x4x4xf32>
// PANELS: %[[S3:.*]] = linalg.generic {{.*}}["parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%{{.*}}, %[[K]] : tensor<64x4xf32>, tensor<16x4x4xf32>)
// PANELS: tensor.collapse_shape %[[S3]] {{\[}}[0], [1, 2]] : tensor<64x16x4xf32> into tensor<64x64xf32>
// PANELS: %[[V:.*]] = tensor.extract_slice %[[VP]]{{.*}} [1, 1, 64, 4] [1, 1, 1, 1] : tensor<2x1x256x4xf32> to tensor<1x64x4xf32>
// PANELS: linalg.generic {{.*}}["parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%{{.*}}, %[[V]] : tensor<64x64xf32>, tensor<1x64x4xf32>)
// PANELS-NOT: linalg.matmul
// PANELS: return
func.func @attention(%q: tensor<1x256x8xf32>) -> tensor<1x256x8xf32> {
  %a = loom.attention %q, %q, %q {n_heads = 2 : i64, causal = true} : (tensor<1x256x8xf32>, tensor<1x256x8xf32>, tensor<1x256x8xf32>) -> tensor<1x256x8xf32>
  return %a : tensor<1x256x8xf32>
}

// Causal over more than 512 positions: 128 x 128 blocks.
// CHECK-LABEL: func @attention_causal_long
// CHECK: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (1, 2, 8) shared_outs
// CHECK: tensor.extract_slice %{{.*}} [1, 128, 4] [1, 1, 1] : tensor<1x1024x8xf32> to tensor<128x4xf32>
// CHECK: linalg.matmul {{.*}} -> tensor<128x128xf32>
func.func @attention_causal_long(%q: tensor<1x1024x8xf32>) -> tensor<1x1024x8xf32> {
  %a = loom.attention %q, %q, %q {n_heads = 2 : i64, causal = true} : (tensor<1x1024x8xf32>, tensor<1x1024x8xf32>, tensor<1x1024x8xf32>) -> tensor<1x1024x8xf32>
  return %a : tensor<1x1024x8xf32>
}

// Without the causal flag there is no mask, and every key block is visited; without a
// mask or bias the score tile goes straight from the matmul to the row max and exp.
// CHECK-LABEL: func @attention_full
// CHECK-NOT: arith.cmpi
// CHECK-NOT: arith.minsi
// CHECK: %[[S:.*]] = linalg.matmul
// CHECK-NEXT: %[[MAX:.*]] = linalg.generic {{.*}}["parallel", "reduction"]{{.*}} ins(%[[S]] : tensor<4x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[S]], %[[MAX]] :
// CHECK: math.exp
// CHECK: return
func.func @attention_full(%q: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %a = loom.attention %q, %q, %q {n_heads = 2 : i64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %a : tensor<2x4x8xf32>
}

// layer_norm: row sum, centred sum of squares, normalise with rsqrt(var + eps).
// CHECK-LABEL: func @layer_norm
// CHECK: linalg.generic {{.*}}["parallel", "reduction"]
// CHECK: linalg.generic {{.*}}["parallel", "reduction"]
// CHECK: linalg.generic {{.*}}["parallel", "parallel"]
// CHECK: math.rsqrt
func.func @layer_norm(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %n = loom.layer_norm %x, %g, %g : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %n : tensor<2x4x8xf32>
}

// sinusoidal_pe: computed from indices, no table.
// CHECK-LABEL: func @pe
// CHECK: linalg.generic
// CHECK: math.cos
// CHECK: math.sin
// CHECK: arith.select
func.func @pe(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %p = loom.sinusoidal_pe %x : tensor<2x4x8xf32>
  return %p : tensor<2x4x8xf32>
}

// gelu's scalar body is the exact erf form by default.
// CHECK-LABEL: func @gelu
// CHECK: linalg.generic
// CHECK: math.erf
func.func @gelu(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %g = loom.gelu %x : tensor<2x4x8xf32>
  return %g : tensor<2x4x8xf32>
}

// Ops of other dialects pass through untouched.
// CHECK-LABEL: func @untouched
// CHECK-NEXT: %[[S:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: return %[[S]]
func.func @untouched(%a: f32) -> f32 {
  %s = arith.addf %a, %a : f32
  return %s : f32
}

// A shared [H, Sq, Sk] bias is sliced per (head, query block, key block) and added to the
// score tile; window and block masks compare distances and block indices.
// CHECK-LABEL: func @attention_bias_masks
// CHECK: scf.forall (%{{.*}}, %[[H:.*]], %{{.*}}) in (2, 2, 1)
// CHECK: %[[BT:.*]] = tensor.extract_slice %{{.*}}[%[[H]], %{{.*}}, %{{.*}}] [1, 4, 4] [1, 1, 1] : tensor<2x4x4xf32> to tensor<4x4xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[BT]] : tensor<4x4xf32>, tensor<4x4xf32>)
// CHECK: arith.addf
// CHECK: arith.subi
// CHECK: arith.cmpi sge
// CHECK: arith.divsi
// CHECK: arith.cmpi ne
// CHECK: math.exp
func.func @attention_bias_masks(%q: tensor<2x4x8xf32>, %bias: tensor<2x4x4xf32>) -> tensor<2x4x8xf32> {
  %a = loom.attention %q, %q, %q bias %bias {n_heads = 2 : i64, window = 2 : i64, block_size = 2 : i64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x4xf32>) -> tensor<2x4x8xf32>
  return %a : tensor<2x4x8xf32>
}

// rope: [seq, d_head] cos and signed-sin tables computed from indices only (no input: they
// move to forward_prepare); no sin/cos per element. rotate_half (the default) works on
// slices of the two halves of each head: first halves a*C + b*S, second halves b*C + a*S,
// every access contiguous (no gather), written into one destination.
// CHECK-LABEL: func @rope
// CHECK: %[[COS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x4xf32>)
// CHECK: math.cos
// CHECK: %[[SIN:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4x4xf32>)
// CHECK: math.sin
// CHECK: %[[X4:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2, 3]] output_shape [1, 4, 2, 4]
// CHECK-DAG: %[[A:.*]] = tensor.extract_slice %[[X4]][0, 0, 0, 0] [1, 4, 2, 2]
// CHECK-DAG: %[[B:.*]] = tensor.extract_slice %[[X4]][0, 0, 0, 2] [1, 4, 2, 2]
// CHECK: %[[FIRST:.*]] = linalg.generic {{.*}} ins(%[[A]], %{{.*}}, %[[B]], %{{.*}} : tensor<1x4x2x2xf32>, tensor<4x2xf32>, tensor<1x4x2x2xf32>, tensor<4x2xf32>)
// CHECK-NOT: math.cos
// CHECK-NOT: tensor.extract %
// CHECK: %[[D1:.*]] = tensor.insert_slice %[[FIRST]] into %{{.*}}[0, 0, 0, 0] [1, 4, 2, 2]
// CHECK: %[[SECOND:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x2x2xf32>)
// CHECK: tensor.insert_slice %[[SECOND]] into %[[D1]][0, 0, 0, 2] [1, 4, 2, 2]
// CHECK: tensor.collapse_shape
func.func @rope(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %r = loom.rope %x {n_heads = 2 : i64, rotary_dim = 4 : i64} : tensor<1x4x8xf32>
  return %r : tensor<1x4x8xf32>
}

// Interleaved pairs (2i, 2i+1) read the partner with tensor.extract in one generic.
// CHECK-LABEL: func @rope_interleaved
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[TAB]], #[[TAB]], #{{.*}}]
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x4x2x4xf32>
func.func @rope_interleaved(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  %r = loom.rope %x {n_heads = 2 : i64, rotary_dim = 4 : i64, interleaved = true} : tensor<1x4x8xf32>
  return %r : tensor<1x4x8xf32>
}

// alibi_bias: the slopes are a constant (3 heads: 2^-4, 2^-8, then 2^-2 from the 4-head
// sequence), times -|p - j|.
// CHECK-LABEL: func @alibi
// CHECK: arith.constant dense<[6.250000e-02, 3.906250e-03, 2.500000e-01]> : tensor<3xf32>
// CHECK: linalg.generic
// CHECK: math.absf
// CHECK: arith.negf
func.func @alibi() -> tensor<3x4x4xf32> {
  %b = loom.alibi_bias {n_heads = 3 : i64} : tensor<3x4x4xf32>
  return %b : tensor<3x4x4xf32>
}

// add_position_table: the table's first seq rows, read at (s, d).
// CHECK-LABEL: func @position_table
// CHECK: %[[ROWS:.*]] = tensor.extract_slice %{{.*}}[0, 0] [4, 8] [1, 1] : tensor<16x8xf32> to tensor<4x8xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[ROWS]] : tensor<2x4x8xf32>, tensor<4x8xf32>)
// CHECK: arith.addf
func.func @position_table(%x: tensor<2x4x8xf32>, %t: tensor<16x8xf32>) -> tensor<2x4x8xf32> {
  %y = loom.add_position_table %x, %t : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  return %y : tensor<2x4x8xf32>
}

// t5_bias: the bucket from the indices (log-spaced beyond the exact range), then a gather
// of table[bucket, h].
// CHECK-LABEL: func @t5
// CHECK: linalg.generic
// CHECK: math.absi
// CHECK: math.log
// CHECK: arith.minsi
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<32x4xf32>
func.func @t5(%t: tensor<32x4xf32>) -> tensor<4x8x8xf32> {
  %b = loom.t5_bias %t {max_distance = 128 : i64} : (tensor<32x4xf32>) -> tensor<4x8x8xf32>
  return %b : tensor<4x8x8xf32>
}

// key_lengths: the example's length is read once per tile, ends the key-block loop after
// the last valid key, and masks keys at or past it.
// CHECK-LABEL: func @padding
// CHECK: scf.forall (%[[B:.*]], %{{.*}}, %{{.*}}) in (2, 2, 1)
// CHECK: %[[L:.*]] = tensor.extract %{{.*}}[%[[B]]] : tensor<2xi32>
// CHECK: %[[L64:.*]] = arith.extsi %[[L]]
// CHECK: %[[END:.*]] = arith.minsi
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[END]]
// CHECK: arith.cmpi sge, %{{.*}}, %[[L64]]
func.func @padding(%q: tensor<2x4x8xf32>, %l: tensor<2xi32>) -> tensor<2x4x8xf32> {
  %a = loom.attention %q, %q, %q key_lengths %l {n_heads = 2 : i64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2xi32>) -> tensor<2x4x8xf32>
  return %a : tensor<2x4x8xf32>
}

// rms_norm: one sum-of-squares reduction, then x * rsqrt(ss / d + eps) * weight (no mean,
// no bias); silu is x / (1 + exp(-x)).
// CHECK-LABEL: func @rms_silu
// CHECK: linalg.generic {{.*}}["parallel", "reduction"]
// CHECK: linalg.generic {{.*}}["parallel", "parallel"]
// CHECK: math.rsqrt
// CHECK-NOT: arith.subf
// CHECK: linalg.generic
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.divf
func.func @rms_silu(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %n = loom.rms_norm %x, %g : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %s = loom.silu %n : tensor<2x4x8xf32>
  return %s : tensor<2x4x8xf32>
}

// relative_logits: a d-reduction reading q at (b, i, h * d_head + d) and the clipped table
// row, then the scale; attention's rel_values add a j-reduction into the rescaled context
// before P V.
// CHECK-LABEL: func @shaw
// CHECK: linalg.generic {{.*}}["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: tensor.extract %{{.*}} : tensor<5x4xf32>
// CHECK: scf.forall
// CHECK: linalg.generic {{.*}}["parallel", "parallel", "reduction"]
// CHECK: tensor.extract %{{.*}} : tensor<5x4xf32>
// CHECK: linalg.matmul
func.func @shaw(%q: tensor<2x4x8xf32>, %t: tensor<5x4xf32>) -> tensor<2x4x8xf32> {
  %b = loom.relative_logits %q, %t {n_heads = 2 : i64, max_distance = 2 : i64, scale = 0.5 : f32} : (tensor<2x4x8xf32>, tensor<5x4xf32>) -> tensor<2x2x4x4xf32>
  %a = loom.attention %q, %q, %q bias %b rel_values %t {n_heads = 2 : i64, rel_max_distance = 2 : i64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x2x4x4xf32>, tensor<5x4xf32>) -> tensor<2x4x8xf32>
  return %a : tensor<2x4x8xf32>
}

// relative_logits in DeBERTa's p2c mode reads the keys at j and the per-head table columns
// h * d_head + d; c2p clips p - j to [-k, k - 1].
// CHECK-LABEL: func @deberta_terms
// CHECK: linalg.generic
// CHECK: arith.subi
// CHECK: arith.minsi
// CHECK: arith.muli
// CHECK: tensor.extract %{{.*}} : tensor<4x8xf32>
func.func @deberta_terms(%x: tensor<2x4x8xf32>, %t: tensor<4x8xf32>) -> tensor<2x2x4x4xf32> {
  %c = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 2 : i64, scale = 1.0 : f32, mode = "c2p"} : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x2x4x4xf32>
  %p = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 2 : i64, scale = 1.0 : f32, mode = "p2c"} : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x2x4x4xf32>
  %s = loom.add %c, %p : tensor<2x2x4x4xf32>
  return %s : tensor<2x2x4x4xf32>
}

// relative_logits' xl_shift (ESPnet's legacy rel_shift) reads both the query row and the
// table row by index: the upper triangle (j > i) reads query i + 1 and row T + 1 + i - j,
// the first superdiagonal (j = i + 1) is zero.
// CHECK-LABEL: func @xl_shift
// CHECK: linalg.generic {{.*}}["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.cmpi ugt
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: tensor.extract %{{.*}} : tensor<2x4x2x4xf32>
// CHECK: tensor.extract %{{.*}} : tensor<4x8xf32>
// CHECK: arith.select %{{.*}}, %cst{{.*}}, %{{.*}} : f32
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @xl_shift(%x: tensor<2x4x8xf32>, %t: tensor<4x8xf32>) -> tensor<2x2x4x4xf32> {
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 0 : i64, scale = 0.5 : f32, mode = "xl_shift"} : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x2x4x4xf32>
  return %b : tensor<2x2x4x4xf32>
}

// relative_logits' key_position (WeNet's relative attention without rel_shift) reads the
// key's own table row j, per-head columns h * d_head + d, no clipping.
// CHECK-LABEL: func @key_position
// CHECK: linalg.generic {{.*}}["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: %[[I3:.*]] = linalg.index 3 : index
// CHECK: %[[J:.*]] = arith.index_cast %[[I3]] : index to i64
// CHECK-NOT: arith.minsi
// CHECK: %[[ROW:.*]] = arith.index_cast %[[J]] : i64 to index
// CHECK: tensor.extract %{{.*}}[%[[ROW]], %{{.*}}] : tensor<4x8xf32>
func.func @key_position(%x: tensor<2x4x8xf32>, %t: tensor<4x8xf32>) -> tensor<2x2x4x4xf32> {
  %b = loom.relative_logits %x, %t {n_heads = 2 : i64, max_distance = 0 : i64, scale = 0.5 : f32, mode = "key_position"} : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x2x4x4xf32>
  return %b : tensor<2x2x4x4xf32>
}

// sinusoidal_table's offset is added to the row index before the angle (ESPnet's negative
// distances: row r embeds position r + offset).
// CHECK-LABEL: func @table_offset
// CHECK: %[[OFF:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: linalg.generic
// CHECK: %[[R:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: arith.addi %[[R]], %[[OFF]] : i64
// CHECK: math.sin
func.func @table_offset(%off: index) -> tensor<6x8xf32> {
  %r = loom.sinusoidal_table offset(%off) {interleaved = true} : tensor<6x8xf32>
  return %r : tensor<6x8xf32>
}

// add_bias reads the bias along the last dimension, scaled by alpha; sinusoidal_table is an
// index-only generic: sines for the first half of the features, cosines for the second.
// CHECK-LABEL: func @xl_ops
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x4x8xf32>, tensor<8xf32>)
// CHECK: arith.constant -1.000000e+00 : f32
// CHECK: linalg.generic
// CHECK: arith.cmpi sge
// CHECK: math.cos
// CHECK: math.sin
func.func @xl_ops(%x: tensor<2x4x8xf32>, %u: tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<6x8xf32>) {
  %y = loom.add_bias %x, %u {alpha = -1.0 : f32} : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %r = loom.sinusoidal_table : tensor<6x8xf32>
  return %y, %r : tensor<2x4x8xf32>, tensor<6x8xf32>
}

// A static length whose blocks would not be a multiple of 16 positions (20: 20 x 20) runs
// as a dynamic one does: queries, keys and values zero-padded to whole blocks, here one of
// 32 queries (a multiple of 16) and one of 32 keys (of 32, a key panel), the padded keys
// masked, and the first 20 rows kept. A length of 32 keeps its one 32 x 32 block and is
// not padded.
// CHECK-LABEL: func @attention_odd_static
// CHECK-COUNT-3: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0] [1, 20, 16] [1, 1, 1] : tensor<1x20x16xf32> into tensor<1x?x16xf32>
// CHECK: scf.forall
// CHECK: tensor.extract_slice {{.*}} [1, 32, 8] [1, 1, 1] : tensor<1x?x16xf32> to tensor<32x8xf32>
// CHECK: tensor.extract_slice {{.*}} [1, 32, 8] [1, 1, 1] : tensor<1x?x16xf32> to tensor<32x8xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 20, 2, 8] [1, 1, 1, 1] : tensor<1x?x2x8xf32> to tensor<1x20x2x8xf32>
// CHECK-LABEL: func @attention_even_static
// CHECK-NOT: tensor.insert_slice
// CHECK: tensor.extract_slice %{{.*}} [1, 32, 8] [1, 1, 1] : tensor<1x32x16xf32> to tensor<32x8xf32>
func.func @attention_odd_static(%q: tensor<1x20x16xf32>) -> tensor<1x20x16xf32> {
  %a = loom.attention %q, %q, %q {n_heads = 2 : i64} : (tensor<1x20x16xf32>, tensor<1x20x16xf32>, tensor<1x20x16xf32>) -> tensor<1x20x16xf32>
  return %a : tensor<1x20x16xf32>
}
func.func @attention_even_static(%q: tensor<1x32x16xf32>) -> tensor<1x32x16xf32> {
  %a = loom.attention %q, %q, %q {n_heads = 2 : i64} : (tensor<1x32x16xf32>, tensor<1x32x16xf32>, tensor<1x32x16xf32>) -> tensor<1x32x16xf32>
  return %a : tensor<1x32x16xf32>
}
