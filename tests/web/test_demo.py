"""`make demo` loads a realistic account that exercises every page."""

import io

import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from contacts.models import Contact, ContactEvent
from outreach.models import Conversation, FollowUp, Stage
from tests.factories import aware


@time_machine.travel(aware(2026, 3, 10, 16, 0), tick=False)
def test_load_demo_builds_a_working_account_and_can_run_twice(db):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    user = get_user_model().objects.get(username="demo")
    assert user.check_password("demo")
    assert Contact.objects.filter(owner=user).count() >= 30
    assert set(Conversation.objects.filter(owner=user).values_list("stage", flat=True)) == set(Stage.values)
    assert ContactEvent.objects.filter(owner=user, kind="job_change").count() == 2
    open_follow_ups = FollowUp.objects.filter(owner=user, status="open")
    assert open_follow_ups.count() >= 4
    client = Client()
    # django-axes (the log-in lockout) needs a request to know the client.
    assert client.login(request=HttpRequest(), username="demo", password="demo")
    html = client.get(reverse("today")).content.decode()
    assert "Priya Raman" in html and "Overdue" in html and "Due today" in html and "Time to reconnect" in html
    for name in ("contact_list", "pipeline", "follow_up_list", "template_list", "playbook", "settings"):
        assert client.get(reverse(name)).status_code == 200
