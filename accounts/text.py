"""Text from users, handled the same way by every app: names on one line, input quoted safely
in error messages, and the one kind of string JSON can carry that nothing can store."""

import re

# Characters a name never needs and that can disguise it: C0 and C1 controls (the whitespace
# ones become spaces first) and the bidirectional embeddings, overrides and isolates
# (U+202A–U+202E, U+2066–U+2069), which can make "Ada" display as someone else's name.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Half of a UTF-16 pair on its own: JSON's "\ud800" escape decodes to it, but UTF-8 cannot
# encode it, so neither a database nor a response can hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def one_line(value: str) -> str:
    """How names, titles, companies and tags are stored, whichever way they come in: every run
    of whitespace (newlines and tabs included) is one space, none at the ends, and control and
    bidirectional-override characters are removed. Multi-line text (notes, agendas) keeps its lines."""
    spaced = " ".join((value or "").split())
    if _INVISIBLE.search(spaced):
        spaced = " ".join(_INVISIBLE.sub("", spaced).split())
    return spaced


def shown(value, limit: int = 60) -> str:
    """`value` as an error message may quote it: at most `limit` characters, and anything
    UTF-8 cannot encode (a lone surrogate) written as its escape, so the answer can be sent."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def lone_surrogate(data) -> tuple[tuple, str] | None:
    """The first lone surrogate in parsed JSON (in any string, key or value, at any depth):
    (the path to it, as keys and list indexes; the character), or None when there is none."""
    pending = [((), data)]
    while pending:  # a loop, not recursion: the document may be as deep as json allows
        path, value = pending.pop()
        if isinstance(value, str):
            found = _SURROGATE.search(value)
            if found:
                return path, found.group()
        elif isinstance(value, dict):
            # Each key is looked at as a string just before its value, both in document order.
            for key, item in reversed(value.items()):
                pending.extend((((*path, key), item), ((*path, key), key)))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in reversed(list(enumerate(value))))
    return None


def path_text(path: tuple) -> str:
    """A path from `lone_surrogate` as a reader writes it: contacts[0].first_name."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{shown(step)}" if text else shown(step))
    return text


def surrogate_message(character: str) -> str:
    # DRF's CharField says the same of a surrogate in a plain text field.
    return f"Surrogate characters are not allowed: U+{ord(character):X}."
