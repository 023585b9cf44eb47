"""Builds the ONNX graphs behind the exact and sampled silhouette (activities/metrics/pair-distance-sums.ts).

Run from the repository root:  python3 scripts/python/make_pair_distance_model.py   (needs the `onnx` package)

Inputs:  X [B, E] and Y [M, E], rows already augmented in TypeScript so that one Gemm gives the
         distance term directly (euclidean: X = [x, |x|^2, 1], Y = [-2y, 1, |y|^2] -> |x - y|^2;
         cosine: X = [x/|x|, 1, 0], Y = [-y/|y|, 1, 0] -> 1 - cos),
         YOH [M, K] one-hot labels of the Y rows, XOH_T [L, B] one-hot labels of the X rows,
         transposed (L = 0 when the column sums are not wanted), SELF_INDEX [B, 1] int64.
Outputs: ROWS [B, K]   per X row, the sum of its distances to the Y rows of each cluster,
         COLS [L, M]   per Y row (column), the sum of its distances to the X rows of each cluster
                       (lets the caller visit each unordered block pair once: the distance matrix is
                       symmetric); XOH_T D rather than D^T XOH, so D is never transposed,
         SELF_DISTANCE [B, 1]  D[b, SELF_INDEX[b]], so the caller can take out the distance of a
                       point to itself, which the expansion leaves at rounding level instead of 0.
The distance block D [B, M] (euclidean: sqrt(max(0, .)), cosine: max(0, .)) never leaves the
graph, so memory stays O(B M) whatever n is. One file per metric and precision.
"""
import pathlib

import onnx
from onnx import TensorProto, helper

OUT = pathlib.Path(__file__).resolve().parents[2] / "activities" / "metrics" / "models"


def build(metric, elem_type, precision):
    x = helper.make_tensor_value_info("X", elem_type, ["B", "E"])
    y = helper.make_tensor_value_info("Y", elem_type, ["M", "E"])
    y_onehot = helper.make_tensor_value_info("YOH", elem_type, ["M", "K"])
    x_onehot = helper.make_tensor_value_info("XOH_T", elem_type, ["L", "B"])
    self_index = helper.make_tensor_value_info("SELF_INDEX", TensorProto.INT64, ["B", 1])
    rows = helper.make_tensor_value_info("ROWS", elem_type, ["B", "K"])
    cols = helper.make_tensor_value_info("COLS", elem_type, ["L", "M"])
    self_distance = helper.make_tensor_value_info("SELF_DISTANCE", elem_type, ["B", 1])
    nodes = [
        helper.make_node("Gemm", ["X", "Y"], ["TERM"], transB=1),
        helper.make_node("Relu", ["TERM"], ["CLAMPED" if metric == "euclidean" else "D"]),
    ]
    if metric == "euclidean":
        nodes.append(helper.make_node("Sqrt", ["CLAMPED"], ["D"]))
    nodes += [
        helper.make_node("MatMul", ["D", "YOH"], ["ROWS"]),
        helper.make_node("MatMul", ["XOH_T", "D"], ["COLS"]),
        helper.make_node("GatherElements", ["D", "SELF_INDEX"], ["SELF_DISTANCE"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, f"pair_distance_sums_{metric}_{precision}", [x, y, y_onehot, x_onehot, self_index], [rows, cols, self_distance]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="behavior-segmentation")
    model.ir_version = 8
    onnx.checker.check_model(model)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"pair-distance-sums-{metric}-{precision}.onnx"
    onnx.save(model, path)
    print(f"wrote {path}")


for metric in ("euclidean", "cosine"):
    build(metric, TensorProto.FLOAT, "f32")
    build(metric, TensorProto.DOUBLE, "f64")
