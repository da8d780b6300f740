"""Try your own name: ``python -m attnlab.complete --seed 3 "I'm called Keyvan, so my name is"``.

Trains Chapter 7's TinyGPT on that seed (about a minute on a laptop; the trained weights are kept
in a cache folder, so the next call with the same seed is instant), then writes the rest of the
prompt: the whole line first, then the pieces one by one, then how often this seed's model
finished the held-out names of the chapter.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import sys
import tempfile
from dataclasses import asdict, replace
from pathlib import Path

import torch

from attnlab.ch07_name.experiment import MODELS, lead_in, make_model, run, write_name
from attnlab.ch07_name.model import TinyGPT
from attnlab.ch07_name.sentences import FIRST_PIECES, MORE_PIECES, UNSEEN_FIRST, course_tokenizer
from attnlab.core.seeds import shift_seed

__all__ = ["main", "cache_folder", "trained_model", "unseen_pieces", "note_for", "finish"]

#: The environment variable naming the cache folder (default: ~/.cache/attnlab).
CACHE_VARIABLE = "ATTNLAB_CACHE"
DEFAULT_PROMPT = "I'm called Keyvan, so my name is"


def cache_folder() -> Path:
    """Where trained weights are kept: ``$ATTNLAB_CACHE``, else ``~/.cache/attnlab``."""
    return Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "attnlab")


def _cache_file(seed: int) -> Path:
    config = MODELS["tinygpt"]
    key = repr((asdict(config), torch.__version__, seed)).encode()
    return cache_folder() / f"ch07-tinygpt-seed{seed}-{hashlib.sha1(key).hexdigest()[:10]}.pt"


def _load(path: Path) -> tuple[dict, float] | None:
    """The weights and held-out accuracy kept in ``path``, or None when there is nothing usable.

    A file that cannot be read (cut short by a Ctrl-C, damaged, from another version) is reported
    in one line and moved aside, so the model is trained again instead of failing every call.
    """
    if not path.exists():
        return None
    try:
        saved = torch.load(path, weights_only=True)
        return saved["weights"], float(saved["heldout"])
    except Exception as error:  # any unreadable file: torch, pickle, zip or key errors
        reason = f"{type(error).__name__}: {error}".splitlines()[0][:120]
        aside = path.with_name(path.name + ".damaged")
        try:
            os.replace(path, aside)
            where = f"moved to {aside.name}"
        except OSError:
            where = "left where it is"
        print(
            f"note: the kept weights {path} could not be read ({reason}); {where}, training again"
        )
        return None


def _save(path: Path, weights: dict, heldout: float) -> None:
    """Keep the weights in ``path``: written to a temporary file beside it, then renamed into place,
    so a reader never sees half a file and two runs at once leave one good file. A folder that
    cannot be written gets a one-line note; the completion goes on without the cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                torch.save({"weights": weights, "heldout": heldout}, file)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError as error:
        print(
            f"note: could not keep the trained weights in {path.parent} ({error.strerror or error}); "
            f"set {CACHE_VARIABLE} to a folder you can write to, or pass --no-cache"
        )


def trained_model(seed: int, use_cache: bool = True) -> tuple[TinyGPT, float, int]:
    """TinyGPT trained on ``seed``: (model, held-out accuracy, the seed really used).

    The held-out accuracy is on the chapter's "names x distances" test set.
    """
    used = shift_seed(seed)
    path = _cache_file(used)
    model = make_model(MODELS["tinygpt"], course_tokenizer().vocab_size)
    kept = _load(path) if use_cache else None
    if kept is not None:
        try:
            model.load_state_dict(kept[0])
            model.eval()
            return model, kept[1], used
        except (RuntimeError, KeyError, TypeError) as error:
            print(f"note: the kept weights {path} do not fit the model ({error}); training again")
    result = run(replace(MODELS["tinygpt"], progress=True), seed)
    heldout = result.accuracy["names_x_distances"]
    if use_cache:
        _save(path, result.model.state_dict(), heldout)
    return result.model, heldout, used


def _name_in(prompt: str) -> str | None:
    """The name after "called" in the prompt, with its space (" Keyvan"), or None."""
    match = re.search(r"called( [^\s,.!?]+)", prompt)
    return match.group(1) if match else None


def unseen_pieces(name: str) -> list[str]:
    """The pieces of ``name`` that never stand in a name of the training text."""
    pieces = course_tokenizer().pieces(name)
    first_ok = pieces[0] in FIRST_PIECES and pieces[0] not in UNSEEN_FIRST
    known = [first_ok] + [p in MORE_PIECES for p in pieces[1:]]
    return [p for p, ok in zip(pieces, known, strict=True) if not ok]


def note_for(prompt: str) -> str | None:
    """The honest note for a prompt whose name (after "called") has pieces the model never saw in
    a name, or None. The command line prints it after "note: "; Chapter 7's web page shows it too."""
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str, got {type(prompt).__name__}")
    name = _name_in(prompt.strip())
    missing = unseen_pieces(name) if name is not None else []
    if not missing:
        return None
    return (
        f"{name.strip()!r} is made of pieces the model never saw in a name "
        f"({', '.join(repr(p) for p in missing)}); it learned to copy only pieces it met in names, "
        "so expect it to get this one wrong."
    )


def finish(model: TinyGPT, prompt: str) -> list[str]:
    """The pieces the model writes after ``prompt``, up to where the name ends."""
    tokenizer = course_tokenizer()
    ids = lead_in(model.context_length, random.Random(0)) + tokenizer.encode(" " + prompt.strip())
    return [tokenizer.token_string(t) for t in write_name(model, [ids])[0]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m attnlab.complete",
        description="Train Chapter 7's TinyGPT (or reuse a trained one) and finish your sentence.",
    )
    parser.add_argument("prompt", nargs="?", default=DEFAULT_PROMPT, help="the sentence to finish")
    parser.add_argument("--seed", type=int, default=0, help="training seed, a whole number >= 0")
    parser.add_argument("--no-cache", action="store_true", help="train again, keep nothing")
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be a whole number >= 0, got {args.seed}")
    prompt = args.prompt.strip()
    if not prompt:
        parser.error('the prompt must not be empty, e.g. "I\'m called Keyvan, so my name is"')
    model, heldout, used = trained_model(args.seed, use_cache=not args.no_cache)
    pieces = finish(model, prompt)
    print(prompt + "".join(pieces))
    for k, piece in enumerate(pieces, 1):
        print(f"  piece {k}: {piece!r}")
    print(f"seed {used}: {heldout:.0%} of the held-out names finished exactly (names x distances)")
    note = note_for(prompt)
    if note is not None:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
