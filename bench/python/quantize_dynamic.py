"""Independent reference for the int8 transformer (bench/embed-int8.ts): onnxruntime's own
quantize_dynamic applied to our float model.onnx, written to the given path.
    python quantize_dynamic.py <model.onnx> <out.onnx> <per_channel: 0|1>
Prints one JSON line with the onnxruntime version."""
import json
import sys

import onnxruntime
from onnxruntime.quantization import QuantType, quantize_dynamic

source, target, per_channel = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=per_channel)
print(json.dumps({"onnxruntime": onnxruntime.__version__, "per_channel": per_channel}))
