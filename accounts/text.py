"""Text from users, handled the same way by every app: names on one line, input quoted safely
in error messages, and the one kind of string JSON can carry that nothing can store."""

import re

# Characters a name never needs and that can disguise it: C0 and C1 controls (the whitespace
# ones become spaces first), the bidirectional marks, embeddings, overrides and isolates
# (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069), which can make "Ada" display as
# someone else's name, and the invisible ones that make two equal-looking names differ: soft
# hyphen, zero-width space, word joiner and invisible operators, byte-order mark, Mongolian
# vowel separator (U+00AD, U+180E, U+200B, U+2060–U+2064, U+FEFF).
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
    # Zero-width (non-)joiners spell Persian and Indic names and emoji sequences (👩‍💻) between
    # two characters; at a name's or word's edge they only hide a difference.
    "|(?<!\\S)[\u200c\u200d]+|[\u200c\u200d]+(?!\\S)"
)
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


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters (and the ellipsis) at the last word boundary,
    so no word is cut in half; a single word longer than half the limit is cut where it must be."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if text[limit] == " ":
        space = limit  # the limit falls exactly between two words
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def shown(value, limit: int = 60) -> str:
    """`value` as an error message may quote it: at most `limit` characters, and anything
    UTF-8 cannot encode (a lone surrogate) written as its escape, so the answer can be sent."""
    text = truncate(value if isinstance(value, str) else str(value), limit)
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
