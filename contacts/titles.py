"""A contact's relationship guessed from their job title, for the imports (#10).

One table, read top to bottom: the first rule with a pattern found in the title decides.
Order carries meaning: the false friends come first ("Product Marketing Manager" is not a
product manager, "Product Designer" is a designer), then product managers, recruiters (before
engineers: "Engineering Recruiter" recruits), designers, engineers (before data: a "Data
Engineer" builds pipelines), and analysts last.

Titles are compared folded: accents dropped ("Diseñador" = "disenador"), any case, and
punctuation read as a space ("Sr. PM, Payments" = "sr pm payments"). Patterns are regular
expressions over that text; `\\b` marks a word edge where a bare substring would misfire
("pm" inside "npm"), and is left out where other languages glue words together
("Softwareentwickler", "UX-Designerin"). A few common German, French, Spanish and Portuguese
titles are covered because it costs one word each.

Choices that a user might argue with, made on purpose:
- "Product Marketing Manager" and other product marketing roles: `other` (marketing, not PM).
- "Project Manager", "Program Manager" and "TPM": `other` (they run delivery, not the product).
- "Engineering Manager", "CTO", "Architect": `engineer`. "UX Researcher": `designer` (UX).
- "Data Engineer", "ML Engineer": `engineer`; "Data Scientist", "BI Developer"? `analyst` for
  the first (data), `engineer` for the second (developer comes before data).
- "CPO" is read as Chief Product Officer (a people or procurement CPO is rarer in this network).
"""

import re
import unicodedata
from functools import lru_cache

from .models import Relationship

# (relationship, patterns): the first rule with a matching pattern wins; OTHER stops the search.
TITLE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        Relationship.OTHER,
        (
            r"\bproduct marketing",
            r"\bproduktmarketing",
            r"\bmarketing (?:de )?produ",  # "marketing de produto", "marketing produit"
            r"\bproject manag",
            r"\bprogram(?:me)? manag",
            r"\btpm\b",
            r"\bbusiness develop",
        ),
    ),
    (
        Relationship.PRODUCT_MANAGER,
        (
            r"\bproduct manag",  # manager, management
            r"\bproduct owner",
            r"\bproduct lead",
            r"\bproduct director",
            r"\bproduct head\b",
            r"\bhead of product\b(?! design| marketing)",
            r"\b(?:vp|vice president|director|svp|evp)(?: of)? product\b(?! design| marketing)",
            r"\bchief product officer",
            r"\b(?:pm|apm|gpm|spm|cpo|po)\b",
            r"\bproduct\s*@",
            r"produktmanager",
            r"produktowner",
            r"\bproduktverantwortlich",
            r"\bchef de produit",
            r"\bresponsable (?:de )?produit",
            r"\bgerente de produ",  # producto, produto
            r"\bjefe de producto",
            r"\bgestor de produto",
            r"\bproduct$",  # "VP, Product"; "Product" alone
        ),
    ),
    (
        Relationship.RECRUITER,
        (
            r"recruit",  # recruiter, recruiting, recruitment
            r"\btalent",
            r"\bsourcer\b",
            r"\bheadhunter",
            r"\bexecutive search",
            r"\brecrut",  # recruteur, recrutadora, recrutement
            r"\breclutador",
            r"personalberater",
        ),
    ),
    # Engineers who build interfaces: before the designers' "ui", "ux" and "design".
    (Relationship.ENGINEER, (r"\b(?:ui|ux|design|interface) (?:engineer|developer)",)),
    (
        Relationship.DESIGNER,
        (
            r"design",  # designer, design lead, designerin
            r"\bux\b",
            r"\bui\b",
            r"\buser experience",
            r"\buser research",
            r"\bdisenador",
            r"\bdesenhista",
        ),
    ),
    (
        Relationship.ENGINEER,
        (
            r"engineer",  # engineer, engineering, softwareengineer
            r"developer",  # developer, webdeveloper
            r"\bprogrammer",
            r"\bcoder\b",
            r"\b(?:swe|sde|sre|cto|devops|qa)\b",
            r"\bchief technology officer",
            r"\bsoftware",
            r"\b(?:front|back) ?end\b",
            r"\bfull ?stack",
            r"\barchitect",
            r"\btech lead",
            r"entwickler",
            r"\bingenieu?r",  # ingenieur, ingeniero, ingenieria
            r"\bingegnere",
            r"\bdesarrollador",
            r"\bdesenvolvedor",
            r"\bdeveloppeu",  # développeur, développeuse
        ),
    ),
    (
        Relationship.ANALYST,
        (
            r"analy",  # analyst, analytics, analysis, analista, analyste
            r"\bdata\b",
            r"\bdaten",
            r"\bdonnees\b",
            r"\bdatos\b",
            r"\bdados\b",
            r"\bbusiness intelligence",
            r"\bbi\b",
            r"\bstatistic",
            r"\bquant\b",
            r"\bquantitative",
            r"\bmachine learning scientist",
            r"\bresearch scientist",
        ),
    ),
)

_RULES = tuple((relationship, re.compile("|".join(patterns))) for relationship, patterns in TITLE_RULES)


def fold_title(title: str) -> str:
    """The title as the rules read it: no accents, case-folded, punctuation as single spaces
    (but "@", which "Product @ Acme" uses)."""
    decomposed = unicodedata.normalize("NFKD", title or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w@]+", " ", plain).replace("_", " ").split())


@lru_cache(maxsize=4096)
def relationship_from_title(title: str) -> str:
    """The relationship a title suggests, or "" when it suggests none (the caller keeps `other`).
    Cached: a LinkedIn network repeats a few thousand titles."""
    folded = fold_title(title[:200])
    if not folded:
        return ""
    for relationship, pattern in _RULES:
        if pattern.search(folded):
            return "" if relationship == Relationship.OTHER else str(relationship)
    return ""
