"""LinkedIn profile URLs, normalised so that one person has one URL whatever was pasted."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError


def normalise_linkedin_url(value: str) -> str:
    """Return the canonical form `https://www.linkedin.com/in/<slug>`.

    Case, scheme, `www.`/country sub-domains, query strings, fragments and trailing
    slashes are dropped; anything that is not a LinkedIn URL is refused.
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        raise ValidationError("Enter a LinkedIn URL (https://www.linkedin.com/in/…).", code="invalid")
    path = "/".join(segment for segment in parts.path.lower().split("/") if segment)
    if not path:
        raise ValidationError("Enter a LinkedIn profile URL, not the home page.", code="invalid")
    return f"https://www.linkedin.com/{path}"
