//===- LoomInterfaces.td - loom op interfaces --------------*- tablegen -*-===//
#ifndef LOOM_INTERFACES_TD
#define LOOM_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Loom_ElementwiseUnaryOpInterface : OpInterface<"ElementwiseUnaryOpInterface"> {
  let description = [{
    A unary, element-by-element op (an activation). It can build its scalar computation on
    one f32 value, which lets lowering emit one loop for it and lets fusion fold it into the
    epilogue of a producer (e.g. `loom.linear`).
  }];
  let cppNamespace = "::loom";
  let methods = [
    InterfaceMethod<"Builds the scalar function on `x` at the builder's insertion point.",
      "::mlir::Value", "buildScalar",
      (ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc, "::mlir::Value":$x)>,
    InterfaceMethod<"The op's tensor operand.", "::mlir::Value", "getElementwiseInput", (ins),
      [{ return $_op->getOperand(0); }]>,
  ];
}

#endif // LOOM_INTERFACES_TD
