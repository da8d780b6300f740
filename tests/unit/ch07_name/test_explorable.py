"""Chapter 7's "try your own name" page, without a browser: the float16 weights, the model the page
runs, what it must show (``writer_outputs``), the honest note, and bad input. (Its JavaScript is
checked in Chromium: tests/built/test_name_writer.py.)"""

from __future__ import annotations

import base64
import json
import random
import re

import pytest
import torch

from attnlab.ch07_name import complete
from attnlab.ch07_name.analysis import attention_patterns
from attnlab.ch07_name.experiment import MODELS, SentenceResult, lead_in, write_name
from attnlab.ch07_name.explorable import (
    MAX_SENTENCE,
    decode_float16,
    encode_float16,
    model_from_spec,
    model_spec,
    name_writer,
    page_data,
    reference,
    writer_outputs,
)
from attnlab.ch07_name.model import TinyGPT
from attnlab.ch07_name.sentences import course_tokenizer

DATA_RE = re.compile(r'<script type="application/json" class="attnlab-x-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def model() -> TinyGPT:
    torch.manual_seed(0)
    return TinyGPT(course_tokenizer().vocab_size, 64, 16, 2, 2, 16).eval()


@pytest.fixture(scope="module")
def result(model) -> SentenceResult:
    return SentenceResult(MODELS["tinygpt"], 0, model, {}, {"names_x_distances": 0.95}, {}, 0.0)


def test_float16_round_trip():
    values = torch.tensor([0.0, 1.0, -2.5, 1e-3, 65504.0, 0.1])
    back = decode_float16(encode_float16(values), 6)
    assert torch.equal(back, values.half().float())  # float16's rounding, nothing more
    assert decode_float16(encode_float16(back)).equal(back)  # a second trip changes nothing


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: encode_float16([1.0, 2.0]), TypeError, "values"),
        (lambda: decode_float16(b"AAAA"), TypeError, "base64 str"),
        (lambda: decode_float16("not base64!"), ValueError, "base64"),
        (lambda: decode_float16(base64.b64encode(b"abc").decode()), ValueError, "2 bytes"),
        (lambda: decode_float16(encode_float16(torch.ones(3)), 4), ValueError, "4 numbers"),
        (lambda: model_spec(torch.nn.Linear(2, 2)), TypeError, "TinyGPT"),
        (lambda: model_from_spec({"weights": ""}), TypeError, "config, tensors and weights"),
        (lambda: page_data("a run"), TypeError, "SentenceResult"),
    ],
)
def test_bad_input_is_named(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_the_page_runs_the_model_with_float16_weights(model):
    spec = model_spec(model)
    assert spec["config"] == {
        "vocab_size": model.vocab_size,
        "context_length": 64,
        "d_model": 16,
        "n_heads": 2,
        "n_layers": 2,
        "width": 16,
    }
    assert [name for name, _ in spec["tensors"]] == list(model.state_dict())
    page = model_from_spec(spec)
    for (name, want), got in zip(
        model.state_dict().items(), page.state_dict().values(), strict=True
    ):
        assert torch.equal(got, want.half().float()), name
    ids = torch.randint(0, model.vocab_size, (2, 64), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert (page(ids) - model(ids)).abs().max() < 0.05  # float16's rounding only
    assert model_spec(page)["weights"] == spec["weights"]


def test_the_data_come_from_python(result, model):
    data = page_data(result)
    tokenizer = course_tokenizer()
    assert data["tokenizer"]["merges"] == [list(p) for p in tokenizer.merges]
    assert data["tokenizer"]["strings"][256:259] == [
        tokenizer.token_string(t) for t in (256, 257, 258)
    ]
    assert data["is_piece"][tokenizer.encode("an")[0]] == 1
    assert data["is_piece"][tokenizer.encode(" is")[0]] == 0
    assert (data["seed"], data["heldout"]) == (0, 0.95)
    json.dumps(data, allow_nan=False)


def test_writer_outputs_finish_the_sentence_as_the_command_line(model):
    prompt = "I'm called Keyvan, so my name is"
    out = writer_outputs(model, "  " + prompt + " ")
    assert out["error"] == ""
    assert out["written"] == complete.finish(model, prompt)
    assert out["completion"] == prompt + "".join(out["written"])
    assert out["pieces"] == course_tokenizer().pieces(" " + prompt)
    assert out["step"] == 1 and out["steps"] == len(out["written"])
    assert len(out["rows"]) == 4 and len(out["top"]) == 4  # 2 layers x 2 heads
    assert out["tokens"][0] == "(story)" and out["tokens"][1:] == out["pieces"]
    for row in out["rows"]:
        assert len(row) == len(out["tokens"]) and abs(sum(row) - 1) < 1e-5
    last = writer_outputs(model, prompt, step=99)  # a step past the end: the last one
    assert last["step"] == last["steps"]
    assert len(last["tokens"]) == len(out["tokens"]) + last["steps"] - 1


def test_the_writing_step_reads_what_write_name_read(model):
    prompt = "I'm called Lanel, so my name is"
    lead = lead_in(64, random.Random(0))
    ids = lead + course_tokenizer().encode(" " + prompt)
    written = write_name(model, [ids])[0]
    out = writer_outputs(model, prompt, step=len(written), lead=lead)
    window = (ids + written[:-1])[-64:]
    row = attention_patterns(model, window)[1, 0, -1]  # layer 2, head 0, the writing position
    shown = len(out["tokens"]) - 1
    assert out["rows"][2][1:] == pytest.approx(row[-shown:].tolist())
    assert out["rows"][2][0] == pytest.approx(float(row[:-shown].sum()))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "Type a sentence first"),
        (" \t\n", "Type a sentence first"),
        ("key " * 60, f"keep it to {MAX_SENTENCE} pieces"),
        ("I'm called \ud800", "lone surrogate"),
    ],
)
def test_bad_sentences_get_a_clear_message(model, text, words):
    out = writer_outputs(model, text)
    assert words in out["error"] and out["written"] == [] and out["rows"] == []


def test_writer_outputs_refuse_what_is_not_a_model_or_text(model):
    with pytest.raises(TypeError, match="TinyGPT"):
        writer_outputs("model", "hi")
    with pytest.raises(TypeError, match="text must be a str"):
        writer_outputs(model, 42)


def test_the_honest_note_is_the_command_lines(model):
    assert complete.note_for("I'm called Keyvan, so my name is") is None
    assert complete.note_for("no name here") is None
    note = complete.note_for("I'm called Gabe, so my name is")
    assert note.startswith("'Gabe' is made of pieces the model never saw in a name (' G'")
    assert complete.note_for("I'm called O'Gan, so my name is").startswith('"O\'Gan"')
    assert writer_outputs(model, "I'm called Gabe, so my name is")["note"] == note
    with pytest.raises(TypeError, match="prompt must be a str"):
        complete.note_for(None)


def test_the_explorable_carries_the_model_and_its_reference(result, model):
    html = name_writer(result, "I'm called Lanel, so my name is").data
    assert 'data-attnlab-explorable="name-writer"' in html and "TinyGpt.writeName" in html
    data = json.loads(DATA_RE.search(html).group(1))
    assert (
        model_from_spec(data["model"])
        .state_dict()["unembed.bias"]
        .equal(model.state_dict()["unembed.bias"].half().float())
    )
    got = reference(data, {"text": "I'm called Lanel, so my name is", "step": 1})
    assert got["written"] == complete.finish(
        model_from_spec(data["model"]), "I'm called Lanel, so my name is"
    )
    with pytest.raises(ValueError, match="non-empty"):
        name_writer(result, " ")
    with pytest.raises(ValueError, match="does not work in the page"):
        name_writer(result, "key " * 60)
