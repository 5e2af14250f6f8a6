"""The question bank every user starts with (#14): good questions by kind of conversation.

Informational interviews follow TIARA (Steve Dalton, *The 2-Hour Job Search*): trends, insights,
advice, resources, assignments, in that order: easy, big-picture questions first, the personal
ones once trust is built. Feedback questions serve a case-study review, internal-coffee ones a
chat with a colleague, and referral questions a conversation where a referral was offered.
Seeded by the account-created hook (outreach/signals.py) and, for accounts that existed before,
by outreach 0008 (which freezes its own copy of these texts).
"""

from django.db.models import Max

from .models import ConversationKind, Question

Kind = ConversationKind

# (kind, category, text), in the order they are asked.
STARTER_QUESTIONS: list[tuple[str, str, str]] = [
    # TIARA for an informational interview with someone in product.
    (
        Kind.INFORMATIONAL_INTERVIEW,
        "Trends",
        "What are the biggest trends changing product management in your area right now?",
    ),
    (Kind.INFORMATIONAL_INTERVIEW, "Trends", "How has the PM role at your company changed over the last two years?"),
    (Kind.INFORMATIONAL_INTERVIEW, "Insights", "What surprised you most when you moved into product?"),
    (
        Kind.INFORMATIONAL_INTERVIEW,
        "Insights",
        "What separates the PMs who thrive on your team from those who struggle?",
    ),
    (
        Kind.INFORMATIONAL_INTERVIEW,
        "Advice",
        "If you were breaking into product today from where I am, what would you do first?",
    ),
    (Kind.INFORMATIONAL_INTERVIEW, "Advice", "What do you wish you had known before your first PM role?"),
    (
        Kind.INFORMATIONAL_INTERVIEW,
        "Resources",
        "Which books, newsletters or communities taught you the most about product?",
    ),
    (Kind.INFORMATIONAL_INTERVIEW, "Resources", "Who else do you think I should talk to as I learn about product?"),
    (
        Kind.INFORMATIONAL_INTERVIEW,
        "Assignments",
        "Is there a small project I could take on to test whether product is right for me?",
    ),
    (
        Kind.INFORMATIONAL_INTERVIEW,
        "Assignments",
        "If I did one thing before we next speak, what would make the biggest difference?",
    ),
    # Feedback on a case study or other piece of PM work.
    (Kind.CASE_STUDY_FEEDBACK, "First impression", "What was your first impression of the case study?"),
    (Kind.CASE_STUDY_FEEDBACK, "Problem", "Is the problem clearly framed, and did I pick the right user to solve for?"),
    (Kind.CASE_STUDY_FEEDBACK, "Decisions", "Where is my reasoning weakest, or a trade-off left unexplained?"),
    (Kind.CASE_STUDY_FEEDBACK, "Metrics", "Would the success metrics I chose convince your team?"),
    (
        Kind.CASE_STUDY_FEEDBACK,
        "Next step",
        "What is the one thing you would change before I show it to a hiring team?",
    ),
    # An internal coffee chat with a colleague in product.
    (Kind.COFFEE_CHAT, "Their work", "What are you and your team focused on this quarter?"),
    (Kind.COFFEE_CHAT, "Their work", "Where do the hardest product decisions on your team come from?"),
    (Kind.COFFEE_CHAT, "How it works", "How do PMs work with engineering and design here day to day?"),
    (Kind.COFFEE_CHAT, "Advice", "What skills from my current role would carry over best into product here?"),
    (Kind.COFFEE_CHAT, "Next step", "Is there a meeting or project I could join to see product work up close?"),
    # When a referral is on the table.
    (Kind.REFERRAL_REQUEST, "The role", "What does the team behind this role need most right now?"),
    (Kind.REFERRAL_REQUEST, "The role", "What would make a candidate stand out for this role?"),
    (Kind.REFERRAL_REQUEST, "The process", "What should I know about the hiring process before I apply?"),
    (Kind.REFERRAL_REQUEST, "The process", "What can I send you to make the referral easy for you?"),
]


def questions_seed_starter(*, owner) -> list[Question]:
    """Give a user the starter questions they do not already have (same kind and text), each
    after the questions they already have of its kind."""
    existing = {(kind, text.lower()) for kind, text in Question.objects.filter(owner=owner).values_list("kind", "text")}
    last = dict(Question.objects.filter(owner=owner).values_list("kind").annotate(last=Max("position")))
    questions = []
    for kind, category, text in STARTER_QUESTIONS:
        if (kind, text.lower()) in existing:
            continue
        last[kind] = position = last.get(kind, -1) + 1
        questions.append(Question(owner=owner, kind=kind, category=category, text=text, position=position))
    for question in questions:
        question.full_clean(validate_constraints=False)
    return Question.objects.bulk_create(questions)
