# Issue #10: the starter templates now give fallbacks ({company|your company}) so none renders a
# dangling " at " or a double space for a contact with empty fields. Users' starter templates
# whose subject and body are still exactly the old starter text (never edited) get the new
# text; edited ones are left alone. Reversible: the reverse puts the old text back on
# templates that still hold exactly the new one. The texts are frozen here, not imported,
# so a later change of outreach/starter_templates.py cannot change what this migration does.

from django.db import migrations

# ((old subject, old body), (new subject, new body)) for each starter whose text changed.
STARTER_TEXTS = [
    (
        (
            "Quick question about your path into product at {company}",
            "Hi {first_name},\n"
            "\n"
            "I'm {my_name}, and I'm working on moving into product management. Your work as {title} at {company} "
            "stood out to me ({how_we_met}).\n"
            "\n"
            "I'm not asking about open roles — I'd value your advice. Would you have 20 minutes in the next couple of "
            "weeks to share how you got into product and what you wish you had known earlier?\n"
            "\n"
            "Thank you,\n"
            "{my_name}",
        ),
        (
            "Quick question about your path into product at {company|your company}",
            "Hi {first_name|there},\n"
            "\n"
            "I'm {my_name}, and I'm working on moving into product management. Your work as {title|a product leader} "
            "at {company|your company} stood out to me ({how_we_met|I came across your profile}).\n"
            "\n"
            "I'm not asking about open roles — I'd value your advice. Would you have 20 minutes in the next couple of "
            "weeks to share how you got into product and what you wish you had known earlier?\n"
            "\n"
            "Thank you,\n"
            "{my_name}",
        ),
    ),
    (
        (
            "Virtual coffee? I'd love to learn how product works on your team",
            "Hi {first_name},\n"
            "\n"
            "I'm {my_name} — we work at the same company, and I'm keen to understand how product decisions get made "
            "on your team. Could I buy you a virtual coffee for 30 minutes? I'd love to hear what you're focused on "
            "and where the hard problems are.\n"
            "\n"
            "Thanks,\n"
            "{my_name}",
        ),
        (
            "Virtual coffee? I'd love to learn how product works on your team",
            "Hi {first_name|there},\n"
            "\n"
            "I'm {my_name} — we work at the same company, and I'm keen to understand how product decisions get made "
            "on your team. Could I buy you a virtual coffee for 30 minutes? I'd love to hear what you're focused on "
            "and where the hard problems are.\n"
            "\n"
            "Thanks,\n"
            "{my_name}",
        ),
    ),
    (
        (
            "Would you look at my product case study?",
            "Hi {first_name},\n"
            "\n"
            "I've written a product case study as part of my move into product management, and I'd really value the "
            "eye of someone who does this every day as {title} at {company}. Would you be open to a 20-minute look "
            "and telling me the one thing you'd change?\n"
            "\n"
            "Thank you for considering it,\n"
            "{my_name}",
        ),
        (
            "Would you look at my product case study?",
            "Hi {first_name|there},\n"
            "\n"
            "I've written a product case study as part of my move into product management, and I'd really value the "
            "eye of someone who does this every day as {title|a product manager} at {company|your company}. Would you "
            "be open to a 20-minute look and telling me the one thing you'd change?\n"
            "\n"
            "Thank you for considering it,\n"
            "{my_name}",
        ),
    ),
    (
        (
            "Thank you for your time, {first_name}",
            "Hi {first_name},\n"
            "\n"
            "Thank you for making the time to talk — your advice was genuinely useful. I'm going to act on it this "
            "week and will let you know how it goes.\n"
            "\n"
            "Best,\n"
            "{my_name}",
        ),
        (
            "Thank you for your time, {first_name|and for your advice}",
            "Hi {first_name|there},\n"
            "\n"
            "Thank you for making the time to talk — your advice was genuinely useful. I'm going to act on it this "
            "week and will let you know how it goes.\n"
            "\n"
            "Best,\n"
            "{my_name}",
        ),
    ),
    (
        (
            "Following up: a short chat about product",
            "Hi {first_name},\n"
            "\n"
            "Just bumping this in case it got buried — I know how busy things get. If a quick chat doesn't fit right "
            "now, no worries at all; any single piece of advice on moving into product would mean a lot.\n"
            "\n"
            "Thanks,\n"
            "{my_name}",
        ),
        (
            "Following up: a short chat about product",
            "Hi {first_name|there},\n"
            "\n"
            "Just bumping this in case it got buried — I know how busy things get. If a quick chat doesn't fit right "
            "now, no worries at all; any single piece of advice on moving into product would mean a lot.\n"
            "\n"
            "Thanks,\n"
            "{my_name}",
        ),
    ),
    (
        (
            "Catching up, {first_name}",
            "Hi {first_name},\n"
            "\n"
            "It's been a while since we talked, and I wanted to share an update: your advice helped me take my next "
            "step toward product. How are things at {company}? I'd love to hear what you're working on.\n"
            "\n"
            "Best,\n"
            "{my_name}",
        ),
        (
            "Catching up, {first_name|it has been a while}",
            "Hi {first_name|there},\n"
            "\n"
            "It's been a while since we talked, and I wanted to share an update: your advice helped me take my next "
            "step toward product. How are things at {company|work}? I'd love to hear what you're working on.\n"
            "\n"
            "Best,\n"
            "{my_name}",
        ),
    ),
]


def _swap(apps, pairs):
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    for (from_subject, from_body), (to_subject, to_body) in pairs:
        MessageTemplate.objects.filter(subject=from_subject, body=from_body).update(subject=to_subject, body=to_body)


def use_fallbacks(apps, schema_editor):
    _swap(apps, STARTER_TEXTS)


def restore_old_texts(apps, schema_editor):
    _swap(apps, [(new, old) for old, new in STARTER_TEXTS])


class Migration(migrations.Migration):
    dependencies = [("outreach", "0004_list_and_sweep_indexes")]

    operations = [migrations.RunPython(use_fallbacks, restore_old_texts)]
