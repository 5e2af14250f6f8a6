"""Notes are Markdown written by the user; the one sanitiser is accounts.markdown (e-mails and
captured mails use it too)."""

from accounts.markdown import ALLOWED_TAGS, markdown_to_text, render_markdown, sanitise_html

__all__ = ["ALLOWED_TAGS", "markdown_to_text", "render_markdown", "sanitise_html"]
