"""Notes are Markdown written by the user; the HTML is sanitised before it reaches a page."""

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
