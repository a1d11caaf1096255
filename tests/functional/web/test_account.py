"""API tokens: the secret is shown once, works on the API, and can be revoked."""

from __future__ import annotations

import re

from tests.functional.web.conftest import Browser


def test_create_use_and_revoke_a_token(signed_in: Browser) -> None:
    assert "No tokens yet." in signed_in.get("/account/tokens").text
    created = signed_in.post("/account/tokens", {"name": "ci export", "scope_read": "1"},
                             page="/account/tokens")
    assert created.status_code == 200
    raw = re.search(r'id="raw-token">(wgn_[^<]+)<', created.text)
    assert raw, created.text
    token = raw.group(1)
    api = signed_in.client.get("/api/v1/me", headers={"authorization": f"Bearer {token}",
                                                      "accept": "application/json"})
    assert api.status_code == 200 and api.json()["scopes"] == ["read"]

    again = signed_in.get("/account/tokens").text
    assert token not in again and token[:10] in again  # listed by prefix only, never shown again
    token_id = re.search(r'action="/account/tokens/([0-9a-f-]+)/revoke"', again).group(1)  # type: ignore[union-attr]
    revoked = signed_in.post(f"/account/tokens/{token_id}/revoke", page="/account/tokens")
    assert revoked.status_code == 303
    assert "revoked" in signed_in.get("/account/tokens").text
    assert signed_in.client.get("/api/v1/me", headers={"authorization": f"Bearer {token}",
                                                       "accept": "application/json"}).status_code == 401


def test_token_form_errors(signed_in: Browser) -> None:
    refused = signed_in.post("/account/tokens", {"name": "x", "days": "0"}, page="/account/tokens")
    assert refused.status_code == 422
    assert 'id="f-days-error"' in refused.text and 'id="f-scopes-error"' in refused.text
