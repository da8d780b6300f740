"""A small byte-level byte-pair-encoding (BPE) tokenizer (Chapter 3; Chapter 6 reuses it).

Text becomes UTF-8 bytes, so any text at all can be written with the 256 starting tokens (one per
byte). Training then repeats one step: find the pair of neighbouring tokens that occurs most often
and give it a new token of its own (a "merge"). Frequent words end up as one token; a rare word
falls apart into the pieces the merges happen to know.

Before counting, the text is cut into chunks (a word or a run of punctuation, each with the one
space before it, and runs of other white space) and no merge crosses a chunk boundary, so
"key." never becomes one token, while " key" (with its space) can.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources

import numpy as np
import torch
from tqdm.auto import tqdm

from attnlab.core import validate

__all__ = [
    "BPETokenizer",
    "load_corpus",
    "split_chunks",
    "count_pairs",
    "merge_pair",
    "CORPUS_FILE",
    "chunk_classes",
]

CORPUS_FILE = "keys_corpus.txt"

_INT_DTYPES = (torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64)

# Every character is a word character, white space or neither, so the chunks always add up to the
# text. A word keeps the single space before it (" key"), as GPT-2's tokenizer does.
_CHUNK = re.compile(r" ?\w+| ?[^\w\s]+|\s+(?!\S)|\s+")


@cache
def chunk_classes() -> dict[str, list[int]]:
    """The characters Python's ``re`` calls word characters (``\\w``) and white space (``\\s``), as
    code-point ranges: ``[gap, extra, gap, extra, ...]``, each range starting ``gap`` after the end
    of the one before and holding ``extra + 1`` code points. The web book's tokenizer
    (``bpe_tokenizer.js``) cuts chunks with them, so it cuts exactly as :func:`split_chunks` does,
    whatever Unicode version the browser knows."""
    everything = "".join(map(chr, range(0x110000)))  # every code point at its own index
    classes = {}
    for name, pattern in (("word", r"\w+"), ("space", r"\s+")):
        ranges, after = [], 0
        for match in re.finditer(pattern, everything):
            ranges += [match.start() - after, match.end() - 1 - match.start()]
            after = match.end()
        classes[name] = ranges
    return classes


def load_corpus() -> str:
    """The course's own small English text (CC BY 4.0, see data/keys_corpus_LICENSE.md)."""
    return resources.files("attnlab").joinpath("data", CORPUS_FILE).read_text(encoding="utf-8")


def split_chunks(text: str) -> list[str]:
    """Cut ``text`` into chunks: words and runs of punctuation with their leading space, white space."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _CHUNK.findall(text)


def count_pairs(words: dict[tuple[int, ...], int]) -> Counter:
    """How often each pair of neighbouring tokens occurs, over words with their counts."""
    pairs: Counter = Counter()
    for tokens, count in words.items():
        for pair in zip(tokens, tokens[1:], strict=False):
            pairs[pair] += count
    return pairs


def merge_pair(tokens: Iterable[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every occurrence of ``pair`` in ``tokens`` (left to right) by ``new_id``."""
    tokens = list(tokens)
    merged, i = [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (tokens[i], tokens[i + 1]) == pair:
            merged.append(new_id)
            i += 2
        else:
            merged.append(tokens[i])
            i += 1
    return merged


class BPETokenizer:
    """Byte-level BPE: ``encode`` text to ids, ``decode`` ids to text (Chapter 3).

    ``merges[k]`` is the pair of token ids that token ``256 + k`` stands for. Build one with
    :meth:`train`; ``decode(encode(s)) == s`` for every string ``s`` that UTF-8 can write, which is
    every string except those holding a lone surrogate ('\\ud800' to '\\udfff', half of a UTF-16
    pair); ``encode`` and ``train`` refuse those with a ValueError.
    """

    def __init__(self, merges: Iterable[tuple[int, int]] = ()) -> None:
        self.merges: list[tuple[int, int]] = []
        self.vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        for k, pair in enumerate(merges):
            if (
                not isinstance(pair, tuple)
                or len(pair) != 2
                or not all(isinstance(t, int) and 0 <= t < 256 + k for t in pair)
            ):
                raise ValueError(
                    f"merges[{k}] must be a pair of existing token ids (below {256 + k}), "
                    f"got {pair!r}"
                )
            self.merges.append(pair)
            self.vocab[256 + k] = self.vocab[pair[0]] + self.vocab[pair[1]]
        self._rank = {pair: k for k, pair in enumerate(self.merges)}
        self._cache: dict[str, list[int]] = {}
        #: filled by :meth:`train`: for each merge, (left piece, right piece, count)
        self.history: list[tuple[str, str, int]] = []

    @classmethod
    def train(cls, text: str, n_merges: int, progress: bool = False) -> BPETokenizer:
        """Learn ``n_merges`` merges from ``text``; ties go to the pair with the smaller ids."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text must not be empty")
        _check_utf8("text", text)
        n_merges = validate.positive_int("n_merges", n_merges, minimum=0)
        words = Counter(tuple(chunk.encode("utf-8")) for chunk in split_chunks(text))
        merges, history = [], []
        pieces = {i: bytes([i]) for i in range(256)}
        for k in tqdm(range(n_merges), desc="merges", disable=not progress, leave=False):
            pairs = count_pairs(words)
            if not pairs:
                break  # every word is a single token already
            pair, count = min(pairs.items(), key=lambda item: (-item[1], item[0]))
            new_id = 256 + k
            merges.append(pair)
            pieces[new_id] = pieces[pair[0]] + pieces[pair[1]]
            history.append((_show(pieces[pair[0]]), _show(pieces[pair[1]]), count))
            merged: Counter = Counter()
            for tokens, n in words.items():
                merged[tuple(merge_pair(tokens, pair, new_id)) if len(tokens) > 1 else tokens] += n
            words = merged
        tokenizer = cls(merges)
        tokenizer.history = history
        return tokenizer

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def _encode_chunk(self, chunk: str) -> list[int]:
        if chunk in self._cache:
            return self._cache[chunk]
        tokens = list(chunk.encode("utf-8"))
        while len(tokens) > 1:
            # Apply the earliest-learned merge present, as training did.
            pair = min(
                zip(tokens, tokens[1:], strict=False),
                key=lambda p: self._rank.get(p, len(self._rank)),
            )
            if pair not in self._rank:
                break
            tokens = merge_pair(tokens, pair, 256 + self._rank[pair])
        self._cache[chunk] = tokens
        return tokens

    def encode(self, text: str) -> list[int]:
        """Text to token ids."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        _check_utf8("text", text)
        return [t for chunk in split_chunks(text) for t in self._encode_chunk(chunk)]

    def decode(self, ids: Iterable[int]) -> str:
        """Token ids to text. Ids that cut a character's bytes in half decode as '\ufffd'."""
        return self._bytes(ids).decode("utf-8", errors="replace")

    def _bytes(self, ids: Iterable[int]) -> bytes:
        if isinstance(ids, torch.Tensor):
            if ids.dim() != 1 or torch.is_floating_point(ids) or ids.is_complex():
                raise TypeError(
                    f"ids must be a 1-D integer tensor, got shape {tuple(ids.shape)} and dtype "
                    f"{ids.dtype}"
                )
            ids = ids.tolist()
        elif isinstance(ids, np.ndarray):
            if ids.ndim != 1 or ids.dtype.kind not in "iu":
                raise TypeError(
                    f"ids must be a 1-D integer array, got shape {ids.shape} and dtype {ids.dtype}"
                )
            ids = ids.tolist()
        if not isinstance(ids, (list, tuple, range)):
            raise TypeError(
                f"ids must be a list of token ids (ints), got {type(ids).__name__}"
                + (", not a string" if isinstance(ids, (str, bytes)) else "")
            )
        out = []
        for i in ids:
            if isinstance(i, torch.Tensor) and i.dim() == 0 and i.dtype in _INT_DTYPES:
                i = int(i)
            if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
                raise TypeError(
                    f"ids must hold whole-number token ids (ints), got {type(i).__name__} {i!r}"
                )
            if int(i) not in self.vocab:
                raise ValueError(f"ids must be token ids in 0..{self.vocab_size - 1}, got {i!r}")
            out.append(self.vocab[int(i)])
        return b"".join(out)

    def pieces(self, text: str) -> list[str]:
        """The tokens of ``text`` as readable strings, e.g. ['Key', 'v', 'an']."""
        return [self.token_string(t) for t in self.encode(text)]

    def token_string(self, token_id: int) -> str:
        """One token as text (bytes that are not whole characters are shown as \\x..)."""
        return _show(self._bytes([token_id]))

    def spec(self) -> dict:
        """The tokenizer as JSON for the web book's ``bpe_tokenizer.js`` (Chapter 7's page): the
        merges, every token as text, and the chunks' character classes (:func:`chunk_classes`)."""
        return {
            "merges": [list(pair) for pair in self.merges],
            "strings": [self.token_string(i) for i in range(self.vocab_size)],
            **chunk_classes(),
        }


def _check_utf8(name: str, text: str) -> None:
    """A ValueError naming ``name`` if ``text`` holds a lone surrogate, which UTF-8 cannot write."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"{name} holds the lone surrogate {text[error.start]!r} at position {error.start}: half "
            "of a UTF-16 pair, which is not a character and has no UTF-8 bytes; remove it or "
            "repair the text, e.g. text.encode('utf-16', 'surrogatepass').decode('utf-16')"
        ) from None


def _show(piece: bytes) -> str:
    return piece.decode("utf-8", errors="backslashreplace")
