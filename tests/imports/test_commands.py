"""manage.py import_linkedin / import_csv / import_vcard / export_contacts."""

import io

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Contact

from .conftest import DATA


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_linkedin_imports_with_a_progress_bar(user):
    out, err = run("import_linkedin", str(DATA / "linkedin_connections.csv"), "--user", user.username)
    assert "15 created, 0 updated, 0 unchanged, 0 with errors" in out
    assert "15/15 rows" in err and "[######" in err
    assert Contact.objects.filter(owner=user).count() == 15


def test_import_dry_run_writes_nothing_and_lists_row_errors(user):
    out, _ = run("import_linkedin", str(DATA / "linkedin_nasty.csv"), "--user", user.username, "--dry-run")
    assert out.startswith("Dry run (nothing written): 3 created")
    assert "line 10:" in out
    assert not Contact.objects.exists()


def test_import_vcard_and_csv_commands(user):
    run("import_vcard", str(DATA / "contacts.vcf"), "--user", user.username, "--no-progress")
    assert Contact.objects.filter(owner=user).count() == 2
    csv_path = DATA / "linkedin_connections_old.csv"  # LinkedIn-style headers are accepted aliases
    out, _ = run("import_csv", str(csv_path), "--user", user.username, "--no-progress")
    assert "3 created" in out and "2 updated" in out


def test_import_refuses_a_bad_file_with_the_reason(user, tmp_path):
    bad = tmp_path / "Connections.csv"
    bad.write_bytes(b"PK\x03\x04zip")
    with pytest.raises(CommandError, match="ZIP"):
        run("import_linkedin", str(bad), "--user", user.username)


def test_import_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("import_linkedin", str(DATA / "linkedin_connections.csv"), "--user", "ghost")


def test_export_contacts_round_trips_through_import_csv(user, other_user, tmp_path):
    run("import_linkedin", str(DATA / "linkedin_connections.csv"), "--user", user.username, "--no-progress")
    path = tmp_path / "contacts.csv"
    _, err = run("export_contacts", "--user", user.username, "--output", str(path))
    assert "Wrote 15 contacts" in err
    out, _ = run("import_csv", str(path), "--user", other_user.username, "--no-progress")
    assert "15 created" in out
    vcf, _ = run("export_contacts", "--user", user.username, "--format", "vcf")
    assert vcf.count("BEGIN:VCARD") == 15
