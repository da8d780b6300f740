"""OpenMP's wait policy: set for the course's processes and written into its kernel spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from attnlab.core import threads


def test_importing_attnlab_sets_the_wait_policy_before_torch_is_loaded():
    code = (
        "import os, sys; import attnlab; "
        "print(os.environ.get('OMP_WAIT_POLICY'), 'torch' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["PASSIVE", "False"]  # set, and before PyTorch was imported


def test_a_policy_the_user_set_is_kept(monkeypatch):
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    assert threads.wait_quietly() == "ACTIVE"
    monkeypatch.delenv("OMP_WAIT_POLICY")
    assert threads.wait_quietly() == "PASSIVE"


def test_the_kernel_spec_gets_the_policy_and_keeps_its_env(tmp_path):
    spec = tmp_path / "kernel.json"
    spec.write_text(json.dumps({"argv": ["python"], "env": {"A": "1"}}))
    threads.add_to_kernelspec(spec)
    written = json.loads(spec.read_text())
    assert written["env"] == {"A": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    assert written["argv"] == ["python"]


def test_bad_input_is_named(tmp_path):
    with pytest.raises(ValueError, match="kernel.json"):
        threads.add_to_kernelspec(tmp_path / "nothing.json")
