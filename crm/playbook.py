"""The Playbook: a checklist per pathway into product, drawn from how people really get in.

Each step says what counts as evidence (conversations, portfolio pieces or notes the user
already records), so progress fills in by itself as the user works the pipeline. All the
checklist data lives in PLAYBOOKS; `playbook_progress` counts the user's rows in the database.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import Profile
from crm.models import Note
from outreach.models import Conversation, PortfolioItem, Stage, StageChange


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    why: str
    target: int = 1
    # Evidence: conversations matching all of these (`reached`: the stage is in their history) …
    conversation_kinds: tuple[str, ...] = ()
    reached: str = ""
    contact_sources: tuple[str, ...] = ()
    contact_relationships: tuple[str, ...] = ()
    # … or portfolio pieces of these kinds/statuses …
    portfolio_kinds: tuple[str, ...] = ()
    portfolio_statuses: tuple[str, ...] = ()
    # … or notes of these kinds …
    note_kinds: tuple[str, ...] = ()
    # … or (issue #14) case-study feedback asks attached to a portfolio piece that were held or
    # have a note logged on them: the feedback loop closed, not only asked for.
    portfolio_feedback: bool = False
    action: str = ""  # url name of the page where the user does it
    action_label: str = ""


# Each pathway in one sentence, as Settings explains the choice.
PATHWAY_SUMMARIES = {
    Profile.Pathway.PRODUCT_TRIO: "You are an engineer, designer or analyst: take on PM-like work in your "
    "team and learn the other two legs of the trio.",
    Profile.Pathway.INTERNAL_MOVE: "You work in marketing, sales, project management or support: meet the PMs "
    "in your company and own a small product problem there.",
    Profile.Pathway.BUILD_EXPERIENCE: "You are coming from outside: build a case study or prototype and ask PMs "
    "for feedback and informational interviews.",
}

PM = ("product_manager",)
TRIO = ("designer", "engineer", "analyst")
INTERNAL = ("internal",)
ANY_ASK = tuple(Conversation.Kind.values)
FINISHED_WORK = ("ready", "shared")

PLAYBOOKS: dict[str, list[Step]] = {
    Profile.Pathway.INTERNAL_MOVE: [
        Step(
            "internal-coffees",
            "Invite PMs in your organisation to a virtual coffee",
            "People who already know your work are the shortest path to a product role.",
            target=3,
            conversation_kinds=("coffee_chat", "informational_interview"),
            reached=Stage.REQUESTED,
            contact_sources=INTERNAL,
            action="contact_list",
            action_label="Pick a colleague",
        ),
        Step(
            "internal-chats-held",
            "Hold those chats and learn what the product team struggles with",
            "Log a ‘challenge’ note: what they struggle with and how your skills could help.",
            target=2,
            note_kinds=("challenge",),
            action="pipeline",
            action_label="Open the pipeline",
        ),
        Step(
            "own-a-problem",
            "Take ownership of a small product problem and propose a solution with data",
            "A written proposal shows product thinking better than any title.",
            portfolio_kinds=("feature_proposal", "redesign"),
            action="playbook",
            action_label="Add a portfolio piece",
        ),
        Step(
            "transferable",
            "Write down how your experience transfers to product",
            "Ask a PM for advice on it and keep what they say as an ‘advice’ note.",
            note_kinds=("advice",),
            action="contact_list",
            action_label="Log advice on a contact",
        ),
        Step(
            "thank-everyone",
            "Thank everyone who gave you their time",
            "A thank-you within a day keeps the door open.",
            target=2,
            reached=Stage.THANKED,
            conversation_kinds=ANY_ASK,
            action="follow_up_list",
            action_label="See follow-ups",
        ),
    ],
    Profile.Pathway.BUILD_EXPERIENCE: [
        Step(
            "case-study",
            "Write a case study or redesign proposal",
            "Proof of PM work when you have no PM title yet.",
            portfolio_kinds=("case_study", "redesign", "feature_proposal", "prototype"),
            portfolio_statuses=FINISHED_WORK,
            action="playbook",
            action_label="Add a portfolio piece",
        ),
        Step(
            "case-study-feedback",
            "Ask PMs for feedback on it",
            "Feedback makes the piece better and starts a relationship. Attach the piece to a case-study "
            "feedback ask; it counts once the chat is held or you log their feedback as a note on it.",
            target=2,
            portfolio_feedback=True,
            action="contact_list",
            action_label="Pick a PM",
        ),
        Step(
            "course",
            "Take a course or certification",
            "Shared vocabulary helps in interviews; list it as a portfolio piece.",
            portfolio_kinds=("course", "certification"),
            action="playbook",
            action_label="Add it",
        ),
        Step(
            "informational-interviews",
            "Ask for informational interviews — advice, not jobs — on LinkedIn and in PM community Slacks",
            "Ten asks over a few weeks; a handful a week is a sustainable pace.",
            target=10,
            conversation_kinds=("informational_interview", "coffee_chat"),
            reached=Stage.REQUESTED,
            contact_sources=("linkedin", "slack_community"),
            action="template_list",
            action_label="Use a template",
        ),
        Step(
            "chats-held",
            "Hold five conversations with PMs",
            "Each one teaches you how the job really works.",
            target=5,
            conversation_kinds=ANY_ASK,
            reached=Stage.HELD,
            contact_relationships=PM,
            action="pipeline",
            action_label="Open the pipeline",
        ),
    ],
    Profile.Pathway.PRODUCT_TRIO: [
        Step(
            "pm-like-work",
            "Volunteer for PM-like work on your current team",
            "Write up what you did — a proposal, a prototype — as a portfolio piece.",
            portfolio_kinds=("feature_proposal", "prototype", "case_study"),
            action="playbook",
            action_label="Add a portfolio piece",
        ),
        Step(
            "other-legs",
            "Practise the other two legs of the trio",
            "Hold chats with a designer, an engineer or an analyst about how they work with product.",
            target=2,
            conversation_kinds=ANY_ASK,
            reached=Stage.HELD,
            contact_relationships=TRIO,
            action="contact_list",
            action_label="Find trio contacts",
        ),
        Step(
            "pm-coffees",
            "Invite PMs you work with to a virtual coffee",
            "Ask how they decide what to build, and what they'd look for in a new PM.",
            target=3,
            conversation_kinds=("coffee_chat", "informational_interview"),
            reached=Stage.REQUESTED,
            contact_relationships=PM,
            action="contact_list",
            action_label="Pick a PM",
        ),
        Step(
            "challenges",
            "Note what your PMs struggle with and how your skills could help",
            "These ‘challenge’ notes are your pitch for the move.",
            target=2,
            note_kinds=("challenge",),
            action="contact_list",
            action_label="Log a note",
        ),
    ],
}


# Evidence rows listed per step; the count covers them all.
EVIDENCE_SHOWN = 6


@dataclass
class StepProgress:
    step: Step
    count: int = 0
    evidence: list = field(default_factory=list)  # the first EVIDENCE_SHOWN (label, url name, pk) tuples

    @property
    def done(self) -> bool:
        return self.count >= self.step.target

    @property
    def shown(self) -> int:
        return min(self.count, self.step.target)


def _conversation_q(step: Step, prefix: str = "") -> Q:
    q = Q()
    if step.conversation_kinds:
        q &= Q(**{f"{prefix}kind__in": step.conversation_kinds})
    if step.contact_sources:
        q &= Q(**{f"{prefix}contact__source__in": step.contact_sources})
    if step.contact_relationships:
        q &= Q(**{f"{prefix}contact__relationship__in": step.contact_relationships})
    return q


def _reached_q(step: Step) -> Q:
    return Q(Exists(StageChange.objects.filter(conversation=OuterRef("pk"), stage=step.reached))) & _conversation_q(
        step
    )


def _portfolio_q(step: Step) -> Q:
    q = Q(kind__in=step.portfolio_kinds)
    return q & Q(status__in=step.portfolio_statuses) if step.portfolio_statuses else q


def _portfolio_feedback_q() -> Q:
    """A case-study feedback ask attached to a piece, held (its stage history) or with a note on it."""
    held = Exists(StageChange.objects.filter(conversation=OuterRef("pk"), stage=Stage.HELD))
    noted = Exists(Note.objects.filter(conversation=OuterRef("pk")))
    return Q(kind="case_study_feedback", portfolio_item__isnull=False) & (Q(held) | Q(noted))


def _portfolio_feedback_history_q() -> Q:
    """_portfolio_feedback_q seen from a StageChange row of the conversation."""
    noted = Exists(Note.objects.filter(conversation=OuterRef("conversation")))
    return Q(conversation__kind="case_study_feedback", conversation__portfolio_item__isnull=False) & (
        Q(stage=Stage.HELD) | Q(noted)
    )


def _evidence_sources(step: Step):
    """(queryset, Q, row -> evidence tuple) for each kind of row that counts for the step."""
    if step.reached:
        yield (
            Conversation.objects.select_related("contact"),
            _reached_q(step),
            lambda c: (
                f"{c.get_kind_display()} with {c.contact.full_name} ({c.get_stage_display()})",
                "conversation_detail",
                c.pk,
            ),
        )
    if step.portfolio_kinds:
        yield (
            PortfolioItem.objects.all(),
            _portfolio_q(step),
            lambda item: (f"{item.title} ({item.get_status_display()})", "", item.pk),
        )
    if step.portfolio_feedback:
        yield (
            Conversation.objects.select_related("contact", "portfolio_item"),
            _portfolio_feedback_q(),
            lambda c: (
                f"Feedback on {c.portfolio_item.title} from {c.contact.full_name} ({c.get_stage_display()})",
                "portfolio_detail",
                c.portfolio_item_id,
            ),
        )
    if step.note_kinds:
        yield (
            Note.objects.select_related("contact"),
            Q(kind__in=step.note_kinds),
            lambda n: (f"{n.get_kind_display()} note on {n.contact.full_name}", "contact_detail", n.contact_id),
        )


def playbook_progress(*, user, pathway: str, with_evidence: bool = True) -> list[StepProgress]:
    """The pathway's steps, each with how many of the user's rows fulfil it and the first few.

    Counted in the database: one aggregate query per kind of row (conversations, portfolio
    pieces, notes), whatever the user has; with_evidence adds one bounded query per source of
    each step. A conversation has reached every stage it ever entered (its stage history, as
    the funnel counts it), whatever its stage is now.
    """
    steps = PLAYBOOKS.get(pathway, [])
    counts: dict[type, dict] = {}
    for step in steps:
        for n, (queryset, q, _) in enumerate(_evidence_sources(step)):
            if queryset.model is Conversation and step.portfolio_feedback:
                # Also from the stage history (every conversation has its `planned` entry), so
                # it shares the conversations' one aggregate query.
                model, count = StageChange, Count("conversation", distinct=True, filter=_portfolio_feedback_history_q())
            elif queryset.model is Conversation:
                # Counted from the stage history (a join, not a subquery per conversation).
                model, count = (
                    StageChange,
                    Count(
                        "conversation",
                        distinct=True,
                        filter=Q(stage=step.reached) & _conversation_q(step, "conversation__"),
                    ),
                )
            else:
                model, count = queryset.model, Count("id", filter=q)
            counts.setdefault(model, {})[f"{step.key}:{n}"] = count
    totals: dict[str, int] = {}
    for model, aggregates in counts.items():
        totals.update(model.objects.filter(owner=user).aggregate(**aggregates))
    progress = []
    for step in steps:
        evidence = []
        count = 0
        for n, (queryset, q, label) in enumerate(_evidence_sources(step)):
            found = totals.get(f"{step.key}:{n}", 0)
            count += found
            if with_evidence and found and len(evidence) < EVIDENCE_SHOWN:
                rows = queryset.filter(q, owner=user).order_by("-created_at", "-id")[: EVIDENCE_SHOWN - len(evidence)]
                evidence.extend(label(row) for row in rows)
        progress.append(StepProgress(step=step, count=count, evidence=evidence))
    return progress
