"""Roles, password and username rules, login throttling, token rules."""

from datetime import UTC, datetime, timedelta

import pytest

from warehouse.access import AccessRule
from warehouse.domain.accounts import (
    ALL_ROLES,
    Role,
    ThrottlePolicy,
    new_token_secret,
    token_digest,
    token_is_usable,
    validate_password,
    validate_username,
)
from warehouse.domain.errors import InvalidInput, Throttled

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(per_user=3, per_address=5, window=timedelta(minutes=15))


@pytest.mark.parametrize("name, expected", [
    ("Keeper01", "keeper01"), ("li.qiang", "li.qiang"), ("  wang_lei ", "wang_lei"), ("ab", "ab"),
])
def test_valid_usernames_are_normalised_to_lower_case(name, expected):
    assert validate_username(name) == expected


@pytest.mark.parametrize("name", ["", "a", "-dash", "has space", "x" * 41, "名字", "semi;colon"])
def test_invalid_usernames_are_refused_naming_the_field(name):
    with pytest.raises(InvalidInput) as caught:
        validate_username(name)
    assert "username" in caught.value.fields


@pytest.mark.parametrize("password, reason", [
    ("short", "at least"),
    ("aaaaaaaaaaaa", "too simple"),
    ("keeper0001", "differ from the username"),
    ("x" * 257 + "abcd", "at most"),
])
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    with pytest.raises(InvalidInput) as caught:
        validate_password(password, username="keeper0001")
    assert reason in caught.value.fields["password"][0]


def test_a_long_varied_password_is_accepted():
    assert validate_password("correct horse battery", username="keeper") == "correct horse battery"


def test_password_errors_name_the_field_they_came_from():
    with pytest.raises(InvalidInput) as caught:
        validate_password("short", field="new_password")
    assert list(caught.value.fields) == ["new_password"]


def test_throttle_allows_failures_below_the_limit():
    POLICY.check([NOW - timedelta(minutes=1)] * 2, [], NOW)


def test_throttle_refuses_at_the_limit_until_the_oldest_failure_leaves_the_window():
    failures = [NOW - timedelta(minutes=10), NOW - timedelta(minutes=5), NOW - timedelta(minutes=1)]
    with pytest.raises(Throttled) as caught:
        POLICY.check(failures, [], NOW)
    # The oldest failure leaves the 15-minute window in 5 minutes.
    assert caught.value.retry_after == 5 * 60 + 1


def test_throttle_ignores_failures_older_than_the_window():
    old = [NOW - timedelta(minutes=16)] * 10
    POLICY.check(old, old, NOW)


def test_throttle_counts_failures_per_address_too():
    with pytest.raises(Throttled):
        POLICY.check([], [NOW - timedelta(seconds=i) for i in range(5)], NOW)


def test_tokens_are_random_and_stored_only_as_a_digest():
    first, second = new_token_secret(), new_token_secret()
    assert first != second and first.startswith("whr_") and len(first) > 40
    assert token_digest(first) != first and len(token_digest(first)) == 64
    assert token_digest(first) == token_digest(first)


@pytest.mark.parametrize("expires, revoked, active, usable", [
    (None, None, True, True),
    (NOW + timedelta(days=1), None, True, True),
    (NOW - timedelta(seconds=1), None, True, False),
    (NOW, None, True, False),
    (None, NOW - timedelta(days=1), True, False),
    (None, None, False, False),
])
def test_token_usability_follows_expiry_revocation_and_account_state(expires, revoked, active, usable):
    assert token_is_usable(expires_at=expires, revoked_at=revoked, user_active=active, now=NOW) is usable


@pytest.mark.parametrize("role", list(Role) + [None])
def test_public_rules_admit_everyone_including_anonymous(role):
    assert AccessRule(frozenset(), public=True).admits(role)


def test_role_rules_admit_only_their_roles_and_never_anonymous():
    rule = AccessRule(frozenset({Role.ADMIN, Role.COMMANDER}))
    assert rule.admits(Role.ADMIN) and rule.admits(Role.COMMANDER)
    assert not rule.admits(Role.LOGISTICS) and not rule.admits(None)
    assert AccessRule(ALL_ROLES).admits(Role.SUPPLY_OFFICER)


def test_reasons_read_as_english_text_and_keep_their_template_for_translation():
    from warehouse.domain.errors import N_

    reason = N_("at least %(count)d characters", count=10)
    assert reason == "at least 10 characters" and isinstance(reason, str)
    assert reason.template == "at least %(count)d characters" and reason.params == {"count": 10}
    assert N_("plain") == "plain" and N_("plain").params == {}
