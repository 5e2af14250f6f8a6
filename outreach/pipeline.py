"""The pipeline, declared once: the stages a conversation moves through and every legal move.

Each `Move` names its target stage, the stages it may start from, the board's button label,
the fields it needs, and its effect (by name; the effects live in outreach.services, which
applies this table in `conversation_transition`). Everything else — the legal next stages,
the board's columns and buttons, the funnel, response rates, the API's schema text — is
derived from it. Adding a stage touches this file and a migration.
"""

from dataclasses import dataclass, field

from django.db import models


class Stage(models.TextChoices):
    PLANNED = "planned"
    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    HELD = "held"
    THANKED = "thanked"
    DECLINED = "declined"
    NO_RESPONSE = "no_response"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Move:
    """One move of the pipeline: into `to`, from any of `sources`, with its effect."""

    to: str
    label: str  # the board's button for the move
    sources: tuple[str, ...]
    # The name of its effect in outreach.services.EFFECTS: effect(conversation=, to_stage=, at=,
    # **required fields) runs inside the transition's transaction on the locked row. A new
    # stage can reuse one (a closing stage reuses "close").
    effect: str
    requires: dict[str, str] = field(default_factory=dict)  # field -> message when it is missing
    accepts: tuple[str, ...] = ()  # optional fields its effect takes (the effect says when one is needed)
    labels: dict[str, str] = field(default_factory=dict)  # source stage -> a button that reads better from it
    closing: bool = False  # ends the ask before the end of the path (not counted by the funnel)
    answer: bool = False  # the contact answered the request (counted by response rates)

    def label_from(self, stage: str) -> str:
        return self.labels.get(stage, self.label)


# A new conversation starts here; no move leads into it.
START_STAGE = Stage.PLANNED

# Every legal move, forward moves in the order of the path, then the ones that close the
# ask early. The order is the order of a card's buttons and of the API's legal next stages.
MOVES: tuple[Move, ...] = (
    Move(
        Stage.REQUESTED,
        "Mark requested",
        sources=(Stage.PLANNED, Stage.NO_RESPONSE),
        effect="request",
        accepts=("message_subject", "message_body", "message_sent_at"),  # what was sent
        labels={Stage.NO_RESPONSE: "Ask again"},
    ),
    Move(
        Stage.SCHEDULED,
        "Schedule",
        sources=(Stage.REQUESTED, Stage.SCHEDULED),
        effect="schedule",
        requires={"scheduled_for": "A scheduled chat needs a date and time (scheduled_for)."},
        labels={Stage.SCHEDULED: "Reschedule"},
        answer=True,
    ),
    # Before its scheduled time, a chat is marked held only with `held_at`, when it really happened.
    Move(Stage.HELD, "Mark held", sources=(Stage.SCHEDULED,), effect="hold", accepts=("held_at",)),
    Move(Stage.THANKED, "Mark thanked", sources=(Stage.HELD,), effect="thank"),
    Move(Stage.DECLINED, "Declined", sources=(Stage.REQUESTED,), effect="close", closing=True, answer=True),
    Move(Stage.NO_RESPONSE, "No response", sources=(Stage.REQUESTED,), effect="close", closing=True),
    Move(
        Stage.CANCELLED,
        "Cancel",
        sources=(Stage.PLANNED, Stage.REQUESTED, Stage.SCHEDULED),
        effect="close",
        closing=True,
    ),
)

# --- derived from MOVES: nothing below names a stage ---

MOVE_INTO: dict[str, Move] = {move.to: move for move in MOVES}
TRANSITIONS: dict[str, tuple[str, ...]] = {
    stage: tuple(move.to for move in MOVES if stage in move.sources) for stage in Stage
}
FINAL_STAGES = tuple(stage for stage, moves in TRANSITIONS.items() if not moves)
CLOSING_STAGES = tuple(move.to for move in MOVES if move.closing)
# The way a request is meant to go: planned → requested → scheduled → held → thanked.
PATH = (START_STAGE, *(move.to for move in MOVES if not move.closing))
# The funnel counts the conversations that entered each stage of the path after the start.
FUNNEL_STAGES = PATH[1:]
# Stages that count as "they answered" when measuring response rates.
RESPONSE_STAGES = tuple(move.to for move in MOVES if move.answer)

# An ask the contact can still answer ("They replied", or a reply found by capture, issue #13):
# once it is answered the user schedules the chat or marks it declined.
REPLY_STAGES = (Stage.REQUESTED,)

# An ask still waiting on something: a contact has at most one of these per kind (issue #10).
OPEN_STAGES = (Stage.PLANNED, Stage.REQUESTED, Stage.SCHEDULED)


# The board's columns: the path as a request travels it (planned → requested → scheduled →
# held → thanked), then the stages that close an ask early, which the board shows narrow.
BOARD_STAGES = (*PATH, *CLOSING_STAGES)


def legal_next_stages(stage: str) -> tuple[str, ...]:
    return TRANSITIONS.get(stage, ())


def legal_moves(stage: str) -> tuple[Move, ...]:
    """The moves a conversation in `stage` may make, in the table's order."""
    return tuple(MOVE_INTO[to] for to in legal_next_stages(stage))
