"""pytest tests of the `loom` Python package (python/loom): numerics against PyTorch for an
nn.TransformerEncoder and Hugging Face GPT2Model (weights from a state_dict, with no file,
and from safetensors), the compile cache, and every error path as a Python exception."""
import os
import pathlib
import shutil
import sys

import numpy as np
import pytest
import torch

import loom

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test" / "e2e"))
import loomref  # noqa: E402
import make_hf_ref  # noqa: E402

ENCODER = dict(n_layers=2, d_model=32, n_heads=4, d_ff=64, seq=8, batch=2)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def encoder(cache):
    return loom.compile(ROOT / "examples" / "encoder.loom", cache_dir=cache, **ENCODER)


def torch_encoder(seed=0):
    torch.manual_seed(seed)
    layer = torch.nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)
    enc = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False).eval()
    loomref.reinit_(enc, seed + 1)
    return enc


def test_encoder_from_state_dict(encoder):
    enc = torch_encoder()
    encoder.load(enc.state_dict())  # tensors straight from PyTorch, no file
    x = torch.randn(2, 8, 32, generator=torch.Generator().manual_seed(3))
    expected = enc(x + loomref.sinusoidal_pe(8, 32)).detach().numpy()
    y = encoder.run(x.numpy())
    assert y.shape == (2, 8, 32) and y.dtype == np.float32
    assert np.abs(y - expected).max() <= 1e-4
    # By name, and from a torch tensor, the same numbers.
    assert np.array_equal(encoder.run(x=x), y)
    assert [s.name for s in encoder.inputs] == ["x"]
    assert encoder.weights[0] == loom.TensorSpec("layers.0.self_attn.in_proj_weight", (96, 32), "F32")


def test_gpt2_from_dict_and_from_safetensors(cache, tmp_path):
    class Args:
        layers, d_model, heads, d_ff, seq, batch, vocab, max_len = 2, 32, 4, 64, 12, 3, 50, 16
    torch.manual_seed(0)
    ref = make_hf_ref.GPT2Model(Args)
    loomref.reinit_(ref, 1)
    ref.eval()
    ids = torch.randint(0, 50, (3, 12), generator=torch.Generator().manual_seed(2))
    expected = ref(ids).detach().numpy()
    model = loom.compile(ROOT / "examples" / "gpt2.loom", cache_dir=cache, n_layers=2, d_model=32,
                         n_heads=4, seq=12, batch=3, vocab=50, n_positions=16)
    y = model.load(ref.state_dict()).run(ids.numpy())
    assert np.abs(y - expected).max() <= 1e-4
    # A file with buffers that older exports carry: refused unless ignored.
    sd = dict(ref.state_dict())
    sd["h.0.attn.bias"] = torch.ones(1, 1, 16, 16)
    path = tmp_path / "gpt2.safetensors"
    loomref.write_safetensors(str(path), sd, "BF16")
    with pytest.raises(loom.LoomError, match="unexpected tensor 'h.0.attn.bias'"):
        model.load(path)
    model.load(path, ignore=["h.*.attn.bias"])
    y16 = model.run(ids.numpy())
    assert np.abs(y16 - expected).max() > 1e-4  # BF16 weights are rounded...
    assert np.abs(y16 - expected).max() < 0.1   # ...but it is the same model
    with pytest.raises(loom.LoomError, match="input_ids"):  # token ids past the vocabulary
        model.run(np.full((3, 12), 50, dtype=np.int64))


def test_extra_outputs_come_back_by_name(cache):
    model = loom.compile(ROOT / "examples" / "transformer_xl.loom", cache_dir=cache, n_layers=2,
                         d_model=16, n_heads=2, d_ff=32, seq=4, mem_len=4)
    rng = np.random.default_rng(0)
    model.load({s.name: rng.standard_normal(s.shape).astype(np.float32) * 0.1 for s in model.weights})
    x = rng.standard_normal((1, 4, 16)).astype(np.float32)
    mems = rng.standard_normal((2, 1, 4, 16)).astype(np.float32)
    out = model.run(x, mems)
    assert set(out) == {"output", "new_mems"}
    assert out["new_mems"].shape == (2, 1, 4, 16)
    # Layer 0's new memory is its input, the last mem_len rows of concat(memory, x) = x.
    assert np.array_equal(out["new_mems"][0], x)


def test_cache_reuse_and_invalidation(tmp_path):
    spec_dir = tmp_path / "specs"
    spec_dir.mkdir()
    (spec_dir / "block.loom").write_text("block Body() { layer_norm as ln; }\n")
    spec = spec_dir / "m.loom"
    spec.write_text('import "block.loom";\nmodel M(batch: int = 1, seq: int = 4) {\n'
                    '  input x: f32[batch, seq, 8];\n  Body;\n}\n')
    cache = tmp_path / "cache"
    assert loom.compile(spec, cache_dir=cache).compiled
    assert not loom.compile(spec, cache_dir=cache).compiled  # unchanged: no loomc run
    assert loom.compile(spec, cache_dir=cache, seq=5).compiled  # another option
    (spec_dir / "block.loom").write_text("block Body() { rms_norm as ln; }\n")
    again = loom.compile(spec, cache_dir=cache)  # an imported file changed
    assert again.compiled and [s.name for s in again.weights] == ["ln.weight"]


def test_spec_text_and_compile_errors(tmp_path):
    text = ("model M(batch: int = 1, seq: int = 4) {\n  input x: f32[batch, seq, 8];\n"
            "  layer_norm(eps = true);\n}\n")
    with pytest.raises(loom.CompileError) as e:
        loom.compile(text, cache_dir=tmp_path)
    message = str(e.value)
    assert message.startswith("<spec>:3:")
    assert "error:" in message and "^" in message
    ok = loom.compile(text.replace("eps = true", "eps = 1e-6"), cache_dir=tmp_path)
    assert ok.weights[0].name == "weight"
    with pytest.raises(loom.LoomError, match="no spec file"):
        loom.compile("no/such/file.loom", cache_dir=tmp_path)


def test_weight_and_input_errors(encoder):
    enc = torch_encoder()
    sd = dict(enc.state_dict())
    del sd["layers.1.norm2.bias"]
    sd["layers.0.linear1.weight"] = torch.zeros(3, 3)
    sd["extra"] = torch.zeros(2)
    with pytest.raises(loom.LoomError) as e:
        encoder.load(sd)
    text = str(e.value)
    assert text.startswith("3 tensors do not match the model:")
    assert "missing tensor 'layers.1.norm2.bias' [32] F32" in text
    assert "'layers.0.linear1.weight' has shape [3, 3], the model expects [64, 32]" in text
    assert "unexpected tensor 'extra' [2]" in text
    with pytest.raises(loom.LoomError, match="no weights loaded"):
        encoder.run(np.zeros((2, 8, 32), np.float32))
    with pytest.raises(loom.LoomError, match="cannot open weights"):
        encoder.load("/nonexistent.safetensors")
    encoder.load(enc.state_dict())
    with pytest.raises(loom.LoomError, match=r"input 'x' has shape \[2, 8\]"):
        encoder.run(np.zeros((2, 8), np.float32))
    with pytest.raises(loom.LoomError, match="input 'x' is int64"):
        encoder.run(np.zeros((2, 8, 32), np.int64))
    with pytest.raises(loom.LoomError, match="has no input 'y'"):
        encoder.run(y=np.zeros((2, 8, 32), np.float32))
    with pytest.raises(loom.LoomError, match="missing input 'x'"):
        encoder.run()
    with pytest.raises(loom.LoomError, match="set_threads needs n >= 1"):
        loom.set_threads(0)
    loom.set_threads(1)
    y1 = encoder.run(np.ones((2, 8, 32), np.float32))
    loom.set_threads(2)
    assert np.allclose(encoder.run(np.ones((2, 8, 32), np.float32)), y1, atol=1e-6)


def test_dynamic_batch_and_seq(cache):
    """One library (-D seq=? -D batch=?) for every batch size and length, against PyTorch."""
    model = loom.compile(ROOT / "examples" / "encoder.loom", cache_dir=cache, n_layers=2,
                         d_model=32, n_heads=4, d_ff=64, seq="?", batch="?")
    assert model.manifest["dynamic"] == ["batch", "seq"]
    assert model.inputs[0].shape == ("batch", "seq", 32)
    enc = torch_encoder()
    model.load(enc.state_dict())
    for batch, seq in [(1, 1), (3, 7), (2, 77)]:
        x = torch.randn(batch, seq, 32, generator=torch.Generator().manual_seed(seq))
        expected = enc(x + loomref.sinusoidal_pe(seq, 32)).detach().numpy()
        y = model.run(x.numpy())
        assert y.shape == (batch, seq, 32)
        assert np.abs(y - expected).max() <= 1e-4
    with pytest.raises(loom.LoomError, match="dynamic dimension 'seq' is 0"):
        model.run(np.zeros((1, 0, 32), np.float32))
    with pytest.raises(loom.LoomError, match="needs a lengths input"):
        model.run(np.zeros((1, 4, 32), np.float32), pack=True)
    with pytest.raises(loom.LoomError, match=r"the model expects \[batch, seq, 32\]"):
        model.run(np.zeros((1, 4, 16), np.float32))


def check_padded_encoder(cache, seed, remove_padding=False, pack=False):
    """test/e2e/inputs/padded.loom (dynamic batch and seq) on a batch with lengths 9, 4, 1:
    the valid rows as PyTorch's nn.TransformerEncoder with src_key_padding_mask, the padded
    rows zero."""
    spec = ROOT / "test" / "e2e" / "inputs" / "padded.loom"
    model = loom.compile(spec, cache_dir=cache, seq="?", batch="?", remove_padding=remove_padding)
    enc = torch_encoder()
    model.load(enc.state_dict())
    lengths = np.array([9, 4, 1], np.int64)
    x = torch.randn(3, 9, 32, generator=torch.Generator().manual_seed(seed))
    mask = torch.arange(9).view(1, -1) >= torch.from_numpy(lengths).view(-1, 1)
    expected = enc(x + loomref.sinusoidal_pe(9, 32), src_key_padding_mask=mask).detach().numpy()
    y = model.run(x=x.numpy(), lengths=lengths, pack=pack)
    for i, n in enumerate(lengths):
        assert np.abs(y[i, :n] - expected[i, :n]).max() <= 1e-4
        assert not y[i, n:].any()


def test_remove_padding(cache):
    """remove_padding=True: the valid rows packed into one sequence; as PyTorch, padded rows zero."""
    check_padded_encoder(cache, 6, remove_padding=True)
    with pytest.raises(loom.CompileError, match="cannot remove padding"):
        loom.compile(ROOT / "examples" / "encoder.loom", cache_dir=cache, seq="?", batch="?",
                     n_layers=1, remove_padding=True)


def test_packed_run_skips_padding(cache):
    """pack=True: every example on its own rows; valid rows as PyTorch, padded rows zero."""
    check_padded_encoder(cache, 5, pack=True)


def test_plugin_block(cache):
    """A block from a plugin library (the test suite's softplus) compiles through
    plugins=..., matches torch.nn.functional.softplus, and without it is an error."""
    plugin = os.environ.get("LOOM_TEST_PLUGIN")
    if not plugin:
        pytest.skip("LOOM_TEST_PLUGIN not set (lit sets it)")
    spec = "model M {\n  input x: f32[1, 4, 8];\n  linear(out_features = 8) as fc;\n  softplus;\n}\n"
    with pytest.raises(loom.CompileError, match="unknown block 'softplus'"):
        loom.compile(spec, cache_dir=cache)
    m = loom.compile(spec, cache_dir=cache, plugins=[plugin])
    fc = torch.nn.Linear(8, 8)
    loomref.reinit_(fc, 5)
    m.load({"fc." + k: v for k, v in fc.state_dict().items()})
    x = torch.randn(1, 4, 8, generator=torch.Generator().manual_seed(6))
    expected = torch.nn.functional.softplus(fc(x)).detach().numpy()
    assert np.abs(m.run(x.numpy()) - expected).max() <= 1e-5
    with pytest.raises(loom.LoomError, match="no plugin library"):
        loom.compile(spec, cache_dir=cache, plugins=["/nonexistent/plugin.so"])
