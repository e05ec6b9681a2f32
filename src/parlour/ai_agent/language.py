"""Which language a customer writes in, chosen among the languages the account answers in.

py3langid runs offline on CPU; its ranking is restricted to the candidates, so a short message
can only be read as one of the account's languages. Very short messages ("ok", "yes") say too
little: the conversation keeps the language it had.
"""

import re

import py3langid

MIN_LETTERS = 12
_LETTERS = re.compile(r"[^\W\d_]", re.U)


def base(locale: str | None) -> str:
    return (locale or "").split("-")[0].split("_")[0].lower()


def detect(text: str, candidates: frozenset[str], previous: str | None) -> str | None:
    """The most likely of `candidates` (base language codes), or `previous` when unsure."""
    if not candidates:
        return previous
    if len(candidates) == 1:
        return next(iter(candidates))
    if len(_LETTERS.findall(text)) < MIN_LETTERS:
        return previous
    for language, _score in py3langid.rank(text):
        if language in candidates:
            return str(language)
    return previous
