"""`make demo`: a realistic demo account (user `demo`, password `demo`) built through the services.

Running it again replaces the demo account, so it always shows a fresh "today".
"""

import csv
import io
import unicodedata
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.localtime import local_today, user_tz
from accounts.services import profile_update
from contacts.importers.services import import_contacts
from contacts.models import Contact
from contacts.services import contact_create, contact_update
from crm.services import note_create, opportunity_create
from outreach.models import MessageTemplate
from outreach.services import (
    conversation_create,
    conversation_transition,
    conversation_update,
    follow_up_create,
    portfolio_item_create,
    touch_create,
)

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # a throwaway local account; the password validators are deliberately bypassed
TIMEZONE = "America/Toronto"

# (first, last, company, position, relationship, how we met) — the LinkedIn export.
LINKEDIN = [
    ("Priya", "Raman", "Shopify", "Senior Product Manager", "product_manager", "Mind the Product Toronto meetup"),
    (
        "Marcus",
        "Okafor",
        "Stripe",
        "Product Manager, Billing",
        "product_manager",
        "Commented on his post about usage-based pricing",
    ),
    (
        "Hannah",
        "Lindqvist",
        "Spotify",
        "Group Product Manager",
        "product_manager",
        "Friend of a friend from university",
    ),
    ("Diego", "Alvarez", "Wealthsimple", "Product Manager", "product_manager", "Spoke at ProductCamp"),
    ("Aiko", "Tanaka", "Figma", "Product Designer", "designer", "Figma Config watch party"),
    ("Sam", "Whitfield", "Atlassian", "Principal Product Manager", "product_manager", "Jira Align webinar Q&A"),
    ("Leila", "Haddad", "Canva", "Product Manager, Growth", "product_manager", "Her Lenny's Newsletter guest post"),
    ("Tomás", "Ferreira", "Notion", "Staff Engineer", "engineer", "Former teammate"),
    ("Grace", "Liu", "Duolingo", "Product Analyst", "analyst", "Data Science Toronto meetup"),
    ("Noah", "Bergström", "Miro", "Senior Product Manager", "product_manager", "LinkedIn post on discovery interviews"),
    ("Fatima", "Zahra", "Intercom", "Product Manager", "product_manager", "Intercom on Product podcast comment"),
    ("Owen", "MacLeod", "Datadog", "Technical Product Manager", "product_manager", "University alumni network"),
    ("Chloé", "Martin", "Klaviyo", "Product Manager, Email", "product_manager", "Women in Product event"),
    ("Ravi", "Iyer", "HubSpot", "Director of Product", "product_manager", "Alumni of my bootcamp"),
    ("Emma", "Clarke", "Airbnb", "UX Researcher", "designer", "Design systems meetup"),
    ("Kwame", "Mensah", "Cohere", "Product Manager, Platform", "product_manager", "AI Tinkerers Toronto"),
    ("Sofia", "Rossi", "Uber", "Senior Product Manager", "product_manager", "Product School webinar"),
    ("Ben", "Carter", "Shopify", "Engineering Manager", "engineer", "Hack night"),
    ("Yuki", "Sato", "Stripe", "Technical Recruiter", "recruiter", "Reached out about a role"),
    ("Isabel", "Moreno", "Atlassian", "Product Operations Lead", "product_manager", "Slack community AMA"),
    ("Daniel", "Kim", "Wealthsimple", "Senior Data Analyst", "analyst", "Former colleague"),
    ("Olivia", "Brown", "Canva", "Product Marketing Manager", "other", "Marketing to PM panel"),
    ("Lucas", "Dubois", "Figma", "Product Manager, FigJam", "product_manager", "Config conference"),
    ("Amara", "Nwosu", "Spotify", "Product Manager, Podcasts", "product_manager", "Mentorship programme"),
    ("Jonas", "Weber", "Miro", "Hiring Manager, Product", "hiring_manager", "Replied to my case study post"),
    ("Maya", "Patel", "Notion", "Product Manager", "product_manager", "Notion Ambassadors meetup"),
]
# People who later show up at a new company in a fresh export: job changes on the timeline.
MOVED = {("Kwame", "Mensah"): ("Cohere", "Group Product Manager"), ("Lucas", "Dubois"): ("Linear", "Product Lead")}
OTHERS = [
    # first, last, company, title, relationship, source, how we met, tags
    (
        "Jordan",
        "Reyes",
        "Acme Insurance",
        "Product Owner",
        "internal_colleague",
        "internal",
        "Sits two rows over",
        ["internal"],
    ),
    (
        "Nadia",
        "Petrova",
        "Acme Insurance",
        "Senior Product Manager",
        "product_manager",
        "internal",
        "Quarterly planning",
        ["internal", "mentor"],
    ),
    (
        "Chris",
        "Ng",
        "Lenny's Community",
        "Community PM",
        "product_manager",
        "slack_community",
        "#career-switchers channel",
        ["slack"],
    ),
    (
        "Alex",
        "Johnson",
        "Pendo",
        "Product Manager",
        "product_manager",
        "slack_community",
        "Mind the Product Slack",
        ["slack"],
    ),
    (
        "Zoe",
        "Adams",
        "Ada Support",
        "Product Manager",
        "product_manager",
        "referral",
        "Introduced by Priya",
        ["fintech"],
    ),
    ("Pat", "Sullivan", "RBC", "Product Director", "product_manager", "event", "Elevate Festival", ["fintech"]),
]
HEADER = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _linkedin_csv(rows, moved: dict | None = None) -> io.BytesIO:
    """The people above as LinkedIn's Connections.csv (preamble, blank line, header, rows)."""
    out = io.StringIO()
    out.write(HEADER)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
    for i, (first, last, company, position, _rel, _met) in enumerate(rows):
        if moved and (first, last) in moved:
            company, position = moved[(first, last)]
        email = f"{_ascii(first)}.{_ascii(last)}@example.com" if i % 3 == 0 else ""
        url = f"https://www.linkedin.com/in/{_ascii(first)}-{_ascii(last)}-demo"
        writer.writerow([first, last, url, email, company, position, f"{(i % 27) + 1:02d} Mar 2024"])
    return io.BytesIO(out.getvalue().encode("utf-8"))


class Command(BaseCommand):
    help = "Create (or replace) the demo account: user `demo`, password `demo`."

    def handle(self, *args, **options):
        with transaction.atomic():
            user = self._build()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo account ready: log in as {DEMO_USERNAME} / {DEMO_PASSWORD} "
                f"({Contact.objects.filter(owner=user).count()} contacts)."
            )
        )

    def _build(self):
        User = get_user_model()
        User.objects.filter(username=DEMO_USERNAME).delete()
        user = User.objects.create_user(
            username=DEMO_USERNAME,
            email="demo@example.com",
            password=DEMO_PASSWORD,
            first_name="Alex",
            last_name="Rivera",
        )
        profile_update(profile=user.profile, timezone=TIMEZONE, pathway="build_experience", weekly_request_goal=5)
        now = timezone.now()
        self.now = now
        self.user = user

        import_contacts(owner=user, kind="linkedin", fileobj=_linkedin_csv(LINKEDIN))
        contacts = {c.full_name: c for c in Contact.objects.filter(owner=user).select_related("company")}
        for first, last, _company, _position, relationship, met in LINKEDIN:
            contact = contacts[f"{first} {last}"]
            contact_update(
                contact=contact,
                relationship=relationship,
                how_we_met=met,
                reconnect_every_days=60 if relationship == "product_manager" else None,
                tags=["pm"] if relationship == "product_manager" else [],
            )
        from contacts.services import company_get_or_create

        for first, last, company, title, relationship, source, met, tags in OTHERS:
            contacts[f"{first} {last}"] = contact_create(
                owner=user,
                first_name=first,
                last_name=last,
                title=title,
                relationship=relationship,
                source=source,
                how_we_met=met,
                tags=tags,
                reconnect_every_days=45,
                company=company_get_or_create(owner=user, name=company),
                email=f"{_ascii(first)}.{_ascii(last)}@example.com",
            )
        # A fresh export months later: two people changed jobs.
        import_contacts(owner=user, kind="linkedin", fileobj=_linkedin_csv(LINKEDIN, MOVED))

        templates = {t.kind: t for t in MessageTemplate.objects.filter(owner=user)}
        c = contacts
        days = lambda n: now - timedelta(days=n)  # noqa: E731

        # Every stage of the pipeline, with believable dates.
        self._ask(c["Marcus Okafor"], "informational_interview", templates, asked=None)  # planned
        self._ask(c["Noah Bergström"], "coffee_chat", templates, asked=None)  # planned
        self._ask(c["Leila Haddad"], "informational_interview", templates, asked=days(2))  # requested
        self._ask(c["Chris Ng"], "coffee_chat", templates, asked=days(9))  # requested; nudge overdue
        self._ask(c["Fatima Zahra"], "case_study_feedback", templates, asked=days(8))  # requested; nudge overdue
        self._ask(c["Alex Johnson"], "informational_interview", templates, asked=days(4))  # requested
        self._ask(c["Maya Patel"], "coffee_chat", templates, asked=days(20), then="no_response", then_at=days(5))

        today = local_today(user, now)
        tz = user_tz(user)
        later_today = max(now + timedelta(hours=2), datetime.combine(today, time(15), tzinfo=tz))
        if later_today.astimezone(tz).date() != today:
            later_today = now + timedelta(minutes=30)
        priya = self._ask(
            c["Priya Raman"],
            "informational_interview",
            templates,
            asked=days(6),
            scheduled=later_today,
            location="https://meet.google.com/abc-defg-hij",
            booked_at=days(3),
        )
        conversation_update(
            conversation=priya,
            agenda=(
                "- How did you move from support to product at Shopify?\n"
                "- What does a great first 90 days look like for a new APM?\n"
                "- Would you look at my checkout redesign case study?"
            ),
        )
        note_create(
            owner=user,
            contact=c["Priya Raman"],
            conversation=priya,
            kind="general",
            body=(
                "Replied within a day: happy to talk. She moved from **support to product** at Shopify in 2019 "
                "and now runs checkout. Mentioned their team is hiring APMs next year — don't ask, just listen."
            ),
        )
        self._ask(
            c["Nadia Petrova"],
            "coffee_chat",
            templates,
            asked=days(5),
            scheduled=datetime.combine(today + timedelta(days=2), time(12, 30), tzinfo=tz),
            location="Acme café, 3rd floor",
            booked_at=days(2),
        )
        self._ask(
            c["Sam Whitfield"],
            "informational_interview",
            templates,
            asked=days(12),
            scheduled=datetime.combine(today + timedelta(days=6), time(10), tzinfo=tz),
            location="Zoom",
            booked_at=days(7),
        )

        held = self._ask(
            c["Hannah Lindqvist"],
            "informational_interview",
            templates,
            asked=days(21),
            scheduled=days(2),
            booked_at=days(15),
            held_at=days(2),
        )
        note_create(
            owner=user,
            contact=c["Hannah Lindqvist"],
            conversation=held,
            kind="advice",
            body=(
                "Lead with **outcomes**, not features. Her advice: pick one metric per case study and show the "
                "before/after. Suggested reading: *Continuous Discovery Habits*."
            ),
        )
        thanked = self._ask(
            c["Diego Alvarez"],
            "coffee_chat",
            templates,
            asked=days(40),
            scheduled=days(30),
            booked_at=days(35),
            held_at=days(30),
            thanked_at=days(29),
        )
        note_create(
            owner=user,
            contact=c["Diego Alvarez"],
            conversation=thanked,
            kind="challenge",
            body=(
                "Their team struggles to turn support tickets into roadmap input — my support-ops dashboards "
                "could help. Offered to share the tagging taxonomy I built."
            ),
        )
        note_create(
            owner=user,
            contact=c["Diego Alvarez"],
            conversation=thanked,
            kind="opportunity",
            body="An **Associate PM** role opens on the Invest team in the spring; Diego offered a referral.",
        )
        self._ask(
            c["Amara Nwosu"],
            "case_study_feedback",
            templates,
            asked=days(50),
            scheduled=days(40),
            booked_at=days(45),
            held_at=days(40),
            thanked_at=days(39),
        )
        self._ask(c["Zoe Adams"], "referral_request", templates, asked=days(14), then="declined", then_at=days(10))
        self._ask(c["Pat Sullivan"], "coffee_chat", templates, asked=days(30), then="cancelled", then_at=days(25))
        note_create(
            owner=user,
            contact=c["Jordan Reyes"],
            kind="general",
            body="Owns the claims intake flow; open to me shadowing sprint planning.",
        )

        # Old acquaintances whose reconnect cadence has run out.
        for name, ago, channel, summary in (
            ("Ravi Iyer", 75, "linkedin", "Swapped notes on B2B onboarding"),
            ("Owen MacLeod", 90, "call", "Caught up on his move to platform"),
            ("Sofia Rossi", 64, "slack", "Thread in the PM community Slack on roadmaps"),
            ("Isabel Moreno", 70, "comment", "Commented on her launch post"),
        ):
            touch_create(owner=user, contacts=[c[name]], at=days(ago), channel=channel, summary=summary)

        # Follow-ups the user owes: some overdue, some due later today.
        follow_up_create(
            owner=user,
            contact=c["Hannah Lindqvist"],
            kind="send_material",
            title="Send Hannah the checkout case study",
            due_at=days(1),
        )
        follow_up_create(
            owner=user,
            contact=c["Ravi Iyer"],
            kind="reconnect",
            title="Congratulate Ravi on the HubSpot AI launch",
            due_at=later_today,
        )
        follow_up_create(
            owner=user,
            contact=c["Jordan Reyes"],
            kind="other",
            title="Ask Jordan to join the claims sprint review",
            due_at=later_today + timedelta(minutes=30),
        )
        follow_up_create(
            owner=user,
            contact=c["Diego Alvarez"],
            kind="apply",
            title="Apply to the Wealthsimple APM role",
            due_at=today + timedelta(days=3),
        )

        # Proof of work for the playbook.
        case_study = portfolio_item_create(
            owner=user,
            title="Checkout redesign: cutting drop-off for a local grocer",
            kind="case_study",
            status="ready",
            url="https://example.com/case-studies/checkout",
            summary="Found three causes of cart abandonment from 40 support tickets; prototyped a one-page checkout.",
        )
        portfolio_item_create(
            owner=user, title="Reforge: Product Management Foundations", kind="course", status="shared"
        )
        portfolio_item_create(
            owner=user, title="Support-ticket tagging to roadmap proposal", kind="feature_proposal", status="drafting"
        )
        fatima = c["Fatima Zahra"].conversations.first()
        conversation_update(conversation=fatima, portfolio_item=case_study)
        opportunity_create(
            owner=user,
            title="Associate Product Manager, Invest",
            status="heard",
            company=c["Diego Alvarez"].company,
            referrer=c["Diego Alvarez"],
            conversation=thanked,  # where Diego mentioned it (issue #14)
        )
        self._targets(user)
        return user

    def _targets(self, user):
        """A few LAMP targets (issue #14), one with no contact yet."""
        from contacts.services import company_targets_add, company_update

        scores = {"Stripe": (3, 3), "Shopify": (3, 2), "Spotify": (2, 1), "Figma": (2, 2), "Ramp": (2, 3)}
        for company in company_targets_add(owner=user, names=list(scores)):
            motivation, posting = scores[company.name]
            company_update(company=company, motivation=motivation, posting=posting)

    def _ask(
        self,
        contact,
        kind,
        templates,
        *,
        asked,
        scheduled=None,
        location="",
        booked_at=None,
        held_at=None,
        thanked_at=None,
        then=None,
        then_at=None,
    ):
        start = (asked or self.now) - timedelta(days=1)
        conversation = conversation_create(
            owner=self.user,
            contact=contact,
            kind=kind,
            at=start,
            template=templates.get(kind),
            channel="email" if contact.email else "linkedin",
            location=location,
        )
        if asked is None:
            return conversation
        conversation_transition(conversation=conversation, to_stage="requested", at=asked)
        if scheduled is not None:
            conversation_transition(
                conversation=conversation, to_stage="scheduled", at=booked_at or asked, scheduled_for=scheduled
            )
        if held_at is not None:
            conversation_transition(conversation=conversation, to_stage="held", at=held_at)
        if thanked_at is not None:
            conversation_transition(conversation=conversation, to_stage="thanked", at=thanked_at)
        if then is not None:
            conversation_transition(conversation=conversation, to_stage=then, at=then_at)
        return conversation
