"""Request bodies above the app's limit are refused with 413 on every page and API, never a 500."""

import pytest

from tests.builders import make_user


@pytest.mark.parametrize("path", ["/login", "/stock/receive", "/partners/new", "/api/v1/partners"])
def test_a_body_above_the_limit_is_refused_with_413(app, client, path):
    client.sign_in(make_user(app, "supply_officer"))
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(path, data=too_big, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
