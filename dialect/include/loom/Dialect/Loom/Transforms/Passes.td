//===- Passes.td - loom dialect passes ---------------------*- tablegen -*-===//
#ifndef LOOM_TRANSFORMS_PASSES_TD
#define LOOM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomFoldBatchNorm : Pass<"loom-fold-batch-norm", "::mlir::func::FuncOp"> {
  let summary = "Folds an inference-mode loom.batch_norm into the producing linear or depthwise conv";
  let description = [{
    Batch normalisation at inference is an affine map per channel, y = x * s + t with
    s = gamma / sqrt(running_var + eps) and t = beta - running_mean * s. When its input is a
    `loom.linear` without an epilogue (channels = out_features) or a
    `loom.depthwise_conv1d` (channels = the conv's channels) that has no other user, the
    producer is rebuilt on W' = W * s (row-wise: both weights are `[channels, ...]`) and
    b' = b * s + t (b = 0 without a bias), and the batch_norm disappears. The new weights
    are `linalg.generic`s on weights only, so `loom-outline-weight-prep` computes them once
    at load time. A batch_norm of anything else, or of a producer with other users (whose
    unnormalised value is still needed), is left alone and lowers on its own.
  }];
  let dependentDialects = ["::loom::LoomDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect", "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def LoomFuseLinearEpilogue : Pass<"loom-fuse-linear-epilogue", "::mlir::func::FuncOp"> {
  let summary = "Folds activations, GLU gating and residual adds into the producing loom.linear";
  let description = [{
    `%y = loom.linear %x, %w, %b` followed by an element-wise unary op (`loom.relu`,
    `loom.gelu`, `loom.pointwise`, ...) that is the only user of `%y` becomes one
    `loom.linear` whose epilogue region applies the activation. Then GLU gating: a
    `loom.mul` of the two halves (`tensor.extract_slice`s of the whole first and second
    half of the last dimension) of one linear whose result nothing else uses, at most one
    half through an activation, becomes that linear with `glu = "first"` or `"second"`
    (the activated half) and the activation as its epilogue (SwiGLU after
    `loom-fuse-projections` merged gate_proj and up_proj); so does `loom.glu` of a linear
    (`glu = "second"`, a sigmoid epilogue). Then a `loom.add %r, %y`
    (either order) of such a linear's result, its only user, becomes the linear's
    `residual` operand: the residual connection is added after the activation. After
    lowering, the bias add, the activation, the residual add and the store are one loop
    on each thread tile of the matmul. A linear whose result has other users is left alone
    (the value before the activation or the add is still needed), and an activation after
    a residual add stays outside (it applies to the sum).
  }];
  let dependentDialects = ["::loom::LoomDialect"];
}

def LoomFuseRope : Pass<"loom-fuse-rope", "::mlir::func::FuncOp"> {
  let summary = "Folds a loom.rope into the query or key projection that produces it";
  let description = [{
    `loom.rope` with `interleaved = false` (Hugging Face `rotate_half`) and `rotary_dim`
    equal to `d_head`, whose input is a `loom.linear` with no epilogue, residual or gating
    and no other user, becomes that linear with `rope_heads`, `rope_base` and
    `rope_position_offset` set. After lowering, each projection is two matmuls on the
    weight rows of the heads' first and second halves, and one generic on their thread
    tiles writes both halves of every head rotated (x1 cos - x2 sin, x2 cos + x1 sin): the
    rotation costs no pass of its own over q and k. Runs before `loom-fuse-projections`,
    which then merges the rotated projections that share an input and rope parameters
    (q and k) and leaves them apart from the others (v). A packed projection (PyTorch's
    `in_proj`: q, k and v are column slices of one linear's result) whose slices feed such
    a rope is first split into one linear per slice, on that slice's rows of the weight and
    bias (sliced at load), so its q and k are fused the same way.

    Interleaved pairs (RoFormer, GPT-J) and partial rotary (GPT-NeoX) fold too when the
    ropes are the query and key of one `loom.attention` and have no other user, with the
    same pairing, rotary_dim and heads: both projections' rows are permuted in the same
    way within each head (a strided-slice and concat of the weight and bias, computed at
    load) so that the pairs become `(i, d_head/2 + i)`, and the linear gets
    `rope_rotary_dim` when not all features rotate. Q K^T sums over a head's features, so
    the attention cannot see the order. Any other rope (one whose result is returned or
    used elsewhere, of a non-plain projection, or of anything else) stays a `loom.rope`.
  }];
  let dependentDialects = ["::loom::LoomDialect", "::mlir::tensor::TensorDialect"];
}

def LoomRemovePadding : Pass<"loom-remove-padding", "::mlir::func::FuncOp"> {
  let summary = "Runs a padded batch on its valid rows only, packed into one sequence";
  let description = [{
    For the entry function of a model with a dynamic batch and seq and a lengths input
    (key lengths bounded by seq): gathers the valid rows of every `[batch, seq, ...]` input
    into `[1, T, ...]` (T = the sum of the lengths, plus one spare row), turns attention
    masked by the lengths (or causal) into attention over segments (each row sees its own
    sequence's keys, `segment_start` / `segment_end`), gives absolute position encodings
    each row's position, and scatters every result back to `[batch, seq, ...]` with zero
    padded rows (ONNX Runtime's RemovePadding; FlashAttention's varlen attention). Ops whose
    valid rows would change when packed (convolutions and norms over the sequence, position
    biases, RoPE, decoding) are errors naming them.
  }];
  let dependentDialects = ["::loom::LoomDialect", "::mlir::tensor::TensorDialect",
                           "::mlir::scf::SCFDialect", "::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect"];
}

def LoomFuseProjections : Pass<"loom-fuse-projections", "::mlir::func::FuncOp"> {
  let summary = "Merges loom.linear ops that read the same input into one matmul";
  let description = [{
    Projections of one input with no epilogue (e.g. attention's separate q/k/v projections, or
    a GLU's gate/up projections) become one `loom.linear` on the weights concatenated along
    out_features (`tensor.concat`), followed by `tensor.extract_slice`s of its result. The
    projections must agree on having a bias. Weight concatenation depends only on weights, so
    `loom-outline-weight-prep` moves it out of the per-run function.
  }];
  let dependentDialects = ["::loom::LoomDialect", "::mlir::tensor::TensorDialect"];
}

def ConvertLoomToLinalg : Pass<"convert-loom-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lowers loom ops to linalg/tensor/arith/math on tensors";
  let description = [{
    `loom.linear` becomes a `linalg.matmul` on the transposed weight plus one element-wise
    `linalg.generic` for bias and epilogue; attention becomes batch matmuls around a softmax
    with the mask computed from indices; norms become reductions and an element-wise generic.
    `loom.act` becomes an `scf.while` whose body is the act body followed by the halting
    update (two generics); it runs while any position's halting sum is below 1.

    With `panel-width` P > 0 (and out_features a multiple of P), the weight `[N, K]` is
    packed into panels `[N/P, K, P]` instead of transposed: column block j of the output
    reads one contiguous `[K, P]` panel. The matmul is then a `linalg.generic` contraction
    C[m, j, p] += X[m, k] * W_packed[j, k, p] on the output viewed as `[M, N/P, P]`, which
    `loom-tile-and-vectorize` tiles panel by panel. The packing depends on the weight only,
    so `loom-outline-weight-prep` moves it to `forward_prepare`.
  }];
  let options = [
    Option<"panelWidth", "panel-width", "int64_t", "0",
           "columns per packed weight panel (0: plain [K, N] transpose)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

def LoomOutlineWeightPrep : Pass<"loom-outline-weight-prep", "::mlir::ModuleOp"> {
  let summary = "Moves computation that depends only on weights into a run-once function";
  let description = [{
    In every function marked `loom.entry`, operations whose tensor operands all derive from
    arguments marked `loom.weight` (transposes, concatenations of weights, ...), and
    computations (`linalg.generic`) on constants alone (position tables, ALiBi biases), are
    moved into a new function `<name>_prepare` that takes the weights and returns the
    prepared tensors. The entry function receives the prepared tensors as extra arguments marked
    `loom.prepared`. The runtime calls `_prepare` once after loading the weights.

    A repeated layer's function (parameters marked `loom.weight_param`) first gives its
    weight-derived work to a new private `<layer>_prepare` function of its weight parameters
    (work on constants alone, like position tables, goes to the call sites instead, where
    CSE keeps one copy);
    every call site calls it (call sites with the same weights, layers sharing them, in one
    block share the call) and passes its results instead of the weights that only it used.
    Those calls are marked `loom.load_time`, so they then move to the entry's `_prepare`
    with the rest: one body per layer kind, so compile time does not grow with depth. Every
    argument of both functions is marked `bufferization.writable = false`: inputs, weights
    and prepared buffers are read again by later runs, so bufferization must not write
    results into them.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def LoomTileAndVectorize : Pass<"loom-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tiles matmuls for threads and registers and vectorizes the register tiles";
  let description = [{
    Every `linalg.matmul`, `linalg.batch_matmul` and packed-panel contraction (static
    shapes):
    1. thread tiles of whole rows: a divisor of the rows close to `thread-tile-m` (doubled
       while the tile's rows of A fit in `a-tile-bytes`, so that the weight streams past
       fewer row tiles, and `min-tasks` tasks remain) when one exists, otherwise the rows that are not a multiple of the thread tile are split off
       (each part with its own fill of the accumulator);
    2. an `scf.forall` over output blocks (the unit of thread parallelism), the
       accumulator's `linalg.fill` fused in. When the matmul's only use is an element-wise
       generic of its shape that reads it with the identity map (a linear's bias,
       activation and residual add), that generic is the op tiled and the matmul is fused
       into its tiles, so the epilogue runs on each tile while it is in cache;
    3. panels split into plain matmuls; `scf.for` over k blocks (`k-block`), then register
       tiles (`reg-tile-m x reg-tile-n`, k step 1) in n-then-m order, vectorized to
       `vector.contract`; rows that are not a multiple of the register tile are split
       (inside a task, into one `bufferization.alloc_tensor`, so both parts are in place).
    Then row-wise generics (norms, activations) are tiled into an `scf.forall` over blocks
    of `row-block` rows with their row-wise producers fused in (a norm is one loop);
    transposes are tiled over their leading dims and vectorized (8 x 8 blocks when the
    innermost dim moves, row copies otherwise); generics inside tasks are vectorized in
    `row-vector`-lane chunks. Tile sizes divide the dimensions, so every tile is full and
    vectorizes; `loop-invariant-subset-hoisting` then keeps each accumulator in registers.
  }];
  let options = [
    Option<"threadTileM", "thread-tile-m", "int64_t", "64",
           "rows of C per parallel task, at least (see a-tile-bytes)">,
    Option<"aTileBytes", "a-tile-bytes", "int64_t", "262144",
           "a thread tile's rows double while its rows of A (rows x k x 4 bytes) fit in "
           "this many bytes (half of a Zen 3 core's L2)">,
    Option<"minTasks", "min-tasks", "int64_t", "8",
           "thread tiles grow only while a matmul keeps at least this many tasks">,
    Option<"threadTileN", "thread-tile-n", "int64_t", "128", "columns of C per parallel task">,
    Option<"regTileM", "reg-tile-m", "int64_t", "4", "rows of the register tile">,
    Option<"regTileN", "reg-tile-n", "int64_t", "16", "columns of the register tile">,
    Option<"kBlock", "k-block", "int64_t", "256", "reduction block (k) size">,
    Option<"rowBlock", "row-block", "int64_t", "16",
           "rows per parallel task of a row-wise generic (norms, epilogues, activations)">,
    Option<"rowVector", "row-vector", "int64_t", "64",
           "lanes per vector op of a row-wise generic (longer rows loop; shorter vectors "
           "keep basic blocks small for LLVM's schedulers)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::bufferization::BufferizationDialect"];
}

def LoomStridedCopyToLinalg : Pass<"loom-strided-copy-to-linalg", "::mlir::func::FuncOp"> {
  let summary = "Turns memref.copy of non-contiguous buffers into linalg.copy";
  let description = [{
    A `memref.copy` between buffers whose layouts are not both the identity would lower to a
    call into MLIR's C runner library (`memrefCopy`), which compiled models do not link.
    This pass rewrites such copies to `linalg.copy`, which becomes (parallel) loops.
    A copy with dynamic outer dimensions (a model's dynamic batch or seq) whose rows are
    contiguous and statically sized (at least 8 elements) becomes an `scf.parallel` over
    the rows, each copied in vectors of up to 64 lanes, instead of scalar loops.
    Contiguous copies stay `memref.copy` (they lower to `llvm.memcpy`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect", "::mlir::arith::ArithDialect"];
}

def LoomExpandShapeToReinterpretCast
    : Pass<"loom-expand-shape-to-reinterpret-cast", "::mlir::func::FuncOp"> {
  let summary = "Rewrites memref.expand_shape into several dynamic dimensions as a reinterpret_cast";
  let description = [{
    MLIR 22's `expand-strided-metadata` crashes on a `memref.expand_shape` whose
    reassociation group splits one dimension into two or more dynamic ones, such as the
    `[batch * seq, d] -> [batch, seq, d]` of a model compiled with dynamic batch and seq.
    On an identity-layout (contiguous) source that view is a `memref.reinterpret_cast`
    with offset 0, the expand's output sizes and row-major strides, which this pass
    writes instead. Other `expand_shape` ops are left alone; a non-contiguous source of
    such an expand is an error.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def LoomApproximateMath : Pass<"loom-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Replaces exp, expm1, log, log1p, tanh and erf with polynomial approximations";
  let description = [{
    Uses MLIR's math polynomial approximations (f32 accuracy within a few ulp), so softmax,
    GELU and SiLU need no libm calls: their loops stay call-free and LLVM vectorizes them.
    sin and cos keep their libm calls: the approximations' f32 range reduction loses accuracy
    on the large angles of position encodings.
  }];
  let dependentDialects = ["::mlir::math::MathDialect", "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect"];
}

def LoomSequentialInnerLoops : Pass<"loom-sequential-inner-loops", "::mlir::func::FuncOp"> {
  let summary = "Lowers linalg ops inside an scf.forall body to sequential scf.for loops";
  let description = [{
    One iteration of an `scf.forall` is one thread's work (a tile of a matmul, a (batch,
    head, query block) of the fused attention). A linalg op on buffers left inside such a
    body would otherwise become a nested `scf.parallel` and then a nested OpenMP region,
    which forks a team per iteration only to run it on one thread. This pass rewrites those
    ops to `scf.for` loops; linalg ops outside any `scf.forall` are left for
    `convert-linalg-to-parallel-loops`.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::memref::MemRefDialect"];
}

def LoomSerializeSmallParallel : Pass<"loom-serialize-small-parallel", "::mlir::func::FuncOp"> {
  let summary = "Runs small scf.parallel loops inside a run-time loop sequentially";
  let description = [{
    Each `scf.parallel` becomes an OpenMP parallel region: a fork, a schedule and a join,
    several microseconds with libomp's guided schedule. A parallel loop inside a sequential
    `scf.for` or `scf.while` (a recurrence over time such as an LSTM's, the Universal
    Transformer's ACT loop, a decoding loop) pays that on every iteration, and when its own
    work is a few thousand elements the fork costs more than the work. This pass rewrites
    such an outermost `scf.parallel` without reductions into nested `scf.for` loops when its
    estimated work is below `min-work`: the product of its and its nested loops' static trip
    counts, each operation counting the elements of its largest vector operand or result
    (or 1). Loops with a
    dynamic trip count, calls or `scf.while` inside count as large. Parallel loops outside
    any sequential loop run once per forward pass and are left alone.
  }];
  let options = [Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
                        "estimated elements below which a parallel loop runs sequentially">];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def LoomResultsInPlace : Pass<"loom-results-in-place", "::mlir::func::FuncOp"> {
  let summary = "Computes each result in its out-param instead of copying it there";
  let description = [{
    Runs after `buffer-results-to-out-params{add-result-attr}`. That pass leaves a
    function that returned a buffer computing it in a `memref.alloc` and copying it into the
    new out-param (`bufferize.result`) before returning; its `hoist-static-allocs` only helps
    when the returned value is the allocation itself, not a reshape of it. Here, when the
    copied buffer is a chain of `memref.expand_shape` / `memref.collapse_shape` views of a
    static, identity-layout `memref.alloc` in the function's top-level block, and the
    out-param's only use is that copy in the same block, followed only by other copies and
    the return, the allocation is replaced by the
    inverse views of the out-param and the copy is erased. So a model's output (and each
    repeated layer's result, and each prepared weight) is written once, where the caller
    wants it, and needs no buffer of its own. An allocation copied into two out-params keeps
    the second copy. The `bufferize.result` attributes are removed.
  }];
}

def LoomEarlyDealloc : Pass<"loom-early-dealloc", "::mlir::func::FuncOp"> {
  let summary = "Moves each buffer's dealloc to right after its last use";
  let description = [{
    MLIR's buffer deallocation frees a function's buffers at the end of the block that
    allocated them, so every activation of a model would stay live until the forward pass
    returns. This pass moves a `memref.dealloc` of a buffer allocated in the function's
    top-level block to right after the last top-level op that uses the buffer or any memref
    derived from it (views, casts, ...; uses inside loops count at their loop). The freed
    block is then reused by later allocations (the runtime keeps freed blocks in its heap),
    so activations whose lifetimes do not overlap share memory. Deallocs under control flow
    (`scf.if` from ownership checks) are left where they are.
  }];
}

def LoomParallelSchedule : Pass<"loom-parallel-schedule", "::mlir::func::FuncOp"> {
  let summary = "Sets the schedule of every OpenMP worksharing loop";
  let description = [{
    `convert-scf-to-openmp` leaves `omp.wsloop` without a schedule clause, so libomp splits
    the iterations into one contiguous chunk per thread (static). Each iteration of Loom's
    parallel loops is a coarse task (a matmul thread tile, a (batch, head, query block) of
    the fused attention, a block of rows), so a thread that is delayed (by the operating
    system, or a task that is cheaper than its neighbours, such as causal query blocks)
    makes every other thread wait at the loop's barrier. `dynamic` hands out `chunk`
    iterations at a time to whichever thread is free, at the cost of one atomic increment
    per chunk. `static` removes any schedule clause (the old behaviour).
  }];
  let options = [
    Option<"kind", "kind", "std::string", "\"guided\"", "static, dynamic or guided">,
    Option<"chunk", "chunk", "int64_t", "1", "iterations per chunk (dynamic and guided)">,
  ];
  let dependentDialects = ["::mlir::omp::OpenMPDialect", "::mlir::arith::ArithDialect"];
}

#endif // LOOM_TRANSFORMS_PASSES_TD
