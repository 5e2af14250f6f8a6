"""The outreach check (#14) on hand-written first messages: a good one has no findings, each
bad one has exactly the finding of the rule it breaks, and only first-contact kinds are checked."""

import pytest

from contacts.models import Company, Contact
from outreach.checks import outreach_check


@pytest.fixture
def priya():
    return Contact(
        first_name="Priya",
        company=Company(name="Shopify"),
        how_we_met="Mind the Product meetup in Toronto",
        source="event",
    )


GOOD = """Hi Priya,

We met at the Mind the Product meetup in Toronto, and your point about saying no to features stayed with me.

How did your team decide what to stop building? Your advice on moving from support into product would help, and your time is precious, so a short reply is plenty.

Thank you,
Sam"""


def codes(text, kind="informational_interview", contact=None):
    return [finding.code for finding in outreach_check(text, kind=kind, contact=contact)]


def test_a_good_message_has_no_findings(priya):
    assert codes(GOOD, contact=priya) == []


def test_a_message_of_100_words_is_too_long(priya):
    # 5 + 6 + 89 = 100 words: the connection sentence, a you-sentence, and filler about them.
    text = "We met at the meetup. Your talk on pricing was great. " + "you " * 89
    assert len(text.split()) == 100
    findings = outreach_check(text, kind="coffee_chat", contact=priya)
    assert [f.code for f in findings] == ["too_long"]
    assert "100 words" in findings[0].message
    assert codes(text.rsplit(" you", 1)[0], kind="coffee_chat", contact=priya) == []  # 99 words pass


@pytest.mark.parametrize("word", ["job", "Position", "OPENING", "hiring", "referral", "jobs"])
def test_asking_for_a_job_is_flagged_and_the_word_named(priya, word):
    text = f"Hi Priya, we met at the meetup in Toronto. Is your team {word} anyone? Your view would help you."
    findings = outreach_check(text, kind="informational_interview", contact=priya)
    assert [f.code for f in findings] == ["asks_for_job"]
    assert f"“{word.lower().rstrip('s')}”" in findings[0].message


def test_job_words_are_whole_words_only(priya):
    text = "Hi Priya, we met at the meetup. Your jobsite idea and your repositioning of the app impressed you."
    assert codes(text, contact=priya) == []


def test_several_job_words_are_named_together(priya):
    text = "Hi Priya, we met at the meetup. Is your team hiring for the job you posted?"
    (finding,) = outreach_check(text, kind="coffee_chat", contact=priya)
    assert finding.code == "asks_for_job"
    assert "“hiring” and “job”" in finding.message


def test_a_first_sentence_without_the_connection_is_flagged(priya):
    text = "Hi Priya,\n\nYour work on checkout is impressive. Could you share your advice on product?"
    assert codes(text, contact=priya) == ["no_connection"]


@pytest.mark.parametrize(
    "opening",
    [
        "We met at the Mind the Product meetup.",  # how_we_met words
        "I saw that you lead checkout at Shopify.",  # the contact's company
        "As a fellow Waterloo grad, your path caught my eye.",  # fellow / alumni
        "Ana Lopez suggested I write to you.",  # the referrer
        "Your answer in the meetup channel was great.",  # the source community (event)
    ],
)
def test_each_kind_of_connection_counts(priya, opening):
    priya.referred_by = Contact(first_name="Ana")
    text = f"Hi Priya, {opening} Could you share your advice on your team's work and your path, if you have time?"
    assert "no_connection" not in codes(text, contact=priya)


def test_generic_words_of_how_we_met_are_no_connection():
    contact = Contact(first_name="Priya", how_we_met="Product management meetup", source="other")
    text = "Hi Priya, I'm moving into product management. What would you advise, given your path?"
    assert codes(text, contact=contact) == ["no_connection"]


def test_a_pleasantry_before_the_connection_is_skipped(priya):
    text = "Dear Priya, I hope you are well. We met at the meetup in Toronto. What would you advise on your path?"
    assert codes(text, contact=priya) == []


def test_more_about_me_than_about_them_is_flagged(priya):
    text = "Hi Priya, we met at the meetup. I am a support lead and I want to move into product. Could you help me?"
    findings = outreach_check(text, kind="case_study_feedback", contact=priya)
    assert [f.code for f in findings] == ["about_me"]
    # I, I, me = 3; you = 1
    assert "I, me or my 3 times and you or your once" in findings[0].message


@pytest.mark.parametrize("kind", ["referral_request", "intro_request", "thank_you", "nudge", "reconnect"])
def test_only_first_contact_kinds_are_checked(priya, kind):
    bad = "I need a job. " + "I want a referral for the position and I am hiring-ready. " * 20
    assert outreach_check(bad, kind=kind, contact=priya) == []
    assert codes(bad, kind="coffee_chat", contact=priya) == ["too_long", "asks_for_job", "no_connection", "about_me"]
