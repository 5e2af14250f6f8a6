"""Issue 3's "done when", as a client would do it with curl: register, get a token, build a
contact, ask for a coffee chat from a template and carry it through to thanked, watching the
follow-ups and the dashboard move."""

from datetime import timedelta

import time_machine
from rest_framework.test import APIClient

from tests.factories import aware

T0 = aware(2026, 3, 2, 15, 0)  # Monday


def test_a_new_user_runs_a_coffee_chat_end_to_end_over_the_api(db):
    client = APIClient()
    with time_machine.travel(T0, tick=False) as clock:
        assert client.get("/api/v1/contacts/").status_code == 401
        registered = client.post(
            "/api/v1/auth/register/",
            {"username": "sam", "email": "sam@example.com", "password": "pm-journey-2026!"},
            format="json",
        )
        assert registered.status_code == 201
        token = client.post("/api/v1/auth/token/", {"username": "sam", "password": "pm-journey-2026!"}, format="json")
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

        # Nothing imported: an empty account with its starter templates.
        assert client.get("/api/v1/contacts/").json()["count"] == 0
        templates = client.get("/api/v1/templates/", {"kind": "coffee_chat"}).json()["results"]
        assert templates

        company = client.post("/api/v1/companies/", {"name": "Acme", "industry": "fintech"}, format="json").json()
        contact = client.post(
            "/api/v1/contacts/",
            {
                "first_name": "Priya",
                "last_name": "Shah",
                "company": company["id"],
                "title": "Senior PM",
                "relationship": "product_manager",
                "source": "slack_community",
                "how_we_met": "the Mind the Product Slack",
                "reconnect_every_days": 60,
            },
            format="json",
        ).json()

        # Start a coffee-chat request from a template and write the message.
        template = templates[0]
        conversation = client.post(
            "/api/v1/conversations/",
            {"contact": contact["id"], "kind": "coffee_chat", "channel": "slack", "template": template["id"]},
            format="json",
        ).json()
        assert conversation["stage"] == "planned"
        message = client.post(
            f"/api/v1/templates/{template['id']}/render/", {"contact": contact["id"]}, format="json"
        ).json()
        assert "Priya" in message["body"] and "{" not in message["body"] + message["subject"]

        move = f"/api/v1/conversations/{conversation['id']}/transition/"

        def follow_ups(**query):
            rows = client.get("/api/v1/follow-ups/", {"status": "open", **query}).json()["results"]
            return [(row["kind"], row["due_at"]) for row in rows]

        # requested: a nudge is due a week later.
        assert client.post(move, {"stage": "requested"}, format="json").json()["stage"] == "requested"
        assert follow_ups() == [("nudge", "2026-03-09T08:00:00Z")]  # a week on, at the digest hour
        assert client.get("/api/v1/dashboard/").json()["week"] == {"start": "2026-03-02", "requests_sent": 1, "goal": 3}

        # scheduled: the nudge goes away, prep reminders are planned.
        clock.move_to(T0 + timedelta(days=2))
        scheduled = client.post(move, {"stage": "scheduled", "scheduled_for": "2026-03-06T16:00:00Z"}, format="json")
        assert scheduled.json()["allowed_next_stages"] == ["scheduled", "held", "cancelled"]
        assert follow_ups() == []
        reminders = client.get("/api/v1/reminders/", {"status": "pending"}).json()["results"]
        assert {r["kind"] for r in reminders} >= {"chat_prep", "chat_soon"}

        # An illegal jump is refused with the legal moves named.
        refused = client.post(move, {"stage": "thanked"}, format="json")
        assert refused.status_code == 400
        assert refused.json()["allowed_stages"] == ["scheduled", "held", "cancelled"]

        # held: a thank-you is due within a day, and the contact was touched.
        clock.move_to(aware(2026, 3, 6, 16, 45))
        client.post(move, {"stage": "held"}, format="json")
        assert follow_ups() == [("thank_you", "2026-03-07T16:45:00Z")]
        assert client.get(f"/api/v1/contacts/{contact['id']}/").json()["last_contacted_at"] == "2026-03-06T16:45:00Z"

        # thanked: the thank-you is done and a reconnect opens 60 days on.
        clock.move_to(aware(2026, 3, 6, 20, 0))
        thanked = client.post(move, {"stage": "thanked"}, format="json").json()
        assert [h["stage"] for h in thanked["stage_history"]] == [
            "planned",
            "requested",
            "scheduled",
            "held",
            "thanked",
        ]
        assert thanked["allowed_next_stages"] == []
        assert follow_ups() == [("reconnect", "2026-05-05T08:00:00Z")]  # the digest hour that day
        assert client.get("/api/v1/follow-ups/", {"kind": "thank_you", "status": "done"}).json()["count"] == 1

        metrics = client.get("/api/v1/dashboard/").json()
        assert metrics["pipeline"]["thanked"] == 1 and sum(metrics["pipeline"].values()) == 1
        assert metrics["funnel"] == {"requested": 1, "scheduled": 1, "held": 1, "thanked": 1}
        assert metrics["response_rate"] == 1.0
        assert metrics["follow_ups"] == {"overdue": 0, "today": 0}
        assert metrics["week"]["requests_sent"] == 1
        used = {row["id"]: row["used"] for row in metrics["templates"]}
        assert used[template["id"]] == 1
        assert {row["source"]: row["used"] for row in metrics["sources"]}["slack_community"] == 1

        # Two months later the reconnect falls due and shows as overdue once passed.
        clock.move_to(aware(2026, 5, 6, 9, 0))
        assert client.get("/api/v1/dashboard/").json()["follow_ups"]["overdue"] == 1
        reconnect = client.get("/api/v1/follow-ups/", {"kind": "reconnect"}).json()["results"][0]
        assert client.post(f"/api/v1/follow-ups/{reconnect['id']}/complete/").json()["status"] == "done"
        assert client.get("/api/v1/dashboard/").json()["follow_ups"]["overdue"] == 0
