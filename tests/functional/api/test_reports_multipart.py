"""POST /api/v1/reports as multipart/form-data: reports with attachments, their limits and types,
and downloading an attachment back."""

from __future__ import annotations

import gc
import hashlib
import warnings

from fastapi.testclient import TestClient

from tests.functional.api.conftest import (
    Provider,
    assert_problem,
    count_rows,
    error_fields,
    make_client,
    report_json,
    with_settings,
)
from wangan.runtime import Runtime
from wangan.vulns.models import IntakeAttachment, IntakeRecord

URL = "/api/v1/reports"
NOTE = ("attachments", ("note.txt", b"see the steps above", "text/plain"))


def form(**overrides: str) -> dict[str, str]:
    return {k: str(v) for k, v in report_json(**overrides).items()}


def test_report_with_attachments_gets_a_receipt_with_digests(rt: Runtime, client: TestClient,
                                                             provider: Provider) -> None:
    poc = b"GET /cgi-bin/luci;stok=/../../etc/passwd HTTP/1.1\r\n"
    files = [("attachments", ("poc.txt", poc, "text/plain")),
             ("attachments", ("shot.png", b"\x89PNG\r\n\x1a\nfake", "image/png"))]

    resp = client.post(URL, data=form(), files=files)

    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["retention_until"] > body["received_at"]
    atts = {a["filename"]: a for a in body["attachments"]}
    assert set(atts) == {"poc.txt", "shot.png"}
    assert atts["poc.txt"]["sha256"] == hashlib.sha256(poc).hexdigest()
    assert atts["poc.txt"]["size"] == len(poc)
    assert atts["shot.png"]["content_type"] == "image/png"
    assert count_rows(rt, IntakeRecord) == 1
    assert count_rows(rt, IntakeAttachment) == 2


def test_hostile_file_names_are_made_safe(client: TestClient, provider: Provider) -> None:
    files = [("attachments", ('../../etc/passwd"; x=.txt', b"root:x:0:0", "text/plain"))]
    body = client.post(URL, data=form(), files=files).json()
    name = body["attachments"][0]["filename"]
    assert "/" not in name and '"' not in name and " " not in name


def test_attachment_is_served_back_as_a_download(client: TestClient, provider: Provider) -> None:
    poc = b"<script>alert(1)</script>"
    receipt = client.post(URL, data=form(), files=[("attachments", ("poc.txt", poc, "text/plain"))]).json()
    att = receipt["attachments"][0]

    resp = client.get(f"{URL}/{receipt['id']}/attachments/{att['id']}", headers=provider.headers)

    assert resp.status_code == 200
    assert resp.content == poc
    assert resp.headers["content-type"] == "application/octet-stream"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["content-disposition"].startswith('attachment; filename="poc.txt"')


def test_unknown_attachment_is_404(client: TestClient, provider: Provider) -> None:
    receipt = client.post(URL, data=form(), files=[NOTE]).json()
    resp = client.get(f"{URL}/{receipt['id']}/attachments/00000000-0000-4000-8000-000000000000",
                      headers=provider.headers)
    assert_problem(resp, 404)


def test_attachment_with_a_chinese_file_name_can_be_downloaded(client: TestClient, provider: Provider) -> None:
    # The intake keeps CJK characters in file names; serving the file back must not fail.
    receipt = client.post(URL, data=form(), files=[("attachments", ("漏洞报告.txt", b"details", "text/plain"))])
    assert receipt.status_code == 201, receipt.text
    att = receipt.json()["attachments"][0]
    assert att["filename"] == "漏洞报告.txt"

    resp = client.get(f"{URL}/{receipt.json()['id']}/attachments/{att['id']}", headers=provider.headers)

    assert resp.status_code == 200, resp.text
    assert resp.content == b"details"
    assert resp.headers["content-disposition"].startswith("attachment;")
    assert "%E6%BC%8F%E6%B4%9E" in resp.headers["content-disposition"]  # 漏洞, percent-encoded (RFC 8187)


def test_blank_fields_are_each_named(rt: Runtime, client: TestClient, provider: Provider) -> None:
    resp = client.post(URL, data={"title": " ", "reporter_name": "x"}, files=[NOTE])
    body = assert_problem(resp, 422)
    assert error_fields(body) == {"title", "content", "reporter_contact"}
    assert count_rows(rt, IntakeRecord) == 0


def test_oversize_description_is_413(client: TestClient, provider: Provider) -> None:
    assert_problem(client.post(URL, data=form(content="A" * 200_001), files=[NOTE]), 413)


def test_very_large_description_is_413_not_a_parser_error(client: TestClient, provider: Provider) -> None:
    # Larger than the multipart parser's default part size (1 MiB): still "too large", not 400.
    assert_problem(client.post(URL, data=form(content="A" * 2_000_000), files=[NOTE]), 413)


def test_oversize_attachment_is_413(rt: Runtime, provider: Provider) -> None:
    with make_client(with_settings(rt, intake_max_attachment_bytes=1000)) as c:
        ok = c.post(URL, data=form(), files=[("attachments", ("ok.zip", b"\0" * 1000, "application/zip"))])
        resp = c.post(URL, data=form(), files=[("attachments", ("dump.zip", b"\0" * 1001, "application/zip"))])

    assert ok.status_code == 201
    body = assert_problem(resp, 413)
    assert "dump.zip" in body["detail"]
    assert count_rows(rt, IntakeRecord) == 1


def test_too_many_attachments_is_413(rt: Runtime, client: TestClient, provider: Provider) -> None:
    files = [("attachments", (f"f{i}.txt", b"x", "text/plain")) for i in range(6)]
    assert_problem(client.post(URL, data=form(), files=files), 413)
    assert count_rows(rt, IntakeRecord) == 0


def test_attachment_of_a_refused_type_is_422(rt: Runtime, client: TestClient, provider: Provider) -> None:
    resp = client.post(URL, data=form(),
                       files=[("attachments", ("setup.exe", b"MZ\x90\x00", "application/x-msdownload"))])

    body = assert_problem(resp, 422)
    assert "application/x-msdownload" in body["detail"]
    assert count_rows(rt, IntakeRecord) == 0


def test_empty_attachment_is_422(client: TestClient, provider: Provider) -> None:
    assert_problem(client.post(URL, data=form(), files=[("attachments", ("a.txt", b"", "text/plain"))]), 422)


def test_attachments_sent_as_a_text_field_is_422(client: TestClient, provider: Provider) -> None:
    assert_problem(client.post(URL, data={**form(), "attachments": "not a file"}, files=[NOTE]), 422)


def test_uploaded_files_are_closed_by_the_request(rt: Runtime, provider: Provider) -> None:
    """The handler must close the parsed form: leaving its temporary files to the garbage
    collector leaks descriptors (and disk, for spooled files) and raises ResourceWarning."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with make_client(rt) as c:
            assert c.post(URL, data=form(), files=[NOTE]).status_code == 201
        gc.collect()

    leaks = [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)]
    assert leaks == []
