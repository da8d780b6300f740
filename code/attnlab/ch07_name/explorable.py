"""Try your own name in the web book (Chapter 7): the TinyGPT the book trained, in the page.

The reader types a sentence; Chapter 3's byte-pair tokenizer, in JavaScript
(``ch03_next_token/bpe_tokenizer.js``), cuts it into pieces; the TinyGPT of the chapter's run, in
JavaScript (``tinygpt.js``), writes the name greedily, piece by piece, with the stopping rule of
``python -m attnlab.complete`` (:func:`~attnlab.ch07_name.complete.finish`); the page shows every
head's attention at each step, and the command line's honest note for a name it cannot copy.

One source of truth: :func:`page_data` exports the tokenizer's merges and character classes, the
model's sizes and weights (float16, base64), the lead-in text, which tokens go on a name and the
name pieces, all from Python. :func:`reference` computes what the page must show with PyTorch and
the Python tokenizer; the browser tests compare.
"""

from __future__ import annotations

import base64
import json
import random
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from IPython.display import HTML

from attnlab.ch07_name.analysis import attention_patterns
from attnlab.ch07_name.complete import DEFAULT_PROMPT, note_for
from attnlab.ch07_name.experiment import SentenceResult, is_piece, lead_in, write_name
from attnlab.ch07_name.model import TinyGPT
from attnlab.ch07_name.sentences import FIRST_PIECES, MORE_PIECES, UNSEEN_FIRST, course_tokenizer
from attnlab.core import validate
from attnlab.core.explorable import esc, frame, range_control

__all__ = [
    "KIND",
    "MAX_PIECES",
    "MAX_SENTENCE",
    "PAGE_FILES",
    "encode_float16",
    "decode_float16",
    "model_spec",
    "model_from_spec",
    "page_data",
    "writer_outputs",
    "reference",
    "name_writer",
]

KIND = "name-writer"
#: Pieces written after the first one at most (``write_name``'s default, as the command line).
MAX_PIECES = 5
#: The longest sentence the page takes, in tokens: it fits the window with the story before it.
MAX_SENTENCE = 48
_HERE = Path(__file__).parent
#: The JavaScript of the page, in load order: the tokenizer, the model, the page.
PAGE_FILES = (
    _HERE.parent / "ch03_next_token" / "bpe_tokenizer.js",
    _HERE / "tinygpt.js",
    _HERE / "name_writer.js",
)
_STORY = "(story)"  # the column that holds the weight on the story text before the sentence


def encode_float16(values: torch.Tensor) -> str:
    """A tensor's numbers as little-endian float16, in base64 (what the page carries)."""
    validate.tensor("values", values, floating=True)
    return base64.b64encode(values.detach().cpu().numpy().astype("<f2").tobytes()).decode("ascii")


def decode_float16(text: str, count: int | None = None) -> torch.Tensor:
    """The float32 tensor that :func:`encode_float16` wrote (``count`` numbers, if given)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a base64 str, got {type(text).__name__}")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as error:
        raise ValueError(f"text must be base64: {error}") from None
    if len(raw) % 2:
        raise ValueError(f"text must hold float16 numbers (2 bytes each), got {len(raw)} bytes")
    values = torch.from_numpy(np.frombuffer(raw, dtype="<f2").astype(np.float32))
    if count is not None and values.numel() != count:
        raise ValueError(f"text must hold {count} numbers, got {values.numel()}")
    return values


def _check_model(model: object) -> TinyGPT:
    if not isinstance(model, TinyGPT):
        raise TypeError(f"model must be a TinyGPT, got {type(model).__name__}")
    return model


def model_spec(model: TinyGPT) -> dict:
    """TinyGPT as JSON for ``tinygpt.js``: its sizes, its weights' names and shapes, the weights."""
    model = _check_model(model)
    block = model.blocks[0]
    state = model.state_dict()
    config = {
        "vocab_size": model.vocab_size,
        "context_length": model.context_length,
        "d_model": model.token_embedding.embedding_dim,
        "n_heads": block.attention.n_heads,
        "n_layers": len(model.blocks),
        "width": block.mlp[0].out_features,
    }
    return {
        "config": config,
        "tensors": [[name, list(t.shape)] for name, t in state.items()],
        "weights": encode_float16(torch.cat([t.flatten().float() for t in state.values()])),
    }


def model_from_spec(spec: dict) -> TinyGPT:
    """The TinyGPT the page runs (float32 with the page's float16 weights), from :func:`model_spec`."""
    if not isinstance(spec, dict) or not {"config", "tensors", "weights"} <= set(spec):
        raise TypeError("spec must be a dict with config, tensors and weights (model_spec's)")
    c = spec["config"]
    model = TinyGPT(
        c["vocab_size"], c["context_length"], c["d_model"], c["n_heads"], c["n_layers"], c["width"]
    )
    sizes = [int(np.prod(shape)) for _, shape in spec["tensors"]]
    values = decode_float16(spec["weights"], sum(sizes)).split(sizes)
    state = {
        name: v.reshape(shape) for (name, shape), v in zip(spec["tensors"], values, strict=True)
    }
    model.load_state_dict(state)
    return model.eval()


def page_data(result: SentenceResult) -> dict:
    """Everything the page needs, from one of Chapter 7's TinyGPT runs."""
    if not isinstance(result, SentenceResult):
        raise TypeError(f"result must be a SentenceResult (run's), got {type(result).__name__}")
    model = _check_model(result.model)
    tokenizer = course_tokenizer()
    return {
        "model": model_spec(model),
        "tokenizer": tokenizer.spec(),
        "lead_in": lead_in(model.context_length, random.Random(0)),  # as complete.finish
        "is_piece": [int(is_piece(t)) for t in range(tokenizer.vocab_size)],
        "first_pieces": list(FIRST_PIECES),
        "unseen_first": list(UNSEEN_FIRST),
        "more_pieces": list(MORE_PIECES),
        "max_pieces": MAX_PIECES,
        "max_sentence": MAX_SENTENCE,
        "story": _STORY,
        "seed": result.seed,
        "heldout": result.accuracy["names_x_distances"],
        "prompt": DEFAULT_PROMPT,
    }


def _empty(text: str, error: str) -> dict:
    return {
        "text": text,
        "error": error,
        "pieces": [],
        "written": [],
        "completion": "",
        "note": "",
        "steps": 0,
        "step": 0,
        "tokens": [],
        "rows": [],
        "top": [],
    }


@torch.no_grad()
def writer_outputs(model: TinyGPT, text: str, step: int = 1, lead: list[int] | None = None) -> dict:
    """What the page shows for ``text``: its pieces, the pieces the model writes (as
    ``complete.finish``), the note, and at writing step ``step`` (from 1, clamped to the steps
    there are) every head's weights from the writing position over ``tokens``: the story before
    the sentence (one column, summed), the sentence and the pieces written so far."""
    model = _check_model(model)
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    prompt = text.strip()
    if not prompt:
        return _empty(text, "Type a sentence first, e.g. " + DEFAULT_PROMPT)
    tokenizer = course_tokenizer()
    try:
        sentence = tokenizer.encode(" " + prompt)
    except ValueError:
        return _empty(
            text,
            "Your sentence holds half of a character (a lone surrogate): delete it and type the "
            "character again.",
        )
    if len(sentence) > MAX_SENTENCE:
        return _empty(
            text,
            f"Your sentence is {len(sentence)} pieces long; keep it to {MAX_SENTENCE} pieces or "
            f"fewer, so the model reads it whole.",
        )
    lead = lead_in(model.context_length, random.Random(0)) if lead is None else lead
    ids = lead + sentence
    written = write_name(model, [ids], MAX_PIECES)[0]
    k = min(max(int(round(step)), 1), len(written))
    window = (ids + written[: k - 1])[-model.context_length :]
    patterns = attention_patterns(model, window).flatten(0, 1)  # (n_layers * n_heads, L, L)
    shown = len(sentence) + k - 1  # the sentence and what was written before this step
    rows = patterns[:, -1]  # from the writing position
    rows = torch.cat([rows[:, :-shown].sum(-1, keepdim=True), rows[:, -shown:]], dim=1)
    out = _empty(text, "")
    out.update(
        pieces=[tokenizer.token_string(t) for t in sentence],
        written=[tokenizer.token_string(t) for t in written],
        completion=prompt + tokenizer.decode(written),
        note=note_for(prompt) or "",
        steps=len(written),
        step=k,
        tokens=[_STORY] + [tokenizer.token_string(t) for t in (sentence + written)[:shown]],
        rows=rows.tolist(),
        top=[int(r.argmax()) for r in rows],
    )
    return out


@lru_cache(maxsize=2)
def _model(weights: str, tensors: str, config: str) -> TinyGPT:
    """The page's model in float64, built once per page's data (the references call it often)."""
    spec = {"weights": weights, "tensors": json.loads(tensors), "config": json.loads(config)}
    return model_from_spec(spec).double()


def reference(data: dict, controls: dict) -> dict:
    """What the page must show for its sentence (``controls["text"]``) and step, computed with
    PyTorch (float64, the page's float16 weights) and the Python tokenizer."""
    spec = data["model"]
    model = _model(spec["weights"], json.dumps(spec["tensors"]), json.dumps(spec["config"]))
    return writer_outputs(model, controls["text"], controls["step"], data["lead_in"])


def _read(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if "</script" in text.lower() or "<!--" in text:
        raise ValueError(f"{path.name} must not contain '</script' or '<!--' (it goes in a page)")
    return text


def name_writer(result: SentenceResult, prompt: str = DEFAULT_PROMPT) -> HTML:
    """Chapter 7's "try your own name" as an explorable: the run's TinyGPT in the reader's browser.

    ``result`` is the chapter's TinyGPT run (``run(MODELS["tinygpt"], seed)``); ``prompt`` is the
    sentence in the text box at the start.
    """
    data = page_data(result)
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError('prompt must be a non-empty str, e.g. "I\'m called Keyvan, so my name is"')
    start = writer_outputs(result.model, prompt)
    if start["error"]:
        raise ValueError(f"prompt does not work in the page: {start['error']}")
    controls = (
        '<label class="ax-control" style="flex-basis:100%"><span class="ax-name">your sentence'
        f'</span><input type="text" class="ax-text" value="{esc(prompt)}" maxlength="400" '
        'aria-label="your sentence" style="flex:1 1 auto;min-width:0;font:inherit;'
        'padding:.2em .4em"></label>'
        + range_control("step", "writing step", 1, MAX_PIECES + 1, 1, 1, digits=0)
    )
    body = (
        '<p class="ax-completion" aria-live="polite" style="font-size:1.15em;margin:.4em 0"></p>'
        '<div class="ax-tokens ax-pieces" aria-label="the pieces"></div>'
        '<p class="ax-honest ax-note" role="note" hidden></p>'
        '<p class="ax-status ax-note"></p>'
        '<div class="ax-heads" style="display:flex;flex-wrap:wrap;gap:.5em"></div>'
        '<p class="ax-readout" aria-live="polite"></p>'
    )
    pieces = " + ".join(repr(p) for p in start["written"])
    note = (
        f"With JavaScript, the TinyGPT trained for this page (seed {data['seed']}) finishes the "
        f"sentence you type here, and shows where each of its heads looks. For "
        f"\u201c{esc(prompt.strip())}\u201d it writes {esc(pieces)}."
    )
    return frame(
        KIND,
        "Try your own name",
        data,
        controls,
        body,
        "".join(_read(path) for path in PAGE_FILES),
        note,
        without_js="(It runs in your browser with JavaScript, which is switched off here.)",
    )
