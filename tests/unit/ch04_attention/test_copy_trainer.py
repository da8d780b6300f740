"""The copy experiment as the page trains it (attnlab.ch04_attention.copy_trainer): the JSON the
JavaScript reads is the Python experiment's settings, the reference is CopyTask's split, and bad
input gets a clear error. (The JavaScript itself is checked in Chromium:
tests/built/test_copy_trainer.py.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import torch

from attnlab.ch03_next_token.copy_experiment import CopyConfig
from attnlab.ch03_next_token.copytask import CopyTask
from attnlab.ch03_next_token.model import EMBED_STD
from attnlab.ch04_attention import copy_trainer as trainer
from attnlab.ch04_attention.copy_run import AttentionCopyConfig, fair_mlp
from attnlab.explorables import reference


def test_the_spec_is_the_python_experiment():
    config = AttentionCopyConfig()
    mlp = fair_mlp(config)
    spec = trainer.training_spec()
    json.dumps(spec, allow_nan=False)
    assert spec["training"] == {
        "steps": config.steps,
        "batch_size": config.batch_size,
        "eval_size": config.eval_size,
        "eval_every": config.eval_every,
    }
    assert spec["models"] == {
        "mlp": {"d_model": mlp.d_model, "width": mlp.width, "lr": mlp.lr},
        "attention": {"d_model": config.d_model, "lr": config.lr},
    }
    adam = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults
    assert spec["adam"] == {"betas": list(adam["betas"]), "eps": adam["eps"]}
    assert spec["embed_std"] == EMBED_STD
    task, t = CopyTask(), spec["task"]
    assert t["vocab"] == task.vocab and t["vocab_size"] == task.vocab_size
    assert (t["marker_id"], t["first_name_id"]) == (task.marker_id, task.first_name_id)
    assert t["context_length"] == task.context_length
    assert t["systematic_seen"] == task.seen.int().tolist()
    assert len(t["random_holes"]) == 10
    for seed, holes in enumerate(t["random_holes"]):
        seen = CopyTask(split="random", seed=seed).seen
        assert not seen[torch.arange(task.n_names), holes].any()
        assert int((~seen).sum()) == task.n_names  # one hole per name, and it is this one


def test_the_spec_follows_the_config():
    spec = trainer.training_spec(AttentionCopyConfig(n_names=20, steps=40, lr=0.01), n_seeds=3)
    assert spec["task"]["n_names"] == 20 and len(spec["task"]["systematic_seen"]) == 20
    assert spec["training"]["steps"] == 40 and spec["models"]["attention"]["lr"] == 0.01
    assert len(spec["task"]["random_holes"]) == 3
    mlp = CopyConfig(n_names=20, steps=40, width=7)
    spec = trainer.training_spec(AttentionCopyConfig(n_names=20, steps=40), mlp=mlp)
    assert spec["models"]["mlp"]["width"] == 7


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: trainer.training_spec("config"), TypeError, "AttentionCopyConfig"),
        (lambda: trainer.training_spec(CopyConfig()), TypeError, "AttentionCopyConfig"),
        (
            lambda: trainer.training_spec(AttentionCopyConfig(positions=True)),
            ValueError,
            "positions=False",
        ),
        (lambda: trainer.training_spec(mlp=AttentionCopyConfig()), TypeError, "CopyConfig"),
        (lambda: trainer.training_spec(mlp=CopyConfig(steps=10)), ValueError, "steps"),
        (lambda: trainer.training_spec(mlp=CopyConfig(d_model=16)), ValueError, "d_model"),
        (lambda: trainer.training_spec(n_seeds=0), ValueError, "n_seeds"),
        (lambda: trainer.training_spec(n_seeds=101), ValueError, "at most 100"),
        (lambda: trainer.copy_trainer(seed=-1), ValueError, "seed"),
        (lambda: trainer.copy_trainer(seed=3, n_seeds=3), ValueError, "below n_seeds=3"),
        (lambda: trainer.copy_trainer(split="holes"), ValueError, "split"),
    ],
)
def test_bad_input_is_named(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_reference_is_copytasks_split():
    data = {"spec": trainer.training_spec(), "splits": list(trainer.SPLITS)}
    out = reference("copy-trainer", data, {"seed": 0, "split": 0})
    assert out == {
        "seed": 0,
        "split": "systematic",
        "seen": 700,
        "heldout": 700,
        "heldout_per_slot": [100] * 7,
    }
    for seed in (0, 5):
        out = reference("copy-trainer", data, {"seed": seed, "split": 1})
        holes = data["spec"]["task"]["random_holes"][seed]
        assert (out["seed"], out["split"], out["seen"], out["heldout"]) == (
            seed,
            "random",
            1200,
            200,
        )
        assert out["heldout_per_slot"] == [holes.count(s) for s in range(7)]


def test_worker_source_holds_the_three_modules():
    source = trainer.worker_source()
    for name in ("var CopyTrain", "var MlpTrain", "var AttentionTrain", "serveWorker("):
        assert name in source
    assert "</script" not in source.lower() and "http" not in source


def test_a_module_that_would_break_the_page_is_refused(tmp_path):
    bad = tmp_path / "bad.js"
    bad.write_text("var s = '</script>';")
    with pytest.raises(ValueError, match="must not contain"):
        trainer._read(bad)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_worker_source_parses(tmp_path):
    path = tmp_path / "worker.js"
    path.write_text(trainer.worker_source())
    result = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_controls_start_where_asked():
    html = trainer.copy_trainer(AttentionCopyConfig(n_names=20, split="random"), n_seeds=3).data
    assert '<option value="1" selected>' in html
    html = trainer.copy_trainer(AttentionCopyConfig(n_names=20), seed=2, n_seeds=3).data
    assert '<option value="0" selected>' in html and 'value="2"' in html
    assert "With JavaScript, both networks train here" in html
