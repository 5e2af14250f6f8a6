"""The outreach check (#14): a first e-mail measured against the method's rules, as friendly hints.

`outreach_check(text, kind=, contact=)` is pure (no query beyond the contact's loaded company
and referrer): it returns a list of Findings, each a stable `code` and a message for the user.
Findings never block sending. The rules, for a first e-mail (Steve Dalton's "5-point e-mail"):

- `too_long`: 100 words or more. Every word of the text counts, greeting and sign-off included.
- `asks_for_job`: the words "job", "position", "opening", "hiring" or "referral" (whole words,
  any case, plural too): ask for insight or advice, not a job. The message names the words found.
- `no_connection`: the first sentence does not mention the shared link. The first sentence is the
  text up to the first ".", "!", "?" or blank line, after a greeting ("Hi Priya,") and a
  pleasantry ("I hope you are well.") are skipped. It mentions the link when it contains, in any
  case: the contact's company name; a word of four or more letters from the contact's
  `how_we_met` (common words and product/management/team... aside); the first name of the contact who referred them; a word
  for their source (LinkedIn, Slack or community, event/meetup/conference, referral/referred);
  or a connection phrase ("we met", "met you", "fellow", "alum", "alumni", "same school",
  "same team", "mutual", "introduced", "suggested", "recommended", "both").
- `about_me`: I/me/my/mine/myself (and I'm, I've, I'd, I'll) at least as often as
  you/your/yours/yourself (and you're, you've, you'd, you'll): make it more about them.

Only first-contact kinds are checked (FIRST_CONTACT_KINDS, an allow-list): a referral request,
an intro ask, a thank-you or a nudge gets no findings.
"""

import re
from dataclasses import asdict, dataclass

from .models import ConversationKind

FIRST_CONTACT_KINDS = frozenset(
    {
        ConversationKind.COFFEE_CHAT.value,
        ConversationKind.INFORMATIONAL_INTERVIEW.value,
        ConversationKind.CASE_STUDY_FEEDBACK.value,
    }
)
MAX_WORDS = 100
JOB_WORDS = ("job", "position", "opening", "hiring", "referral")
CONNECTION_PHRASES = (
    "we met",
    "met you",
    "fellow",
    "alum",
    "alumni",
    "alumna",
    "alumnus",
    "same school",
    "same team",
    "same company",
    "mutual",
    "introduced",
    "suggested",
    "recommended",
    "both",
)
SOURCE_WORDS = {
    "linkedin": ("linkedin",),
    "slack_community": ("slack", "community"),
    "event": ("event", "meetup", "conference", "talk", "panel"),
    "referral": ("referred", "referral", "suggested", "introduced"),
    "internal": ("same company", "same team", "colleague", "internal"),
}
# Words of `how_we_met` too common to show a shared link on their own.
COMMON_WORDS = frozenset(
    "about after also been came from have into just last like met that their there they this through "
    "were what when where which while with your year years "
    # ...and words every PM-bound message uses anyway ("moving into product management").
    "product products management manager managers team teams company work role career".split()
)
I_WORDS = frozenset({"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"})
YOU_WORDS = frozenset({"you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll"})

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_JOB = re.compile(r"\b(%s)s?\b" % "|".join(JOB_WORDS), re.IGNORECASE)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^,!.\n]{0,60}[,!.]?\s*", re.I)
_PLEASANTRY = re.compile(r"^\s*(?:i )?hope (?:this|you|all|your|the)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


@dataclass(frozen=True)
class Finding:
    code: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def words(text: str) -> list[str]:
    return [w.replace("’", "'").lower() for w in _WORD.findall(text or "")]


def first_sentence(text: str) -> str:
    """The message's opening sentence, after a greeting and a pleasantry."""
    rest = _GREETING.sub("", (text or "").strip(), count=1).strip()
    sentences = [s.strip() for s in _SENTENCE_END.split(rest) if s.strip()]
    while len(sentences) > 1 and _PLEASANTRY.match(sentences[0]):
        sentences.pop(0)
    return sentences[0] if sentences else ""


def _connection_terms(contact) -> list[str]:
    terms = list(CONNECTION_PHRASES)
    if contact is None:
        return terms
    company = getattr(contact, "company", None)
    if company is not None and company.name.strip():
        terms.append(company.name.strip().lower())
    terms += [w for w in words(contact.how_we_met) if len(w) >= 4 and w not in COMMON_WORDS]
    referrer = getattr(contact, "referred_by", None)
    if referrer is not None and referrer.first_name.strip():
        terms.append(referrer.first_name.strip().lower())
    terms += SOURCE_WORDS.get(contact.source, ())
    return terms


def _mentions(sentence: str, term: str) -> bool:
    return re.search(r"(?<![^\W_])%s(?![^\W_])" % re.escape(term), sentence) is not None


def opens_with_connection(text: str, contact=None) -> bool:
    sentence = " ".join(words(first_sentence(text)))
    return any(_mentions(sentence, " ".join(words(term))) for term in _connection_terms(contact) if words(term))


def _times(n: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(n, f"{n} times")


def outreach_check(text: str, *, kind: str, contact=None) -> list[Finding]:
    """The hints for a first e-mail of this kind to this contact; none for other kinds."""
    if kind not in FIRST_CONTACT_KINDS or not (text or "").strip():
        return []
    findings = []
    all_words = words(text)
    if len(all_words) >= MAX_WORDS:
        findings.append(
            Finding(
                "too_long",
                f"It is {len(all_words)} words long. First e-mails under {MAX_WORDS} words get more replies: "
                "keep the connection, one line about you and the ask.",
            )
        )
    found = list(dict.fromkeys(match.lower() for match in _JOB.findall(text)))
    if found:
        named = " and ".join(", ".join(f"“{w}”" for w in found).rsplit(", ", 1))
        findings.append(
            Finding(
                "asks_for_job",
                f"It mentions {named}. Ask for insight or advice, not a job: people gladly help someone "
                "curious, and the job talk comes later.",
            )
        )
    if not opens_with_connection(text, contact):
        findings.append(
            Finding(
                "no_connection",
                "The first sentence does not say what connects you (how you met, their company, a school, "
                "a community or the person who referred you). Open with it: it is why they read on.",
            )
        )
    mine = sum(1 for w in all_words if w in I_WORDS)
    yours = sum(1 for w in all_words if w in YOU_WORDS)
    if mine and mine >= yours:
        findings.append(
            Finding(
                "about_me",
                f"It says I, me or my {_times(mine)} and you or your {_times(yours)}. "
                "Make it more about them than about you.",
            )
        )
    return findings
