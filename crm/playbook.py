"""The Playbook: a checklist per pathway into product, drawn from how people really get in.

Each step says what counts as evidence (conversations, portfolio pieces or notes the user
already records), so progress fills in by itself as the user works the pipeline. All the
checklist data lives in PLAYBOOKS; `playbook_progress` reads the user's rows once.
"""

from dataclasses import dataclass, field

from accounts.models import Profile
from crm.models import Note
from outreach.models import Conversation, PortfolioItem, Stage
from outreach.selectors import stages_reached


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
    # … or notes of these kinds.
    note_kinds: tuple[str, ...] = ()
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
            "Feedback makes the piece better and starts a relationship.",
            target=2,
            conversation_kinds=("case_study_feedback",),
            reached=Stage.REQUESTED,
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


@dataclass
class StepProgress:
    step: Step
    evidence: list = field(default_factory=list)  # (label, url name, pk) tuples

    @property
    def count(self) -> int:
        return len(self.evidence)

    @property
    def done(self) -> bool:
        return self.count >= self.step.target

    @property
    def shown(self) -> int:
        return min(self.count, self.step.target)


def playbook_progress(*, user, pathway: str) -> list[StepProgress]:
    """The pathway's steps with the user's rows that fulfil each (four queries).

    A conversation has reached every stage it ever entered (its stage history, as the funnel
    counts it), whatever its stage is now.
    """
    steps = PLAYBOOKS.get(pathway, [])
    conversations = list(
        Conversation.objects.filter(owner=user).select_related("contact").order_by("-created_at", "-id")
    )
    reached = stages_reached(user=user)
    items = list(PortfolioItem.objects.filter(owner=user).order_by("-created_at", "-id"))
    notes = list(Note.objects.filter(owner=user).select_related("contact").order_by("-created_at", "-id"))
    progress = []
    for step in steps:
        evidence = []
        if step.reached:
            for c in conversations:
                if (
                    step.reached in reached.get(c.pk, ())
                    and (not step.conversation_kinds or c.kind in step.conversation_kinds)
                    and (not step.contact_sources or c.contact.source in step.contact_sources)
                    and (not step.contact_relationships or c.contact.relationship in step.contact_relationships)
                ):
                    evidence.append(
                        (
                            f"{c.get_kind_display()} with {c.contact.full_name} ({c.get_stage_display()})",
                            "conversation_detail",
                            c.pk,
                        )
                    )
        if step.portfolio_kinds:
            for item in items:
                if item.kind in step.portfolio_kinds and (
                    not step.portfolio_statuses or item.status in step.portfolio_statuses
                ):
                    evidence.append((f"{item.title} ({item.get_status_display()})", "", item.pk))
        if step.note_kinds:
            for note in notes:
                if note.kind in step.note_kinds:
                    evidence.append(
                        (
                            f"{note.get_kind_display()} note on {note.contact.full_name}",
                            "contact_detail",
                            note.contact_id,
                        )
                    )
        progress.append(StepProgress(step=step, evidence=evidence))
    return progress
