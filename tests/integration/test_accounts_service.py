"""Account services on a real database: one transaction each, nothing half-written."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.builders import CLI, PASSWORD, issue_token, make_user
from warehouse.domain.accounts import Role, ThrottlePolicy
from warehouse.domain.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound, Throttled
from warehouse.extensions import db
from warehouse.models import ApiToken, AuditEvent, User
from warehouse.models.audit import AuditAction
from warehouse.models.base import utcnow
from warehouse.services import accounts

POLICY = ThrottlePolicy(per_user=3, per_address=10, window=timedelta(minutes=15))


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def actions(session) -> list[AuditAction]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_create_user_hashes_the_password_and_records_an_audit_event(session):
    user = accounts.create_user(session, CLI, username="Keeper7", role="logistics",
                                password=PASSWORD, display_name="保管员 李")
    assert user.username == "keeper7" and user.role is Role.LOGISTICS
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert actions(session) == [AuditAction.USER_CREATED]


@pytest.mark.parametrize("fields, field", [
    ({"username": "x", "role": "logistics", "password": PASSWORD}, "username"),
    ({"username": "valid", "role": "janitor", "password": PASSWORD}, "role"),
    ({"username": "valid", "role": "logistics", "password": "short"}, "password"),
    ({"username": "valid", "role": "logistics", "password": PASSWORD, "locale": "fr"}, "locale"),
])
def test_invalid_user_input_names_the_field_and_writes_nothing(session, fields, field):
    with pytest.raises(InvalidInput) as caught:
        accounts.create_user(session, CLI, **fields)
    assert field in caught.value.fields
    assert count(session, User) == 0 and count(session, AuditEvent) == 0


def test_duplicate_username_is_a_conflict_and_writes_nothing(app, session):
    make_user(app, username="keeper")
    before = count(session, AuditEvent)
    with pytest.raises(Conflict):
        accounts.create_user(session, CLI, username="KEEPER", role="admin", password=PASSWORD)
    assert count(session, User) == 1 and count(session, AuditEvent) == before


def test_concurrent_registrations_of_one_name_create_exactly_one_user(app):
    def register(i):
        with app.app_context():
            try:
                accounts.create_user(db.session, CLI, username="scanner", role="logistics",
                                     password=f"{PASSWORD} {i}")
                return "created"
            except Conflict:
                return "conflict"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(register, range(8)))
    assert outcomes.count("created") == 1 and outcomes.count("conflict") == 7
    with app.app_context():
        assert count(db.session, User) == 1
        assert count(db.session, AuditEvent, AuditEvent.action == AuditAction.USER_CREATED) == 1


def test_role_change_is_audited_with_old_and_new_role(app, session):
    admin = make_user(app, Role.ADMIN)
    keeper = make_user(app, Role.LOGISTICS)
    caller = accounts.Caller(session.get(User, admin.id), "10.0.0.5")
    accounts.update_user(session, caller, keeper.id, role="supply_officer")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.ROLE_CHANGED)).one()
    assert event.detail == "logistics -> supply_officer" and event.actor_id == admin.id
    assert event.address == "10.0.0.5" and event.username == keeper.username


def test_the_last_active_admin_cannot_be_demoted_or_disabled(app, session):
    admin = make_user(app, Role.ADMIN)
    with pytest.raises(Conflict):
        accounts.update_user(session, CLI, admin.id, role="commander")
    with pytest.raises(Conflict):
        accounts.update_user(session, CLI, admin.id, active=False)
    user = session.get(User, admin.id)
    assert user.role is Role.ADMIN and user.active


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app):
    first, second = make_user(app, Role.ADMIN), make_user(app, Role.ADMIN)

    def demote(pair):
        actor, target = pair
        with app.app_context():
            try:
                caller = accounts.Caller(db.session.get(User, actor.id), None)
                accounts.update_user(db.session, caller, target.id, role="commander")
                return "demoted"
            except Conflict:
                return "refused"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(demote, [(first, second), (second, first)]))
    assert sorted(outcomes) == ["demoted", "refused"]
    with app.app_context():
        assert count(db.session, User, User.role == Role.ADMIN) == 1


def test_disabling_a_user_ends_sessions_and_revokes_tokens(app, session):
    keeper = make_user(app)
    issue_token(app, keeper)
    accounts.update_user(session, CLI, keeper.id, active=False)
    user = session.get(User, keeper.id)
    assert not user.active and user.session_key != keeper.session_key
    assert count(session, ApiToken, ApiToken.revoked_at.is_(None)) == 0
    assert AuditAction.USER_DISABLED in actions(session)


def test_changing_your_own_password_needs_the_current_one(app, session):
    keeper = make_user(app)
    caller = accounts.Caller(session.get(User, keeper.id), None)
    with pytest.raises(InvalidInput) as caught:
        accounts.change_password(session, caller, keeper.id, new_password="another fine pass",
                                 current_password="wrong")
    assert "current_password" in caught.value.fields
    assert session.get(User, keeper.id).session_key == keeper.session_key
    accounts.change_password(session, caller, keeper.id, new_password="another fine pass",
                             current_password=PASSWORD)
    assert session.get(User, keeper.id).session_key != keeper.session_key


def test_sign_in_records_success_and_failure(app, session):
    keeper = make_user(app)
    user = accounts.authenticate(session, username=keeper.username.upper(), password=PASSWORD,
                                 address="10.1.1.1", policy=POLICY)
    assert user.id == keeper.id
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(session, username=keeper.username, password="nope",
                              address="10.1.1.1", policy=POLICY)
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(session, username="ghost", password="nope", address="10.1.1.1",
                              policy=POLICY)
    details = session.execute(select(AuditEvent.action, AuditEvent.username, AuditEvent.detail)
                              .where(AuditEvent.action != AuditAction.USER_CREATED)
                              .order_by(AuditEvent.id)).all()
    assert [tuple(d) for d in details] == [
        (AuditAction.LOGIN, keeper.username, None),
        (AuditAction.LOGIN_FAILED, keeper.username, "wrong password"),
        (AuditAction.LOGIN_FAILED, "ghost", "unknown user"),
    ]


def test_disabled_users_cannot_sign_in_even_with_the_right_password(app, session):
    keeper = make_user(app)
    accounts.update_user(session, CLI, keeper.id, active=False)
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(session, username=keeper.username, password=PASSWORD,
                              address=None, policy=POLICY)


def test_repeated_failures_throttle_the_name_even_for_the_right_password(app, session):
    keeper = make_user(app)
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(session, username=keeper.username, password="bad",
                                  address="10.0.0.1", policy=POLICY)
    with pytest.raises(Throttled) as caught:
        accounts.authenticate(session, username=keeper.username, password=PASSWORD,
                              address="10.0.0.2", policy=POLICY)
    assert 0 < caught.value.retry_after <= 15 * 60 + 1
    # The refused attempt itself is not recorded, so waiting is enough to get back in.
    later = utcnow() + timedelta(minutes=16)
    assert accounts.authenticate(session, username=keeper.username, password=PASSWORD,
                                 address="10.0.0.2", policy=POLICY, now=later).id == keeper.id


def test_a_successful_sign_in_clears_earlier_failures(app, session):
    keeper = make_user(app)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(session, username=keeper.username, password="bad",
                                  address=None, policy=POLICY)
    accounts.authenticate(session, username=keeper.username, password=PASSWORD, address=None,
                          policy=POLICY)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(session, username=keeper.username, password="bad",
                                  address=None, policy=POLICY)


def test_tokens_authenticate_until_revoked(app, session):
    keeper = make_user(app)
    secret = issue_token(app, keeper)
    assert accounts.user_for_token(session, secret).id == keeper.id
    token = session.scalars(select(ApiToken)).one()
    assert token.last_used_at is not None and secret not in token.digest
    accounts.revoke_token(session, CLI, token.id)
    with pytest.raises(AuthenticationFailed, match="revoked"):
        accounts.user_for_token(session, secret)


def test_expired_and_unknown_tokens_do_not_authenticate(app, session):
    keeper = make_user(app)
    secret = issue_token(app, keeper, days=1)
    with pytest.raises(AuthenticationFailed, match="expired"):
        accounts.user_for_token(session, secret, now=utcnow() + timedelta(days=2))
    with pytest.raises(AuthenticationFailed, match="unknown"):
        accounts.user_for_token(session, "whr_not-a-real-token")


def test_users_cannot_issue_or_revoke_tokens_of_others(app, session):
    keeper, other = make_user(app), make_user(app)
    caller = accounts.Caller(session.get(User, keeper.id), None)
    with pytest.raises(NotFound):
        accounts.issue_token(session, caller, other.id, name="x", days=1)
    issue_token(app, other)
    token_id = session.scalar(select(ApiToken.id))
    with pytest.raises(NotFound):
        accounts.revoke_token(session, caller, token_id)
    assert session.get(ApiToken, token_id).revoked_at is None


@pytest.mark.parametrize("name, days, field", [("", 30, "name"), ("x" * 81, 30, "name"),
                                               ("ok", 0, "days"), ("ok", 4000, "days")])
def test_bad_token_requests_name_the_field_and_write_nothing(app, session, name, days, field):
    keeper = make_user(app)
    with pytest.raises(InvalidInput) as caught:
        accounts.issue_token(session, CLI, keeper.id, name=name, days=days)
    assert field in caught.value.fields and count(session, ApiToken) == 0


def test_saving_a_user_unchanged_records_no_update(app, session):
    keeper = make_user(app, display_name="李强")
    accounts.update_user(session, CLI, keeper.id, display_name="李强", locale="")
    assert AuditAction.USER_UPDATED not in actions(session)
    accounts.update_user(session, CLI, keeper.id, display_name="李强 (B班)", locale="en")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.USER_UPDATED)).one()
    assert event.detail == "display_name, locale"


def test_signing_in_for_a_token_is_one_transaction(app, session):
    keeper = make_user(app)
    token, secret = accounts.sign_in_for_token(
        session, username=keeper.username, password=PASSWORD, address="10.2.2.2", policy=POLICY,
        token_name="PDA 7", days=30)
    assert accounts.user_for_token(session, secret).id == keeper.id and token.name == "PDA 7"
    assert actions(session)[-2:] == [AuditAction.LOGIN, AuditAction.TOKEN_ISSUED]
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in_for_token(session, username=keeper.username, password="wrong!",
                                   address="10.2.2.2", policy=POLICY, token_name="x", days=1)
    assert count(session, ApiToken) == 1
    assert actions(session)[-1] == AuditAction.LOGIN_FAILED
