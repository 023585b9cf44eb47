"""Reference side of `npm run bench -- embed`: Python onnxruntime on the same model and texts.

Same algorithm as activities/encoders/transformer/embed-texts.ts: tokenize without special
tokens, windows of max_tokens - 2 wrapped in [CLS]/[SEP], windows sorted by length and batched
with padding to the batch's longest, mean pooling over the mask, token-weighted average over a
text's windows, L2. Prints one JSON object; writes the vectors (float32, row-major) to argv[6].
batch_tokens 0 with batch_size 32 is sentence-transformers' batching (sorted by length, 32 per call).
"""
import json
import resource
import sys
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

texts_file, model_dir, batch_size, batch_tokens, threads, vectors_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
texts = json.load(open(texts_file))
config = json.load(open(f"{model_dir}/model-config.json"))
options = ort.SessionOptions()
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
if threads > 0:
    options.intra_op_num_threads = threads
session = ort.InferenceSession(f"{model_dir}/model.onnx", options, providers=["CPUExecutionProvider"])
tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
tokenizer.no_truncation()
tokenizer.no_padding()
cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
window = config["maxTokens"] - 2
dims = config["dimensions"]


def embed(batch_texts):
    windows = []
    for index, text in enumerate(batch_texts):
        body = tokenizer.encode(text, add_special_tokens=False).ids
        for start in range(0, max(len(body), 1), window):
            windows.append((index, [cls] + body[start : start + window] + [sep]))
    windows.sort(key=lambda w: len(w[1]))  # stable, like Array.prototype.sort
    sums = np.zeros((len(batch_texts), dims))
    weights = np.zeros(len(batch_texts))
    start = 0
    while start < len(windows):
        # Same rule as embed-texts.ts: at most batch_size windows and batch_tokens padded tokens.
        end = start + 1
        while end < len(windows) and end - start < batch_size and (batch_tokens == 0 or (end - start + 1) * len(windows[end][1]) <= batch_tokens):
            end += 1
        batch = windows[start:end]
        start = end
        length = max(len(ids) for _, ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.int64)
        for row, (_, tokens) in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        hidden = session.run([config["outputName"]], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        pooled = (hidden * mask[..., None]).sum(1)
        for row, (index, tokens) in enumerate(batch):
            sums[index] += pooled[row]
            weights[index] += len(tokens)
    vectors = sums / weights[:, None]
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), sum(len(ids) for _, ids in windows)


embed(texts[:batch_size])  # warm-up, as on the Node side
started = time.perf_counter()
vectors, tokens = embed(texts)
seconds = time.perf_counter() - started
vectors.astype(np.float32).tofile(vectors_file)
print(json.dumps({"seconds": seconds, "tokens": tokens, "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "onnxruntime": ort.__version__}))
