"""The message templates every new user starts with: ask for advice, never for a job.

Every optional field has a fallback ({company|your company}), so no starter renders a dangling
" at " or a double space for a contact with empty fields (issue #10). The first-contact starters
pass the outreach check (outreach.checks, issue #14): the connection first, more about them than
about you, under 100 words, advice rather than a job. A change of these texts
needs a data migration for the users who have not edited theirs (outreach 0004 is the model).
"""

from .models import MessageTemplate

Kind = MessageTemplate.Kind

STARTER_TEMPLATES = [
    {
        "name": "Informational interview request",
        "kind": Kind.INFORMATIONAL_INTERVIEW,
        "subject": "Quick question about your path into product at {company|your company}",
        "body": (
            "Hi {first_name|there},\n\n"
            "Your work as {title|a product leader} at {company|your company} stood out to me "
            "({how_we_met|we are both on LinkedIn}). You made the move into product that I am "
            "working toward.\n\n"
            "Would you have 20 minutes in the next couple of weeks to share how you got into "
            "product and what you wish you had known earlier? Your advice would mean a lot.\n\n"
            "Thank you,\n{my_name}"
        ),
    },
    {
        "name": "Internal virtual coffee",
        "kind": Kind.COFFEE_CHAT,
        "subject": "Virtual coffee? I'd love to learn how product works on your team",
        "body": (
            "Hi {first_name|there},\n\n"
            "We work at the same company, and I'd love to understand how product decisions get "
            "made on your team. Could I buy you a virtual coffee for 30 minutes? I'd like to hear "
            "what you're focused on and where your team's hard problems are.\n\n"
            "Thanks,\n{my_name}"
        ),
    },
    {
        "name": "Case study feedback request",
        "kind": Kind.CASE_STUDY_FEEDBACK,
        "subject": "Would you look at my product case study?",
        "body": (
            "Hi {first_name|there},\n\n"
            "As {title|a product manager} at {company|your company} "
            "({how_we_met|we are both in the product community}), you review product thinking "
            "every day, and your eye is the one I'd value most. I've written a case study as part "
            "of my move into product. Would you be open to a 20-minute look, and to telling me "
            "the one thing you'd change?\n\n"
            "Thank you for considering it,\n{my_name}"
        ),
    },
    {
        # Issue #14: asking a contact to introduce you at a target company. {company} is the
        # target here: the Targets page's "Ask for an intro" renders it with company= the target
        # (outreach.services.template_render); picked by hand it is the contact's own company.
        "name": "Warm intro request",
        "kind": Kind.INTRO_REQUEST,
        "subject": "A small favour: an intro at {company|a company I'm targeting}?",
        "body": (
            "Hi {first_name|there},\n\n"
            "I hope you're well. I'm working on my move into product management, and "
            "{company|one company} is high on my list. Would you be comfortable introducing me to "
            "someone there for a short conversation? I'm after their advice, not a job, and I'm "
            "happy to send a two-line note you can forward.\n\n"
            "Thank you either way,\n{my_name}"
        ),
    },
    {
        "name": "Thank you",
        "kind": Kind.THANK_YOU,
        "subject": "Thank you for your time, {first_name|and for your advice}",
        "body": (
            "Hi {first_name|there},\n\n"
            "Thank you for making the time to talk — your advice was genuinely useful. "
            "I'm going to act on it this week and will let you know how it goes.\n\n"
            "Best,\n{my_name}"
        ),
    },
    {
        "name": "Gentle nudge",
        "kind": Kind.NUDGE,
        "subject": "Following up: a short chat about product",
        "body": (
            "Hi {first_name|there},\n\n"
            "Just bumping this in case it got buried — I know how busy things get. If a quick "
            "chat doesn't fit right now, no worries at all; any single piece of advice on "
            "moving into product would mean a lot.\n\n"
            "Thanks,\n{my_name}"
        ),
    },
    {
        "name": "Reconnect",
        "kind": Kind.RECONNECT,
        "subject": "Catching up, {first_name|it has been a while}",
        "body": (
            "Hi {first_name|there},\n\n"
            "It's been a while since we talked, and I wanted to share an update: your advice "
            "helped me take my next step toward product. How are things at {company|work}? "
            "I'd love to hear what you're working on.\n\n"
            "Best,\n{my_name}"
        ),
    },
]


def templates_seed_starter(*, owner) -> list[MessageTemplate]:
    """Give a user the starter templates they do not already have (by name)."""
    existing = set(MessageTemplate.objects.filter(owner=owner).values_list("name", flat=True))
    templates = [MessageTemplate(owner=owner, **data) for data in STARTER_TEMPLATES if data["name"] not in existing]
    for template in templates:
        template.full_clean()
    return MessageTemplate.objects.bulk_create(templates)
