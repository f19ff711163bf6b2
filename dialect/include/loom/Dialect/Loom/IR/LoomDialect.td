//===- LoomDialect.td - The loom dialect -------------------*- tablegen -*-===//
#ifndef LOOM_DIALECT_TD
#define LOOM_DIALECT_TD

include "mlir/IR/OpBase.td"

def Loom_Dialect : Dialect {
  let name = "loom";
  let summary = "Transformer-level operations (attention, norms, projections)";
  let description = [{
    Operations at the level of the Transformer literature's vocabulary. Activations are
    tensors of shape `[batch, seq, d]` (f32). Weights use PyTorch's layouts (`nn.Linear`
    weights are `[out_features, in_features]`). Every op documents the paper section or the
    PyTorch module its semantics follow.
  }];
  let cppNamespace = "::loom";
  let dependentDialects = ["::mlir::tensor::TensorDialect", "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

class Loom_Op<string mnemonic, list<Trait> traits = []> : Op<Loom_Dialect, mnemonic, traits>;

#endif // LOOM_DIALECT_TD
