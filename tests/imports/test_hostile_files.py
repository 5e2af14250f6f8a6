"""Files built to tie up the web workers: an endless field, a huge vCard line, a file too big to
import inside a request. Each is refused quickly (or sent to the background) and writes nothing."""

import base64

import vobject

from contacts.models import Contact, ImportJob

from .conftest import sample, upload

LIMIT = 64 * 1024  # IMPORT_MAX_FIELD_BYTES by default


def vcard(*properties: str) -> bytes:
    lines = ["BEGIN:VCARD", "VERSION:3.0", *properties, "END:VCARD"]
    return ("\r\n".join(lines) + "\r\n").encode()


def folded(line: str, width: int = 75) -> str:
    """RFC 6350 folding: a long line continues on lines that start with a space."""
    return "\r\n ".join(line[i : i + width] for i in range(0, len(line), width))


# --- one field, one line -------------------------------------------------------------------


def test_a_15_mb_how_we_met_in_a_csv_is_refused_naming_its_line(api_client, user):
    content = b"first_name,how_we_met\nAnn,short\nBob," + b"x" * (15 * 1024 * 1024) + b"\n"
    response = upload(api_client, "csv", content, name="contacts.csv")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("Line 3: ") and "longer than 65,536 characters" in detail
    assert not Contact.objects.exists()


def test_a_linkedin_cell_over_the_limit_is_refused_too(api_client, user):
    content = sample("linkedin_connections_old.csv") + b'Zed,Zee,,Acme,"' + b"PM " * LIMIT + b'",01 Jan 2024\r\n'
    response = upload(api_client, "linkedin", content)
    assert response.status_code == 400 and "longer than 65,536 characters" in response.json()["detail"]
    assert not Contact.objects.exists()


def test_the_field_limit_is_a_setting_and_a_field_at_the_limit_imports(api_client, user, settings):
    settings.IMPORT_MAX_FIELD_BYTES = 1000
    at_limit = upload(api_client, "csv", b"first_name,how_we_met\nAnn," + b"y" * 1000 + b"\n")
    assert at_limit.status_code == 200 and Contact.objects.get().how_we_met == "y" * 1000
    over = upload(api_client, "csv", b"first_name,how_we_met\nBob," + b"y" * 1001 + b"\n")
    assert over.status_code == 400 and over.json()["detail"].startswith("Line 2: ")
    assert Contact.objects.count() == 1


def test_a_15_mb_vcard_note_on_one_line_is_refused_naming_its_line(api_client, user):
    content = vcard("FN:Ann A", "NOTE:" + "x" * (15 * 1024 * 1024))
    response = upload(api_client, "vcard", content, name="contacts.vcf")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Line 4: the NOTE property is longer than 65,536 characters")
    assert not Contact.objects.exists()


def test_a_folded_vcard_property_over_the_limit_is_refused_by_its_unfolded_length(api_client, user):
    content = vcard("FN:Ann A", folded("NOTE:" + "x" * LIMIT)) + vcard("FN:Bob B")
    response = upload(api_client, "vcard", content, name="contacts.vcf")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Line 4: the NOTE property is longer than")
    assert not Contact.objects.exists()


def test_a_folded_note_under_the_limit_imports_whole(api_client, user):
    note = "Met at a meetup. " * 3000  # 51,000 characters on 680 folded lines
    response = upload(api_client, "vcard", vcard("FN:Ann A", folded("NOTE:" + note)), name="contacts.vcf")
    assert response.status_code == 200, response.content
    assert Contact.objects.get().how_we_met == note


def test_a_contact_photo_larger_than_the_limit_is_skipped_and_the_card_imports(api_client, user):
    photo = base64.b64encode(bytes(range(256)) * 1000).decode()  # 341 KB, as phones export them
    content = vcard("FN:Ann A", folded("PHOTO;ENCODING=b;TYPE=JPEG:" + photo), "EMAIL:ann@example.com")
    content += vcard("FN:Bob B", "PHOTO;ENCODING=b;TYPE=JPEG:" + photo)  # unfolded, on one line
    response = upload(api_client, "vcard", content, name="contacts.vcf")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2
    assert Contact.objects.get(first_name="Ann").email == "ann@example.com"


def test_vcard_2_1_quoted_printable_soft_line_breaks_are_joined(api_client, user):
    content = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lee;Marcus\r\n"
        b"NOTE;ENCODING=QUOTED-PRINTABLE:Met at the caf=C3=A9 =\r\nnear the office=\r\n.\r\n"
        b"END:VCARD\r\n"
    )
    response = upload(api_client, "vcard", content, name="contacts.vcf")
    assert response.status_code == 200, response.content
    assert Contact.objects.get().how_we_met == "Met at the café near the office."


# --- structure -----------------------------------------------------------------------------


def test_a_card_without_its_end_is_refused_naming_the_line_it_begins_on(api_client, user):
    content = vcard("FN:Ann A") + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob B\r\n"
    response = upload(api_client, "vcard", content, name="contacts.vcf")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Line 5: ") and "END:VCARD" in response.json()["detail"]
    assert not Contact.objects.exists()


def test_text_outside_any_card_is_refused_naming_its_line(api_client, user):
    content = vcard("FN:Ann A") + b"\r\nhello there\r\n" + vcard("FN:Bob B")
    response = upload(api_client, "vcard", content, name="contacts.vcf")
    assert response.status_code == 400 and response.json()["detail"].startswith("Line 6: ")
    assert not Contact.objects.exists()


def test_a_card_the_parser_cannot_read_is_a_row_error_and_the_others_import(api_client, user):
    content = vcard("FN:Ann A") + vcard("FN:Bob B", "this line has no colon") + vcard("FN:Cy C")
    response = upload(api_client, "vcard", content, name="contacts.vcf")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 2
    assert [error["row"] for error in body["errors"]] == [5]
    assert "line 8" in body["errors"][0]["message"]


# --- parse once ----------------------------------------------------------------------------


def test_a_vcard_import_parses_each_property_once(api_client, user, monkeypatch):
    """The row count is a cheap scan of the lines; only the import itself parses properties."""
    parsed = []
    real = vobject.base.textLineToContentLine

    def counted(text, n=None):
        parsed.append(text)
        return real(text, n)

    monkeypatch.setattr(vobject.base, "textLineToContentLine", counted)
    content = sample("contacts.vcf")
    response = upload(api_client, "vcard", content, name="contacts.vcf")
    assert response.status_code == 200 and response.json()["created"] == 2
    assert len(parsed) == content.count(b"\n")  # 18 lines, each parsed once


def test_a_background_vcard_import_counts_its_cards_once_in_the_request(
    api_client, user, settings, eager_celery, monkeypatch
):
    from contacts.importers import vcard as vcard_module

    scans = []
    real = vcard_module.read_cards

    def counted(*args, **kwargs):
        scans.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(vcard_module, "read_cards", counted)
    settings.IMPORT_SYNC_MAX_ROWS = 1
    with eager_celery(execute=True):
        response = upload(api_client, "vcard", sample("contacts.vcf"), name="contacts.vcf")
    assert response.status_code == 202
    assert ImportJob.objects.get().status == "done" and Contact.objects.count() == 2
    assert len(scans) == 2  # the request counts the cards; the worker imports them, without counting again


# --- size decides sync or background --------------------------------------------------------


def test_a_file_over_the_sync_byte_limit_runs_in_the_background(api_client, user, settings, eager_celery):
    settings.IMPORT_SYNC_MAX_BYTES = 1024
    with eager_celery() as queued:
        response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))  # 1,780 bytes, 15 rows
    assert response.status_code == 202
    # Not parsed, not even counted, in the request: the job does both.
    assert (response.json()["status"], response.json()["total_rows"]) == ("pending", 0)
    assert not Contact.objects.exists()
    queued[0]()  # the worker runs it
    job = api_client.get(response.json()["status_url"]).json()
    assert (job["status"], job["total_rows"], job["result"]["created"]) == ("done", 15, 15)


def test_a_big_file_is_checked_in_full_by_its_job_before_anything_is_written(api_client, user, settings, eager_celery):
    settings.IMPORT_SYNC_MAX_BYTES = 2048
    settings.IMPORT_MAX_FIELD_BYTES = 1000
    content = (
        b"first_name,how_we_met\n" + b"Ann,met\n" * 400 + b"Bob," + b"y" * 1001 + b"\n"
    )  # the bad line is past the head
    with eager_celery(execute=True):
        response = upload(api_client, "csv", content)
    assert response.status_code == 202
    job = api_client.get(response.json()["status_url"]).json()
    assert job["status"] == "failed" and job["error"].startswith("Line 402: a field is longer than 1,000 characters")
    assert not Contact.objects.exists()


def test_a_big_file_with_an_endless_field_near_its_start_is_refused_at_once(api_client, user, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 2048
    settings.IMPORT_MAX_FIELD_BYTES = 1000
    response = upload(api_client, "csv", b"first_name,how_we_met\nBob," + b"y" * 5000 + b"\n")
    assert response.status_code == 400 and response.json()["detail"].startswith("Line 2: ")
    assert not ImportJob.objects.exists()


def test_a_file_under_the_sync_byte_limit_still_imports_at_once(api_client, user, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 2048
    response = upload(api_client, "linkedin", sample("linkedin_connections.csv"))
    assert response.status_code == 200 and response.json()["created"] == 15
    assert not ImportJob.objects.exists()


def test_the_limits_default_to_64_kib_a_field_and_1_mib_inside_a_request(settings):
    assert (settings.IMPORT_MAX_FIELD_BYTES, settings.IMPORT_SYNC_MAX_BYTES) == (64 * 1024, 1024 * 1024)
