"""Builds the ONNX graph behind the fast k-means assignment step (activities/clustering/nearest-center.ts).

Run from the repository root:  python3 scripts/python/make_nearest_center_model.py   (needs the `onnx` package)

Inputs:  X [N, D], C [K, D], C_SQ [K] (squared norms of the centres)
Outputs: LABELS [N] (int64, nearest centre), BEST [N] (min over k of ||c||^2 - 2 x.c),
         SCORES [N, K] (||c||^2 - 2 x.c; add ||x||^2 for squared distances)
One file per precision (float32, float64). onnxruntime runs the MatMul multithreaded (MLAS).
"""
import pathlib

import onnx
from onnx import TensorProto, helper

OUT = pathlib.Path(__file__).resolve().parents[2] / "activities" / "clustering" / "models"


def build(elem_type, suffix):
    x = helper.make_tensor_value_info("X", elem_type, ["N", "D"])
    c = helper.make_tensor_value_info("C", elem_type, ["K", "D"])
    c_sq = helper.make_tensor_value_info("C_SQ", elem_type, ["K"])
    labels = helper.make_tensor_value_info("LABELS", TensorProto.INT64, ["N"])
    best = helper.make_tensor_value_info("BEST", elem_type, ["N"])
    scores = helper.make_tensor_value_info("SCORES", elem_type, ["N", "K"])
    two = helper.make_tensor("TWO", elem_type, [], [2.0])
    nodes = [
        helper.make_node("Transpose", ["C"], ["CT"], perm=[1, 0]),
        helper.make_node("MatMul", ["X", "CT"], ["XC"]),
        helper.make_node("Mul", ["XC", "TWO"], ["XC2"]),
        helper.make_node("Sub", ["C_SQ", "XC2"], ["SCORES"]),
        helper.make_node("ArgMin", ["SCORES"], ["LABELS"], axis=1, keepdims=0, select_last_index=0),
        helper.make_node("ReduceMin", ["SCORES"], ["BEST"], axes=[1], keepdims=0),
    ]
    graph = helper.make_graph(nodes, f"nearest_center_{suffix}", [x, c, c_sq], [labels, best, scores], initializer=[two])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="behavior-segmentation")
    model.ir_version = 8
    onnx.checker.check_model(model)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"nearest-center-{suffix}.onnx"
    onnx.save(model, path)
    print(f"wrote {path}")


build(TensorProto.FLOAT, "f32")
build(TensorProto.DOUBLE, "f64")
