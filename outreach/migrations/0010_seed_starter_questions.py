# Issue #14: every existing account gets the starter question bank (TIARA questions for
# informational interviews, feedback, internal-coffee and referral questions), as new accounts
# do through the account-created hook. A user's question with the same kind and text is kept
# as it is. The texts are frozen here, not imported, so a later change of
# outreach/starter_questions.py cannot change what this migration does. The reverse removes the
# starter questions still exactly as seeded.

from django.conf import settings
from django.db import migrations

# (kind, category, text), in the order they are asked.
STARTER_QUESTIONS = [
    (
        "informational_interview",
        "Trends",
        "What are the biggest trends changing product management in your area right now?",
    ),
    ("informational_interview", "Trends", "How has the PM role at your company changed over the last two years?"),
    ("informational_interview", "Insights", "What surprised you most when you moved into product?"),
    ("informational_interview", "Insights", "What separates the PMs who thrive on your team from those who struggle?"),
    (
        "informational_interview",
        "Advice",
        "If you were breaking into product today from where I am, what would you do first?",
    ),
    ("informational_interview", "Advice", "What do you wish you had known before your first PM role?"),
    (
        "informational_interview",
        "Resources",
        "Which books, newsletters or communities taught you the most about product?",
    ),
    ("informational_interview", "Resources", "Who else do you think I should talk to as I learn about product?"),
    (
        "informational_interview",
        "Assignments",
        "Is there a small project I could take on to test whether product is right for me?",
    ),
    (
        "informational_interview",
        "Assignments",
        "If I did one thing before we next speak, what would make the biggest difference?",
    ),
    ("case_study_feedback", "First impression", "What was your first impression of the case study?"),
    ("case_study_feedback", "Problem", "Is the problem clearly framed, and did I pick the right user to solve for?"),
    ("case_study_feedback", "Decisions", "Where is my reasoning weakest, or a trade-off left unexplained?"),
    ("case_study_feedback", "Metrics", "Would the success metrics I chose convince your team?"),
    ("case_study_feedback", "Next step", "What is the one thing you would change before I show it to a hiring team?"),
    ("coffee_chat", "Their work", "What are you and your team focused on this quarter?"),
    ("coffee_chat", "Their work", "Where do the hardest product decisions on your team come from?"),
    ("coffee_chat", "How it works", "How do PMs work with engineering and design here day to day?"),
    ("coffee_chat", "Advice", "What skills from my current role would carry over best into product here?"),
    ("coffee_chat", "Next step", "Is there a meeting or project I could join to see product work up close?"),
    ("referral_request", "The role", "What does the team behind this role need most right now?"),
    ("referral_request", "The role", "What would make a candidate stand out for this role?"),
    ("referral_request", "The process", "What should I know about the hiring process before I apply?"),
    ("referral_request", "The process", "What can I send you to make the referral easy for you?"),
]


def seed(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Question = apps.get_model("outreach", "Question")
    for user_id in User.objects.values_list("pk", flat=True).iterator():
        existing = {
            (kind, text.lower()) for kind, text in Question.objects.filter(owner_id=user_id).values_list("kind", "text")
        }
        last = {}
        for kind, position in Question.objects.filter(owner_id=user_id).values_list("kind", "position"):
            last[kind] = max(last.get(kind, -1), position)
        rows = []
        for kind, category, text in STARTER_QUESTIONS:
            if (kind, text.lower()) in existing:
                continue
            last[kind] = last.get(kind, -1) + 1
            rows.append(Question(owner_id=user_id, kind=kind, category=category, text=text, position=last[kind]))
        Question.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    Question = apps.get_model("outreach", "Question")
    for kind, category, text in STARTER_QUESTIONS:
        Question.objects.filter(kind=kind, category=category, text=text).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0009_question_bank"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(seed, unseed)]
