"""The time zones a person picks from: canonical IANA names only.

`zoneinfo.available_timezones()` also holds the deprecated aliases kept for old software
(`US/Eastern`, `Asia/Calcutta`, `GB`, `EST5EDT`…). People choose from the zones tzdata lists per
country in `zone.tab` (e.g. `America/New_York`, `Europe/Amsterdam`, `Asia/Kolkata`), plus UTC.
A stored alias still works everywhere (the profile accepts any zone Python knows); it is shown
as its canonical zone, which tzdata's `Link` lines name.
"""

import functools
import importlib.resources
import zoneinfo
from pathlib import Path


def _tzdata_file(name: str) -> str:
    """A file of the tz database: the system's copy when zoneinfo reads the system's, else the
    `tzdata` package's."""
    for root in zoneinfo.TZPATH:
        path = Path(root) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return importlib.resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def canonical_timezones() -> tuple[str, ...]:
    """Sorted canonical zone names, each one Python can load."""
    names = {"UTC"}
    for line in _tzdata_file("zone.tab").splitlines():
        if line and not line.startswith("#"):
            names.add(line.split("\t")[2])
    return tuple(sorted(names & zoneinfo.available_timezones()))


@functools.cache
def _links() -> dict[str, str]:
    """alias -> target, from tzdata.zi's `L TARGET ALIAS` lines."""
    try:
        text = _tzdata_file("tzdata.zi")
    except (FileNotFoundError, ModuleNotFoundError):
        return {}
    return {parts[2]: parts[1] for parts in (line.split() for line in text.splitlines()) if parts[:1] == ["L"]}


def canonical_name(name: str) -> str:
    """`name` as the list shows it: itself when canonical, else the zone its alias links to
    ("US/Eastern" -> "America/New_York"; "Etc/UTC" -> "UTC"); unchanged when unknown."""
    canonical = set(canonical_timezones())
    seen = set()
    current = name
    while current not in canonical and current in _links() and current not in seen:
        seen.add(current)
        current = _links()[current]
    if current in canonical:
        return current
    return "UTC" if name in ("Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu", "UCT", "Etc/UCT") else name
