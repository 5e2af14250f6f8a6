"""Simulated Coffeechat API clients for the soak; soak/run.py starts locust with this file.

Two clients share each account (say a laptop and a phone): each creates its own contacts,
conversations, follow-ups and notes, moves its own conversations and closes its own
follow-ups, imports the account's small CSV file (the same for both), and reads everything
(lists, the dashboard, an export). Every name a client makes carries a unique token, so the
check can count the rows behind each request.

Each client writes down what the API told it: the id behind every 201, the token of every
write it attempted (answered or not), each of its conversations' stage after its last
successful move, each follow-up's status, and every request that did not get the expected
answer, with its start and end time (so an error can be matched to an injected fault).
When the run stops, the ledger goes to SOAK_LEDGER as JSON.

Nothing a client makes falls due after SOAK_DEADLINE (the end of the load): follow-ups are
due a few seconds ahead and never later; a scheduled chat's heads-up e-mail is due at once.
"""

import itertools
import json
import os
import random
import time
from datetime import datetime, timezone
from pathlib import Path

from locust import HttpUser, between, events, task

ACCOUNTS = json.loads(Path(os.environ["SOAK_ACCOUNTS"]).read_text())
LEDGER_PATH = Path(os.environ["SOAK_LEDGER"])
DEADLINE = float(os.environ["SOAK_DEADLINE"])
RUN = os.environ["SOAK_RUN"]  # in every token, so the check finds this run's rows
API = "/api/v1"
TIMEOUT = 40  # longer than gunicorn's 30 s worker timeout: the server, not the client, gives up first
TAGS = ("mentor", "pm", "fintech", "alumni", "Product Ops")  # shared by both clients of an account
READS = (
    "/contacts/",
    "/contacts/?search=Soak",
    "/companies/",
    "/tags/",
    "/conversations/",
    "/conversations/?stage=scheduled",
    "/follow-ups/?status=open",
    "/reminders/",
    "/notes/",
    "/dashboard/",
    "/me/",
)
# Both clients of an account import this same file now and then: the account's import lock must
# leave one person per row however the two imports interleave.
IMPORTED = ("Ada", "Grace", "Linus")
IMPORT_CSV = "first_name,last_name,email\n" + "".join(
    f"{n},Imported,{n.lower()}.imported@example.com\n" for n in IMPORTED
)
# How often a conversation takes each legal move it has: mostly along the path, sometimes closed.
MOVE_WEIGHTS = {
    "requested": 6,
    "scheduled": 6,
    "held": 4,
    "thanked": 3,
    "declined": 1,
    "no_response": 1,
    "cancelled": 1,
}
KINDS = ("contact", "conversation", "follow_up", "note")

_client_numbers = itertools.count()
CLIENTS: list["Client"] = []


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).isoformat()


def due_soon(low: float, high: float, room: float = 1) -> str | None:
    """A due time a few seconds ahead, never after the deadline; None with less than `room` left."""
    now = time.time()
    due = min(now + random.uniform(low, high), DEADLINE - 1)
    return iso(due) if due > now + room else None


class Client(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.number = next(_client_numbers)
        self.account = ACCOUNTS[self.number % len(ACCOUNTS)]
        self.client.headers["Authorization"] = f"Token {self.account['token']}"
        self.sequence = itertools.count()
        self.durations: list[float] = []  # seconds, one per request, answered or not
        self.errors: list[dict] = []
        self.attempted: dict[str, list[str]] = {kind: [] for kind in KINDS}
        self.acknowledged: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
        self.contacts: list[int] = list(self.account["contacts"])  # seeded for the account
        self.stages: dict[int, str | None] = {}  # None: a move's outcome is unknown (its answer was lost)
        self.allowed: dict[int, list[str]] = {}
        self.follow_ups: dict[int, str | None] = {}
        self.imported: list[str] = []  # the names in the file, once an import of it succeeded
        CLIENTS.append(self)

    # --- plumbing ------------------------------------------------------------------------

    def call(self, method: str, path: str, *, name: str | None = None, expect: int = 200, **kwargs):
        """One request; returns (ok, parsed JSON or None) and logs anything but `expect` as an error."""
        name = name or path
        started = time.time()
        with self.client.request(
            method, API + path, name=name, catch_response=True, timeout=TIMEOUT, **kwargs
        ) as response:
            self.durations.append(time.time() - started)
            if response.status_code == expect:
                response.success()
                is_json = response.headers.get("Content-Type", "").startswith("application/json")
                return True, (response.json() if is_json else None)
            detail = " ".join((response.text or repr(response.error)).split())[:300]
            response.failure(f"{response.status_code} {detail}")
            self.errors.append(
                {
                    "start": started,
                    "end": time.time(),
                    "request": f"{method} {name}",
                    "status": response.status_code,
                    "detail": detail,
                }
            )
            return False, None

    def token(self, kind: str) -> str:
        token = f"{RUN}-{self.number}-{next(self.sequence)}"
        self.attempted[kind].append(token)
        return token

    def some_contact(self) -> int:
        return random.choice(self.contacts)

    # --- reads ---------------------------------------------------------------------------

    @task(10)
    def read(self):
        self.call("GET", random.choice(READS))

    @task(2)
    def read_conversation(self):
        # One whose stage this client lost track of (a move's answer was lost) first.
        unknown = [pk for pk, stage in self.stages.items() if stage is None]
        if unknown or self.stages:
            self.resync_conversation(random.choice(unknown or list(self.stages)))

    @task(1)
    def export(self):
        # Throttled (the `exports` scope): its counts live in Redis, which the fault phase kills.
        self.call("GET", "/export/contacts.csv")

    # --- writes --------------------------------------------------------------------------

    @task(3)
    def create_contact(self):
        token = self.token("contact")
        body = {
            "first_name": "Soak",
            "last_name": token,
            "email": f"{token}@example.com",
            "tags": random.sample(TAGS, k=random.randint(0, 2)),
        }
        ok, data = self.call("POST", "/contacts/", json=body, expect=201)
        if ok:
            self.acknowledged["contact"][token] = data["id"]
            self.contacts.append(data["id"])

    @task(1)
    def update_contact(self):
        body = {"title": random.choice(("PM", "Senior PM", "Group PM")), "tags": random.sample(TAGS, k=2)}
        self.call("PATCH", f"/contacts/{self.some_contact()}/", name="/contacts/[id]/", json=body)

    @task(3)
    def create_conversation(self):
        contact = self.some_contact()
        token = self.token("conversation")
        body = {"contact": contact, "kind": "coffee_chat", "channel": "email", "agenda": token, "allow_duplicate": True}
        ok, data = self.call("POST", "/conversations/", json=body, expect=201)
        if ok:
            self.acknowledged["conversation"][token] = data["id"]
            self.learn_conversation(data)

    @task(5)
    def transition(self):
        movable = [pk for pk, stage in self.stages.items() if stage is not None and self.allowed.get(pk)]
        if not movable:
            return
        pk = random.choice(movable)
        moves = self.allowed[pk]
        to = random.choices(moves, weights=[MOVE_WEIGHTS.get(m, 1) for m in moves])[0]
        body = {"stage": to}
        if to == "scheduled":
            # 10-50 minutes ahead: the heads-up e-mail (an hour before) is due at once.
            body["scheduled_for"] = iso(time.time() + random.uniform(600, 3000))
        elif to == "held":
            body["held_at"] = iso(time.time() - 1)  # before its time, a chat says when it happened
        ok, data = self.call(
            "POST", f"/conversations/{pk}/transition/", name="/conversations/[id]/transition/", json=body
        )
        if ok:
            self.learn_conversation(data)
        else:
            self.resync_conversation(pk)

    @task(4)
    def create_follow_up(self):
        contact, due_at = self.some_contact(), due_soon(2, 8)
        if due_at is None:
            return
        token = self.token("follow_up")
        body = {"contact": contact, "kind": "other", "title": token, "due_at": due_at}
        ok, data = self.call("POST", "/follow-ups/", json=body, expect=201)
        if ok:
            self.acknowledged["follow_up"][token] = data["id"]
            self.follow_ups[data["id"]] = data["status"]

    @task(2)
    def act_on_follow_up(self):
        open_ones = [pk for pk, status in self.follow_ups.items() if status == "open"]
        if not open_ones:
            return
        pk = random.choice(open_ones)
        action, body = random.choice(("complete", "cancel", "snooze", "snooze")), None
        if action == "snooze":
            # Well ahead: a snooze into the past is refused, and a saturated server answers in seconds.
            due_at = due_soon(12, 25, room=10)
            action, body = ("snooze", {"due_at": due_at}) if due_at else ("complete", None)
        ok, data = self.call("POST", f"/follow-ups/{pk}/{action}/", name=f"/follow-ups/[id]/{action}/", json=body)
        if ok:
            self.follow_ups[pk] = data["status"]
        else:
            ok, data = self.call("GET", f"/follow-ups/{pk}/", name="/follow-ups/[id]/")
            self.follow_ups[pk] = data["status"] if ok else None

    @task(1)
    def import_contacts(self):
        # Throttled (the `imports` scope, counted in Redis) and serialised by the import lock.
        ok, _ = self.call("POST", "/imports/csv/", files={"file": ("contacts.csv", IMPORT_CSV, "text/csv")})
        if ok:
            self.imported = list(IMPORTED)

    @task(2)
    def create_note(self):
        contact = self.some_contact()
        token = self.token("note")
        ok, data = self.call("POST", "/notes/", json={"contact": contact, "kind": "advice", "body": token}, expect=201)
        if ok:
            self.acknowledged["note"][token] = data["id"]

    # --- what the client knows -----------------------------------------------------------

    def learn_conversation(self, data: dict) -> None:
        self.stages[data["id"]] = data["stage"]
        self.allowed[data["id"]] = data["allowed_next_stages"]

    def resync_conversation(self, pk: int) -> None:
        """Read the conversation back; if that fails too, its stage is unknown to this client."""
        ok, data = self.call("GET", f"/conversations/{pk}/", name="/conversations/[id]/")
        if ok:
            self.learn_conversation(data)
        else:
            self.stages[pk] = None

    def ledger(self) -> dict:
        return {
            "client": self.number,
            "account": self.account["username"],
            "durations": self.durations,
            "errors": self.errors,
            "attempted": self.attempted,
            "acknowledged": self.acknowledged,
            "stages": self.stages,
            "follow_ups": self.follow_ups,
            "imported": self.imported,
        }


@events.test_stop.add_listener
def write_ledger(**kwargs):
    LEDGER_PATH.write_text(json.dumps([client.ledger() for client in CLIENTS]))
