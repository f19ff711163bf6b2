//===- LoomOps.td - loom dialect operations ----------------*- tablegen -*-===//
//
// Shapes are written [batch, seq, d]. All ops work on ranked, statically shaped f32 tensors.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_OPS_TD
#define LOOM_OPS_TD

include "loom/Dialect/Loom/IR/LoomDialect.td"
include "loom/Dialect/Loom/IR/LoomInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/IR/OpBase.td"

def Loom_F32Tensor : RankedTensorOf<[F32]>;

//===----------------------------------------------------------------------===//
// Projections
//===----------------------------------------------------------------------===//

def Loom_LinearOp : Loom_Op<"linear", [Pure, AttrSizedOperandSegments]> {
  let summary = "y = epilogue(x W^T + b) + residual (torch.nn.Linear, then a fused epilogue), or its gated (GLU) form";
  let description = [{
    `input` is `[..., in_features]`, `weight` is `[out_features, in_features]` (PyTorch
    layout), the optional `bias` is `[out_features]`; the result is `[..., out_features]`.

    The optional `epilogue` region takes one f32 (the biased value) and yields one f32; it is
    applied to every element of the result. The optional `residual` has the result's shape
    and is added last: `x + sublayer(x)`, the residual connection (He et al. 2016; Vaswani
    et al. 2017, section 3.1). Fusion passes fill both (an activation; the `loom.add` of a
    residual connection), so the bias, the activation, the residual add and the store
    happen on each tile of the matmul while it is in cache.

    With `glu = "first"` or `glu = "second"` the linear is a gated linear unit (Dauphin et
    al. 2017; Shazeer 2020, "GLU Variants Improve Transformer"): the weight is
    `[2 * f, in_features]` (and the bias `[2 * f]`), z = x W^T + b is split into its halves
    z1 = z[..., :f] and z2 = z[..., f:], and the result is `[..., f]`:

      glu = "first":  epilogue(z1) * z2 (SwiGLU/GeGLU: act(gate_proj(x)) * up_proj(x),
                      Hugging Face LlamaMLP, with the weights concatenated [gate; up])
      glu = "second": z1 * epilogue(z2) (torch.nn.GLU(dim=-1): a * sigmoid(b))

    without an epilogue the gate is the identity (the bilinear variant). The residual is
    added to the gated product. `loom-fuse-linear-epilogue` forms it from the split, the
    activation and the `loom.mul` (or `loom.glu`), so the gating runs on the matmul's tiles.

    With `rope_heads = H` the linear is a query or key projection with its rotary position
    embedding (Su et al. 2021, sec. 3.4) applied to z = x W^T + b: exactly
    `loom.rope` with `n_heads = H`, `rotary_dim = d_head = out_features / H`,
    `interleaved = false` (Hugging Face `rotate_half`), `base = rope_base` and
    `position_offset = rope_position_offset`, at the positions of the input's dim 1 (the
    input is `[batch, seq, in_features]`). The residual, if any, is added after the
    rotation; an epilogue or `glu` cannot be combined with it. `loom-fuse-rope` forms it,
    so the rotation runs on the projection's tiles.

    With `rope_rotary_dim = r` (even, at most d_head; d_head is the same as unset) only the pairs `(i, d_head/2 + i)` with
    `i < r/2` rotate, by `theta_i = base^(-2i / r)`; the other pairs pass through. This is
    the layout `loom-fuse-rope` gives a projection whose rows it permuted per head (the
    rotated pairs' first features, then half of the passed-through ones, then the pairs'
    second features and the rest), so that interleaved pairs and partial rotary become
    this form; it only does so where the consumer cannot tell the order of a head's
    features apart (the query and key of one `loom.attention`).

    ```mlir
    %y = loom.linear %x, %w, %b : (tensor<2x16x64xf32>, tensor<128x64xf32>, tensor<128xf32>)
                                    -> tensor<2x16x128xf32>
    %g = loom.linear %x, %wgu glu first epilogue {
      ^bb0(%v: f32):
        ...
        loom.yield %s : f32
    } : (tensor<2x16x64xf32>, tensor<256x64xf32>) -> tensor<2x16x128xf32>
    %z = loom.linear %h, %w2 residual %x
           : (tensor<2x16x128xf32>, tensor<64x128xf32>, tensor<2x16x64xf32>) -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$weight, Optional<Loom_F32Tensor>:$bias,
                       Optional<Loom_F32Tensor>:$residual, OptionalAttr<StrAttr>:$glu,
                       OptionalAttr<I64Attr>:$rope_heads,
                       DefaultValuedOptionalAttr<F64Attr, "10000.0">:$rope_base,
                       DefaultValuedOptionalAttr<I64Attr, "0">:$rope_position_offset,
                       OptionalAttr<I64Attr>:$rope_rotary_dim);
  let results = (outs Loom_F32Tensor:$result);
  let regions = (region AnyRegion:$epilogue);
  let hasVerifier = 1;
  let hasCustomAssemblyFormat = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Type":$resultType, "::mlir::Value":$input,
                   "::mlir::Value":$weight, "::mlir::Value":$bias,
                   CArg<"::mlir::Value", "{}">:$residual)>
  ];
  let extraClassDeclaration = [{
    bool hasEpilogue() { return !getEpilogue().empty(); }
    /// Whether this is a gated linear unit (`glu` set): the result is half the matmul.
    bool isGated() { return getGluAttr() != nullptr; }
    /// Whether the rotary position embedding is applied to the result (`rope_heads` set).
    bool hasRope() { return getRopeHeadsAttr() != nullptr; }
    /// Whether nothing has been fused into this linear yet (no epilogue, residual, gating
    /// or rotation): the form the fusion passes start from.
    bool isPlain() { return !hasEpilogue() && !getResidual() && !isGated() && !hasRope(); }
    int64_t getInFeatures() { return getWeight().getType().getDimSize(1); }
    /// The matmul's columns: the weight's rows (twice the result's features when gated).
    int64_t getOutFeatures() { return getWeight().getType().getDimSize(0); }
    /// With rope: d_head, and the features of each head that rotate (rope_rotary_dim, or
    /// all of d_head).
    int64_t getRopeDHead() { return getOutFeatures() / static_cast<int64_t>(*getRopeHeads()); }
    int64_t getRopeRotated() {
      return getRopeRotaryDim() ? static_cast<int64_t>(*getRopeRotaryDim()) : getRopeDHead();
    }
    /// Sets this linear's rope attributes to `other`'s (`heads` heads, if given).
    void copyRopeFrom(LinearOp other, std::optional<int64_t> heads = std::nullopt) {
      setRopeHeadsAttr(heads ? ::mlir::IntegerAttr::get(other.getRopeHeadsAttr().getType(), *heads)
                             : other.getRopeHeadsAttr());
      setRopeBaseAttr(other.getRopeBaseAttr());
      setRopePositionOffsetAttr(other.getRopePositionOffsetAttr());
      setRopeRotaryDimAttr(other.getRopeRotaryDimAttr());
    }
  }];
}

def Loom_YieldOp : Loom_Op<"yield", [Pure, Terminator, ReturnLike,
    ParentOneOf<["LinearOp", "PointwiseOp", "ActOp", "GreedyDecodeOp"]>]> {
  let summary = "Yields the scalar result of an epilogue or pointwise body, or a loop step's values";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

//===----------------------------------------------------------------------===//
// Activations (element-wise)
//===----------------------------------------------------------------------===//

class Loom_UnaryActivation<string mnemonic, list<Trait> traits = []>
    : Loom_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType,
        DeclareOpInterfaceMethods<Loom_ElementwiseUnaryOpInterface>])> {
  let arguments = (ins Loom_F32Tensor:$input);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Loom_ReluOp : Loom_UnaryActivation<"relu"> {
  let summary = "max(x, 0) (torch.nn.ReLU)";
}

def Loom_GeluOp : Loom_UnaryActivation<"gelu"> {
  let summary = "Gaussian error linear unit (Hendrycks & Gimpel 2016; torch.nn.GELU)";
  let description = [{
    `approximate = "none"` (default): x * 0.5 * (1 + erf(x / sqrt(2))).
    `approximate = "tanh"`: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  }];
  let arguments = (ins Loom_F32Tensor:$input, DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Loom_SiluOp : Loom_UnaryActivation<"silu"> {
  let summary = "x * sigmoid(x) (Elfwing et al. 2018; torch.nn.SiLU, swish with beta 1)";
}

def Loom_SigmoidOp : Loom_UnaryActivation<"sigmoid"> {
  let summary = "1 / (1 + exp(-x)) (torch.nn.Sigmoid)";
}

def Loom_TanhOp : Loom_UnaryActivation<"tanh"> {
  let summary = "tanh(x) (torch.nn.Tanh)";
}

def Loom_SwishOp : Loom_UnaryActivation<"swish"> {
  let summary = "x * sigmoid(beta * x) (Ramachandran et al. 2017); beta = 1 is SiLU";
  let arguments = (ins Loom_F32Tensor:$input, DefaultValuedAttr<F32Attr, "1.0">:$beta);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Loom_EluOp : Loom_UnaryActivation<"elu"> {
  let summary = "x if x > 0, else alpha (exp(x) - 1) (Clevert et al. 2016; torch.nn.ELU)";
  let arguments = (ins Loom_F32Tensor:$input, DefaultValuedAttr<F32Attr, "1.0">:$alpha);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Loom_PointwiseOp : Loom_Op<"pointwise", [Pure, SameOperandsAndResultType,
    DeclareOpInterfaceMethods<Loom_ElementwiseUnaryOpInterface>]> {
  let summary = "A unary element-wise function given by its scalar body";
  let description = [{
    The body takes one f32 and yields one f32; it is applied to every element. Plugins use it
    for activations the dialect has no named op for.

    ```mlir
    %y = loom.pointwise %x : tensor<2x16x64xf32> {
    ^bb0(%v: f32):
      %e = math.exp %v : f32
      loom.yield %e : f32
    }
    ```
  }];
  let arguments = (ins Loom_F32Tensor:$input);
  let results = (outs Loom_F32Tensor:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$input attr-dict `:` type($input) $body";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Residuals, norms, positions
//===----------------------------------------------------------------------===//

def Loom_AddOp : Loom_Op<"add", [Pure, SameOperandsAndResultType, Commutative]> {
  let summary = "Element-wise sum (the residual connection, He et al. 2016)";
  let arguments = (ins Loom_F32Tensor:$lhs, Loom_F32Tensor:$rhs);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Loom_MulOp : Loom_Op<"mul", [Pure, SameOperandsAndResultType, Commutative]> {
  let summary = "Element-wise product (the gating of GLU variants, Shazeer 2020)";
  let arguments = (ins Loom_F32Tensor:$lhs, Loom_F32Tensor:$rhs);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Loom_RmsNormOp : Loom_Op<"rms_norm", [Pure]> {
  let summary = "Root-mean-square normalisation over the last dimension (Zhang & Sennrich 2019; T5, LLaMA)";
  let description = [{
    y = x / sqrt(mean(x^2) + epsilon) * weight, `weight` `[d]`; no mean subtraction and no
    bias (Hugging Face T5LayerNorm / LlamaRMSNorm).
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$weight,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Loom_LayerNormOp : Loom_Op<"layer_norm", [Pure]> {
  let summary = "Layer normalisation over the last dimension (Ba et al. 2016; torch.nn.LayerNorm)";
  let description = [{
    y = (x - mean) / sqrt(var + epsilon) * weight + bias, with the biased variance over the
    last dimension `d`. `weight` and `bias` are `[d]`.
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$weight, Loom_F32Tensor:$bias,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_SinusoidalPEOp : Loom_Op<"sinusoidal_pe", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Adds the sinusoidal absolute position encoding (Vaswani et al. 2017, sec. 3.5)";
  let description = [{
    `input` is `[batch, seq, d_model]` with even `d_model`. Adds, at position `pos`,
    PE(pos, 2i) = sin(pos / base^(2i/d_model)) and PE(pos, 2i+1) = cos(pos / base^(2i/d_model)),
    `base` = 10000 by default (the PyTorch tutorial's `PositionalEncoding`).
    `positions` (optional `[seq]` i64, batch 1) gives each row's position, for packed
    sequences (loom-remove-padding); otherwise row s is at position s.
  }];
  let arguments = (ins Loom_F32Tensor:$input, Optional<RankedTensorOf<[I64]>>:$positions,
                       DefaultValuedAttr<F64Attr, "10000.0">:$base);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$input (`positions` $positions^ `:` type($positions))? attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Loom_AddPositionTableOp : Loom_Op<"add_position_table", [Pure]> {
  let summary = "Adds a learned absolute position table (BERT; Devlin et al. 2019, sec. 3)";
  let description = [{
    `input` is `[batch, seq, d_model]`, `table` is `[max_len, d_model]` (an nn.Embedding
    weight); the result is input[b, s, :] + table[s, :]. Needs seq <= max_len.
    `positions` (optional `[seq]` i64, batch 1) gives each row's position instead of s, for
    packed sequences (loom-remove-padding).
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$table,
                       Optional<RankedTensorOf<[I64]>>:$positions);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$input `,` $table (`positions` $positions^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Loom_AttentionOp : Loom_Op<"attention", [Pure, AttrSizedOperandSegments]> {
  let summary = "Multi-head scaled dot-product attention (Vaswani et al. 2017, sec. 3.2)";
  let description = [{
    `query` is `[batch, seq_q, d_model]`, `key` and `value` are `[batch, seq_k, d_model]`,
    already projected. Each is split into `n_heads` heads of `d_head = d_model / n_heads`
    (head h owns features `[h*d_head, (h+1)*d_head)`, as in torch.nn.MultiheadAttention).
    Per head: softmax(Q K^T * scale + bias + mask) V, with `scale` = 1/sqrt(d_head) unless
    given. The heads are concatenated: result `[batch, seq_q, d_model]`.

    `bias` (optional) is added to the scaled scores: `[n_heads, seq_q, seq_k]` (shared by the
    batch, e.g. ALiBi or T5 biases) or `[batch, n_heads, seq_q, seq_k]`.

    Masks, with query i at absolute position p = i + seq_k - seq_q (queries are the last
    seq_q positions) and key j; a masked key gets probability 0:
    - `causal`: j > p is masked.
    - `window` (> 0): sliding-window (local) attention; j is visible only if p - j < window
      and, unless causal, j - p < window.
    - `block_size` (> 0): block-diagonal; j is visible only if p / block_size == j / block_size.
    - `rel_values` (optional `[2 * rel_max_distance + 1, d_head]`): Shaw et al. 2018 relative
      value embeddings; the output of query p adds sum_j prob(p, j) * rel_values[clip(j - p,
      -rel_max_distance, rel_max_distance) + rel_max_distance], shared by all heads.
    - `key_lengths` (optional `[batch]` i32/i64): padding; key j of example b is masked if
      j >= key_lengths[b] (PyTorch's `key_padding_mask`). Query rows past the length are
      computed like any other row (they attend to the valid keys), as in PyTorch.
    - `segment_start`, `segment_end` (optional, together, `[seq]` i64; batch 1, self-
      attention): packed sequences (loom-remove-padding); query i sees only the keys of
      its own sequence, [segment_start[i], segment_end[i]), as FlashAttention's varlen
      kernels do with cu_seqlens. Key blocks outside a query block's sequences are skipped.
    A query row with no visible key yields zeros.
  }];
  let arguments = (ins Loom_F32Tensor:$query, Loom_F32Tensor:$key, Loom_F32Tensor:$value,
                       Optional<Loom_F32Tensor>:$bias,
                       Optional<RankedTensorOf<[I32, I64]>>:$key_lengths,
                       Optional<Loom_F32Tensor>:$rel_values,
                       Optional<RankedTensorOf<[I64]>>:$segment_start,
                       Optional<RankedTensorOf<[I64]>>:$segment_end,
                       I64Attr:$n_heads,
                       DefaultValuedAttr<BoolAttr, "false">:$causal,
                       DefaultValuedAttr<I64Attr, "0">:$window,
                       DefaultValuedAttr<I64Attr, "0">:$block_size,
                       DefaultValuedAttr<I64Attr, "0">:$rel_max_distance,
                       OptionalAttr<F32Attr>:$scale);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`bias` $bias^)? (`key_lengths` $key_lengths^)?
    (`rel_values` $rel_values^)? (`segment_start` $segment_start^)?
    (`segment_end` $segment_end^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getDHead() {
      return getQuery().getType().getDimSize(2) / getNHeads();
    }
    /// The scale applied to Q K^T: the attribute, or 1/sqrt(d_head).
    float getEffectiveScale();
  }];
}

def Loom_RopeOp : Loom_Op<"rope", [Pure, SameOperandsAndResultType]> {
  let summary = "Rotary position embedding of queries or keys (Su et al. 2021, RoFormer, sec. 3.4)";
  let description = [{
    `input` is `[batch, seq, d_model]` split into `n_heads` heads of `d_head`. In each head
    the first `rotary_dim` features (even, <= d_head) are rotated by the angle
    `(position_offset + pos) * theta_i`, `theta_i = base^(-2i / rotary_dim)` for
    `i < rotary_dim / 2`; the other features pass through (partial rotary, GPT-NeoX).
    Pairing of the rotated features:
    - `interleaved = false` (default; GPT-NeoX and Hugging Face `rotate_half`): feature i is
      paired with i + rotary_dim/2.
    - `interleaved = true` (RoFormer, GPT-J, Meta LLaMA): features 2i and 2i+1 are paired.
    A pair (a, b) becomes (a cos - b sin, b cos + a sin).
  }];
  let arguments = (ins Loom_F32Tensor:$input, I64Attr:$n_heads, I64Attr:$rotary_dim,
                       DefaultValuedAttr<F64Attr, "10000.0">:$base,
                       DefaultValuedAttr<BoolAttr, "false">:$interleaved,
                       DefaultValuedAttr<I64Attr, "0">:$position_offset);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Loom_AlibiBiasOp : Loom_Op<"alibi_bias", [Pure]> {
  let summary = "ALiBi attention bias (Press et al. 2022, sec. 3)";
  let description = [{
    Result `[n_heads, seq_q, seq_k]`: bias[h, i, j] = -m_h * |p - j| with p = i + seq_k - seq_q.
    With a causal mask this is the paper's -m_h * (p - j); without one it is the symmetric
    variant. Slopes: for n_heads a power of two, m_h = 2^(-8 (h+1) / n_heads); otherwise,
    with P the largest power of two below n_heads, the P slopes for P heads followed by the
    first n_heads - P slopes at even positions (h = 0, 2, 4, ...) of the 2P-head sequence,
    as in the paper's reference code. With dynamic lengths, `dynamic_sizes` gives the
    result's dynamic dimensions in order (seq_q, seq_k), as `tensor.empty` does.
  }];
  let arguments = (ins Variadic<Index>:$dynamic_sizes, I64Attr:$n_heads);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "(`(` $dynamic_sizes^ `)`)? attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The slope m_h of every head.
    static llvm::SmallVector<double> slopes(int64_t nHeads);
  }];
}

def Loom_T5BiasOp : Loom_Op<"t5_bias", [Pure]> {
  let summary = "T5 bucketed relative position bias (Raffel et al. 2020, sec. 2.1)";
  let description = [{
    `table` is `[num_buckets, n_heads]` (Hugging Face `relative_attention_bias.weight`); the
    result `[n_heads, seq_q, seq_k]` is bias[h, i, j] = table[bucket(j - p), h] with
    p = i + seq_k - seq_q. The bucket function is Hugging Face's
    `_relative_position_bucket`: with `bidirectional`, half of the buckets hold keys after the
    query; distances below half of the (remaining) buckets get one bucket each, larger ones
    share logarithmically sized buckets up to `max_distance`. The logarithm is computed in f32
    in the same order as Hugging Face, so bucket edges agree. With dynamic lengths (a model
    compiled with `-D seq=?`), `dynamic_sizes` gives the result's dynamic dimensions in order
    (seq_q, seq_k), as `tensor.empty` does.
  }];
  let arguments = (ins Loom_F32Tensor:$table, Variadic<Index>:$dynamic_sizes,
                       I64Attr:$max_distance, DefaultValuedAttr<BoolAttr, "true">:$bidirectional);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Loom_RelativeLogitsOp : Loom_Op<"relative_logits", [Pure]> {
  let summary = "Relative-position score terms: Shaw et al. 2018, DeBERTa's c2p / p2c, Transformer-XL's shift, WeNet's key positions";
  let description = [{
    Result `[batch, n_heads, seq_q, seq_k]`, scaled by `scale`, added to the attention scores
    as a bias. With p = i + seq_k - seq_q (query i's position), `k` = `max_distance`, and
    `input` split into `n_heads` heads of d_head:
    - `mode = "shaw"` (Shaw et al. 2018 sec. 3): `input` = queries `[batch, seq_q, d_model]`,
      `table` `[2k + 1, d_head]` shared by the heads;
      term = q[b, i, h, :] . table[clip(j - p, -k, k) + k, :].
    - `mode = "c2p"` (He et al. 2021 sec. 3.1, content-to-position): `input` = queries,
      `table` = K_r `[2k, d_model]` split into heads;
      term = q[b, i, h, :] . K_r[clip(p - j, -k, k - 1) + k, h, :].
    - `mode = "p2c"` (position-to-content): `input` = keys `[batch, seq_k, d_model]`, `table`
      = Q_r `[2k, d_model]`; term = k[b, j, h, :] . Q_r[clip(j - p, -k, k - 1) + k, h, :].
    `max_distance = 0` (c2p only) takes k = seq_k, with `table` `[2 seq_k, d_model]`: every
    distance has its row (Transformer-XL's R).
    - `mode = "xl_shift"` (self-attention, seq_q = seq_k = T; `max_distance` 0): the shift
      trick of Transformer-XL's code applied to all of x[i, m] = q[b, i, h, :] .
      table[T - 1 - m, h, :] with no mask, as ESPnet's LegacyRelPositionMultiHeadedAttention's
      rel_shift does: term = x[i, T - 1 - i + j] = q_i . table[i - j] for j <= i, 0 for
      j = i + 1, and x[i + 1, j - i - 2] = q_{i+1} . table[T + 1 + i - j] for j >= i + 2 (the
      upper triangle reads the next query's row). `table` is `[T, d_model]`, row d the
      projected embedding of position offset + d.
    - `mode = "key_position"` (`max_distance` 0): term = q[b, i, h, :] . table[j, h, :], the
      key's own row of `table` `[seq_k, d_model]` with no shift, as WeNet's
      RelPositionMultiHeadedAttention computes it over its table of the positions 0..T-1.
    With dynamic lengths (a model compiled with `-D seq=?`), `dynamic_sizes` gives the
    result's dynamic dimensions in order (batch, seq_q, seq_k).
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$table,
                       Variadic<Index>:$dynamic_sizes, I64Attr:$n_heads,
                       I64Attr:$max_distance, F32Attr:$scale,
                       DefaultValuedStrAttr<StrAttr, "shaw">:$mode);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Loom_AddBiasOp : Loom_Op<"add_bias", [Pure]> {
  let summary = "x + alpha * bias over the last dimension";
  let description = [{
    `input` is `[..., d]`, `bias` is `[d]`: result[..., f] = input[..., f] + alpha * bias[f].
    Transformer-XL adds its learned u and v (per head, flattened to [d_model]) to the queries.
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$bias,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$input `,` $bias attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Loom_SinusoidalTableOp : Loom_Op<"sinusoidal_table", [Pure, AttrSizedOperandSegments]> {
  let summary = "Sinusoidal embeddings of positions offset..offset+rows-1 (Transformer-XL, Dai et al. 2019 sec. 3.3)";
  let description = [{
    Result `[rows, d_model]`: row r is [sin(r * f_0), ..., sin(r * f_{d/2-1}), cos(r * f_0),
    ..., cos(r * f_{d/2-1})] with f_i = 1 / base^(2i / d_model): sines then cosines, as
    Hugging Face's TransfoXL PositionalEmbedding concatenates them.
    With `interleaved`, row r is [sin(r f_0), cos(r f_0), sin(r f_1), cos(r f_1), ...]
    (Vaswani et al. 2017, sec. 3.5; the Universal Transformer's timestep signal).
    A dynamic number of rows (a dynamic sequence length) is given by `dynamic_sizes`.
    With `offset` (a signed index), row r embeds position r + offset instead of r: ESPnet's
    RelPositionalEncoding embeds the distances -(T-1)..T-1, negative ones included
    (sin(-p f) = -sin(p f)). The angle is computed as PyTorch does, in f32:
    f32(position) * exp(f32(2i) * -(ln(base) / d_model)).
  }];
  let arguments = (ins Variadic<Index>:$dynamic_sizes, Optional<Index>:$offset,
                       DefaultValuedAttr<F64Attr, "10000.0">:$base,
                       DefaultValuedAttr<BoolAttr, "false">:$interleaved);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "($dynamic_sizes^)? (`offset` `(` $offset^ `)`)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolution module (Conformer, Gulati et al. 2020) and its norms
//===----------------------------------------------------------------------===//

def Loom_GluOp : Loom_Op<"glu", [Pure]> {
  let summary = "Gated linear unit over the last dimension (Dauphin et al. 2017; torch.nn.GLU)";
  let description = [{
    `input` is `[..., 2c]`, the result `[..., c]`: result = a * sigmoid(b) where a is the
    first half of the last dimension and b the second (torch.nn.GLU(dim=-1)).
  }];
  let arguments = (ins Loom_F32Tensor:$input);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Loom_DepthwiseConv1DOp : Loom_Op<"depthwise_conv1d", [Pure]> {
  let summary = "Depthwise 1-D convolution over the sequence (torch.nn.Conv1d, groups = channels)";
  let description = [{
    `input` `[batch, seq, c]`, `weight` `[c, k]` (torch's `[c, 1, k]` without its unit
    dimension), optional `bias` `[c]`. With zero padding `padding_left` before and
    `padding_right` after the sequence:

      result[b, t, ch] = bias[ch] + sum_j x[b, t + j - padding_left, ch] * weight[ch, j]

    so the result has seq + padding_left + padding_right - k + 1 rows. "Same" padding (odd k)
    is (k - 1) / 2 on each side; causal padding is k - 1 on the left.
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$weight,
                       Optional<Loom_F32Tensor>:$bias,
                       DefaultValuedAttr<I64Attr, "0">:$padding_left,
                       DefaultValuedAttr<I64Attr, "0">:$padding_right);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_BatchNormOp : Loom_Op<"batch_norm", [Pure]> {
  let summary = "Batch normalisation in inference mode over the last dimension (Ioffe & Szegedy 2015; torch.nn.BatchNorm1d.eval())";
  let description = [{
    y = (x - running_mean) / sqrt(running_var + epsilon) * weight + bias per channel, the
    channels being the last dimension `c`; all four parameters are `[c]`. The statistics are
    the stored running ones (no batch statistics at inference). `loom-fold-batch-norm` folds
    it into a producing `loom.linear` or `loom.depthwise_conv1d`.
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$weight, Loom_F32Tensor:$bias,
                       Loom_F32Tensor:$running_mean, Loom_F32Tensor:$running_var,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $running_mean `,` $running_var attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_GroupNormOp : Loom_Op<"group_norm", [Pure]> {
  let summary = "Group normalisation (Wu & He 2018; torch.nn.GroupNorm)";
  let description = [{
    `input` `[batch, seq, c]`, channels last. The c channels form `num_groups` groups of
    consecutive channels; each (example, group) is normalised by the mean and biased variance
    over its channels and all seq positions, then y = x_hat * weight + bias per channel
    (`[c]` each). num_groups = 1 is torchaudio's Conformer choice.
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$weight, Loom_F32Tensor:$bias,
                       I64Attr:$num_groups,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Block self-attention (Bi-BloSA, Shen et al. 2018)
//===----------------------------------------------------------------------===//

def Loom_MdAttentionOp : Loom_Op<"md_attention", [Pure]> {
  let summary = "Masked multi-dimensional token2token self-attention (Shen et al. 2018, Bi-BloSA sec. 3)";
  let description = [{
    `values`, `dependent` and `head` are `[batch, seq, d]`, `f_bias` is `[d]`. The sequence
    is cut into blocks of `block_len` positions (0: one block of the whole sequence); the
    last block may be shorter. Within a block, query i and key j have one logit per feature:

      logit[i, j, f] = tanh_scale * tanh((dependent[j, f] + head[i, f] + f_bias[f]) / tanh_scale)

    and key j is visible to query i if j < i (`direction = "forward"`), j > i (`"backward"`)
    or j != i (`"diag"`), and both are valid: position < key_lengths[b] when `key_lengths`
    (`[batch]` i32/i64) is given. Per feature, the result is the softmax over the visible
    keys of the logits, weighting `values`:

      result[i, f] = sum_j softmax_j(logit[i, j, f]) * values[j, f]

    A query with no visible key, or itself past its example's length, yields 0 (the
    authors' code, context_fusion/self_attn.py: masked logits get -1e30, masked scores are
    then zeroed). The result is `[batch, seq, d]`. Memory is O(seq * d): the
    [block_len, block_len, d] logits are never stored.
  }];
  let arguments = (ins Loom_F32Tensor:$values, Loom_F32Tensor:$dependent, Loom_F32Tensor:$head,
                       Loom_F32Tensor:$f_bias,
                       Optional<RankedTensorOf<[I32, I64]>>:$key_lengths,
                       DefaultValuedStrAttr<StrAttr, "forward">:$direction,
                       DefaultValuedAttr<I64Attr, "0">:$block_len,
                       DefaultValuedAttr<F32Attr, "5.0">:$tanh_scale);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = [{
    $values `,` $dependent `,` $head `,` $f_bias (`key_lengths` $key_lengths^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_Source2TokenOp : Loom_Op<"source2token", [Pure]> {
  let summary = "Multi-dimensional source2token self-attention: a softmax-weighted sum over positions per feature (Shen et al. 2018)";
  let description = [{
    `values` and `logits` are `[batch, seq, d]`. Per block of `block_len` positions (0: the
    whole sequence) and feature f, the softmax of `logits` over the block's valid positions
    (position < key_lengths[b] when `key_lengths` `[batch]` is given) weights `values`:

      result[b, n, f] = sum_{j in block n} softmax_j(logits[b, j, f]) * values[b, j, f]

    The result is `[batch, n_blocks, d]`, n_blocks = ceil(seq / block_len) (1 for the whole
    sequence). A block without a valid position yields 0.
  }];
  let arguments = (ins Loom_F32Tensor:$values, Loom_F32Tensor:$logits,
                       Optional<RankedTensorOf<[I32, I64]>>:$key_lengths,
                       DefaultValuedAttr<I64Attr, "0">:$block_len);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = [{
    $values `,` $logits (`key_lengths` $key_lengths^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Token embeddings
//===----------------------------------------------------------------------===//

def Loom_EmbeddingOp : Loom_Op<"embedding", [Pure]> {
  let summary = "Embedding lookup of integer ids (torch.nn.Embedding), times a scale";
  let description = [{
    `ids` `[batch, seq]` (i32 or i64), `table` `[vocab, d]`: result[b, s, :] =
    scale * table[ids[b, s], :], `[batch, seq, d]`. Vaswani et al. 2017 (sec. 3.4) scale the
    token embeddings by sqrt(d_model); BERT does not (scale 1). Ids must lie in [0, vocab):
    the runtime checks them before each run.
  }];
  let arguments = (ins TensorOf<[I32, I64]>:$ids, Loom_F32Tensor:$table,
                       DefaultValuedAttr<F32Attr, "1.0">:$scale);
  let results = (outs Loom_F32Tensor:$result);
  let assemblyFormat = "$ids `,` $table attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Adaptive computation time (Universal Transformer)
//===----------------------------------------------------------------------===//

def Loom_ActOp : Loom_Op<"act", [RecursiveMemoryEffects]> {
  let summary = "A shared step applied until each position halts (ACT, Graves 2016; Universal Transformer, Dehghani et al. 2019)";
  let description = [{
    `input` `[batch, seq, d]` is the initial state. The body takes the state and the 0-based
    step number (`index`) and yields two `[batch, seq, d]` tensors: `pre`, the state after the
    step's signals are added (the halting unit reads it), and `next`, the transformed state.
    Per step, for every position (UT paper, sec. 2.2 and its ACT code):
      p = sigmoid(pre . halting_weight + halting_bias)     (`[1, d]` and `[1]`, nn.Linear(d, 1))
      a running position (halting sum h < 1) halts at this step if h + p > threshold or this
      is its `max_steps`-th step; then its weight is the remainder r = 1 - h and h becomes 1;
      otherwise its weight is p and h += p; a halted position has weight 0.
      state_out = next * w + state_out * (1 - w)           (state_out starts at 0)
    The next step's state is `next`. Steps run while any position is running, at most
    `max_steps`. Results: the weighted state `[batch, seq, d]`, the steps each position took
    (`[batch, seq]` f32, the ponder steps N), and its remainder r (`[batch, seq]`; Graves'
    ponder cost is N + r).
    ```mlir
    %y, %n, %r = loom.act %x, %w, %b {max_steps = 4 : i64, threshold = 0.99 : f32}
        : (tensor<1x8x16xf32>, tensor<1x16xf32>, tensor<1xf32>)
          -> (tensor<1x8x16xf32>, tensor<1x8xf32>, tensor<1x8xf32>) {
    ^bb0(%state: tensor<1x8x16xf32>, %step: index):
      ...
      loom.yield %pre, %next : tensor<1x8x16xf32>, tensor<1x8x16xf32>
    }
    ```
  }];
  let arguments = (ins Loom_F32Tensor:$input, Loom_F32Tensor:$halting_weight,
                       Loom_F32Tensor:$halting_bias, I64Attr:$max_steps, F32Attr:$threshold);
  let results = (outs Loom_F32Tensor:$result, Loom_F32Tensor:$ponder_steps,
                      Loom_F32Tensor:$remainders);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $input `,` $halting_weight `,` $halting_bias attr-dict `:`
    functional-type(operands, results) $body
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Autoregressive decoding
//===----------------------------------------------------------------------===//

def Loom_GreedyDecodeOp : Loom_Op<"greedy_decode", [RecursiveMemoryEffects]> {
  let summary = "Greedy autoregressive decoding with state carried between steps (e.g. a key/value cache)";
  let description = [{
    Runs the body once per output position s = 0, 1, ..., at most `max_len` times. The body
    takes the previous token `[batch, 1]` (i64; `bos` at s = 0), the position s (`index`) and
    the states (f32 tensors, all zeros before the first step, e.g. the key/value caches of
    the self-attention layers), and yields the step's logits `[batch, 1, vocab]` followed by
    the states after the step. The step's token is the argmax of the logits (the first
    maximum on ties, as torch.argmax). A sequence finishes when it emits `eos` (if >= 0);
    its later tokens are `pad` and its later logits zeros. The loop stops when every sequence
    has finished or after `max_len` steps. Results: the tokens `[batch, max_len]` (i64) and
    the logits of every step `[batch, max_len, vocab]` (steps not run: `pad` and zeros).
    ```mlir
    %ids, %logits = loom.greedy_decode {bos = 1 : i64, eos = 2 : i64, max_len = 8 : i64, pad = 0 : i64}
        : () -> (tensor<2x8xi64>, tensor<2x8x16xf32>) {
    ^bb0(%prev: tensor<2x1xi64>, %pos: index, %k_cache: tensor<2x8x32xf32>):
      ...
      loom.yield %logits_step, %k_cache_next : tensor<2x1x16xf32>, tensor<2x8x32xf32>
    }
    ```
  }];
  let arguments = (ins I64Attr:$max_len, I64Attr:$bos, I64Attr:$eos,
                       DefaultValuedAttr<I64Attr, "0">:$pad);
  let results = (outs TensorOf<[I64]>:$ids, Loom_F32Tensor:$logits);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict `:` functional-type(operands, results) $body";
  let hasVerifier = 1;
}

#endif // LOOM_OPS_TD
