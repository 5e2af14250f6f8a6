# Issue #14: the three first-contact starter templates now pass the outreach check (connection
# first, more about them than about you, under 100 words). Users' starters still holding exactly
# the previous text (never edited) get the new one; edited ones are left alone. Reversible. The
# texts are frozen here, not imported (see 0005).

from django.db import migrations

# ((subject, old body), (subject, new body)) for each starter whose text changed.
STARTER_TEXTS = [
    (
        (
            "Quick question about your path into product at {company|your company}",
            "Hi {first_name|there},\n\nI'm {my_name}, and I'm working on moving into product management. Your work as {title|a product leader} at {company|your company} stood out to me ({how_we_met|I came across your profile}).\n\nI'm not asking about open roles — I'd value your advice. Would you have 20 minutes in the next couple of weeks to share how you got into product and what you wish you had known earlier?\n\nThank you,\n{my_name}",
        ),
        (
            "Quick question about your path into product at {company|your company}",
            "Hi {first_name|there},\n\nYour work as {title|a product leader} at {company|your company} stood out to me ({how_we_met|we are both on LinkedIn}). You made the move into product that I am working toward.\n\nWould you have 20 minutes in the next couple of weeks to share how you got into product and what you wish you had known earlier? Your advice would mean a lot.\n\nThank you,\n{my_name}",
        ),
    ),
    (
        (
            "Virtual coffee? I'd love to learn how product works on your team",
            "Hi {first_name|there},\n\nI'm {my_name} — we work at the same company, and I'm keen to understand how product decisions get made on your team. Could I buy you a virtual coffee for 30 minutes? I'd love to hear what you're focused on and where the hard problems are.\n\nThanks,\n{my_name}",
        ),
        (
            "Virtual coffee? I'd love to learn how product works on your team",
            "Hi {first_name|there},\n\nWe work at the same company, and I'd love to understand how product decisions get made on your team. Could I buy you a virtual coffee for 30 minutes? I'd like to hear what you're focused on and where your team's hard problems are.\n\nThanks,\n{my_name}",
        ),
    ),
    (
        (
            "Would you look at my product case study?",
            "Hi {first_name|there},\n\nI've written a product case study as part of my move into product management, and I'd really value the eye of someone who does this every day as {title|a product manager} at {company|your company}. Would you be open to a 20-minute look and telling me the one thing you'd change?\n\nThank you for considering it,\n{my_name}",
        ),
        (
            "Would you look at my product case study?",
            "Hi {first_name|there},\n\nAs {title|a product manager} at {company|your company} ({how_we_met|we are both in the product community}), you review product thinking every day, and your eye is the one I'd value most. I've written a case study as part of my move into product. Would you be open to a 20-minute look, and to telling me the one thing you'd change?\n\nThank you for considering it,\n{my_name}",
        ),
    ),
]


def _swap(apps, pairs):
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    for (from_subject, from_body), (to_subject, to_body) in pairs:
        MessageTemplate.objects.filter(subject=from_subject, body=from_body).update(subject=to_subject, body=to_body)


def use_new_texts(apps, schema_editor):
    _swap(apps, STARTER_TEXTS)


def restore_old_texts(apps, schema_editor):
    _swap(apps, [(new, old) for old, new in STARTER_TEXTS])


class Migration(migrations.Migration):
    dependencies = [("outreach", "0012_contact_responsiveness_backfill")]

    operations = [migrations.RunPython(use_new_texts, restore_old_texts)]
