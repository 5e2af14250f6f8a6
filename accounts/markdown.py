"""Markdown written by the user (notes), rendered the same way wherever it is shown: sanitised
HTML for pages and e-mails, and readable plain text for the text part of an e-mail. It lives
in accounts, the bottom app, so outreach's e-mails and crm's pages share one sanitiser."""

from html import unescape
from html.parser import HTMLParser

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "a",
    "hr",
}


def render_markdown(text: str) -> SafeString:
    return sanitise_html(markdown_lib.markdown(text or "", extensions=["fenced_code", "sane_lists"]))


def sanitise_html(html: str) -> SafeString:
    """Untrusted HTML (a note's rendered Markdown, a captured mail's body) reduced to the safe tags."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


class _Text(HTMLParser):
    """The sanitised HTML as a person would type it in a plain e-mail: paragraphs apart, list
    items with "- " or "1. ", links as "text (url)", no markup characters left over."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "pre", "blockquote", "ul", "ol", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # per open list: [kind, next number]
        self.href: list[str | None] = []
        self.quoted: list[list[str]] = []  # the text outside each open blockquote

    def _newline(self, blank: bool = False):
        text = "".join(self.out).rstrip(" ")
        want = "\n\n" if blank else "\n"
        if text and not text.endswith(want):
            text = text.rstrip("\n") + want
        self.out = [text]

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self._newline(blank=not self.lists)
            self.lists.append([tag, 1])
        elif tag == "li":
            self._newline()
            kind = self.lists[-1] if self.lists else ["ul", 1]
            indent = "  " * (len(self.lists) - 1)
            self.out.append(f"{indent}{kind[1]}. " if kind[0] == "ol" else f"{indent}- ")
            kind[1] += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
        elif tag == "blockquote":
            self._newline(blank=True)
            self.quoted.append(self.out)
            self.out = []
        elif tag == "hr":
            self._newline(blank=True)
            self.out.append("---")
            self._newline(blank=True)
        elif tag in self.BLOCKS:
            self._newline(blank=True)

    def handle_endtag(self, tag):
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._newline(blank=not self.lists)
        elif tag == "a" and self.href:
            href = self.href.pop()
            text = "".join(self.out)
            if href and not text.rstrip().endswith(href):
                self.out.append(f" ({href})")
        elif tag == "blockquote" and self.quoted:
            inner = "".join(self.out).strip("\n")
            self.out = self.quoted.pop()
            self.out.append("\n".join(f"> {line}".rstrip() for line in inner.split("\n")))
            self._newline(blank=True)
        elif tag in self.BLOCKS:
            self._newline(blank=True)

    def handle_data(self, data):
        if not data.strip() and (not self.out or "".join(self.out).endswith("\n")):
            return  # the newlines between block tags
        self.out.append(data)


def markdown_to_text(text: str) -> str:
    """Readable plain text of a note: what `render_markdown` shows, without its markup."""
    parser = _Text()
    parser.feed(str(render_markdown(text)))
    parser.close()
    lines = [line.rstrip() for line in unescape("".join(parser.out)).split("\n")]
    cleaned: list[str] = []
    for line in lines:
        if line or (cleaned and cleaned[-1]):
            cleaned.append(line)
    return "\n".join(cleaned).strip()
