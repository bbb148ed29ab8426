"""Role rules: every route declares who may call it, and requests are checked against it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app, g, redirect, request, url_for
from flask_login import current_user

from warehouse.domain.accounts import ALL_ROLES, Role
from warehouse.domain.errors import AuthenticationFailed, Forbidden

RULE_ATTRIBUTE = "_access_rule"
# Who handles stock (receive, move, issue, count) and who corrects it (adjust, dispose, approve).
STOCK_HANDLERS = (Role.LOGISTICS, Role.SUPPLY_OFFICER, Role.ADMIN)
STOCK_MANAGERS = (Role.SUPPLY_OFFICER, Role.ADMIN)
# Who opens deployments and scans boxes out and in: logistics staff mostly, officers and
# commanders too (only they may send out a box that is not ready).
DEPLOYERS = (Role.LOGISTICS, Role.SUPPLY_OFFICER, Role.COMMANDER, Role.ADMIN)
# Who keeps partners, agreements and stockpile lists (supply officers; commanders read them).
PARTNER_KEEPERS = STOCK_MANAGERS
# Who calls partners in under an agreement during an incident.
ACTIVATORS = (Role.SUPPLY_OFFICER, Role.COMMANDER, Role.ADMIN)


@dataclass(frozen=True)
class AccessRule:
    """Who may call a route: anyone (public) or signed-in users with one of the roles."""

    roles: frozenset[Role]
    public: bool = False

    def admits(self, role: Role | None) -> bool:
        """Tell whether a caller with this role (None: anonymous) may call the route."""
        return self.public or (role is not None and role in self.roles)


PUBLIC = AccessRule(frozenset(), public=True)


def _declare(rule: AccessRule) -> Callable:
    def decorate(view: Callable) -> Callable:
        setattr(view, RULE_ATTRIBUTE, rule)
        return view

    return decorate


def allow(*roles: Role) -> Callable:
    """Admit signed-in users with one of these roles."""
    if not roles:
        raise ValueError("allow() needs at least one role")
    return _declare(AccessRule(frozenset(roles)))


def signed_in(view: Callable) -> Callable:
    """Admit every signed-in user, whatever the role."""
    return _declare(AccessRule(ALL_ROLES))(view)


def public(view: Callable) -> Callable:
    """Admit anyone, signed in or not (login, health, static)."""
    return _declare(PUBLIC)(view)


# Routes registered by extensions, which cannot carry a decorator of ours.
EXTERNAL_RULES: dict[str, AccessRule] = {
    "static": PUBLIC,
    "api-docs.openapi_json": AccessRule(ALL_ROLES),
}


def rule_for(app: Flask, endpoint: str, method: str) -> AccessRule | None:
    """Return the rule declared for an endpoint and HTTP method, or None if it has none."""
    if endpoint in EXTERNAL_RULES:
        return EXTERNAL_RULES[endpoint]
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return getattr(handler, RULE_ATTRIBUTE, None) if handler else None
    return getattr(view, RULE_ATTRIBUTE, None)


def is_api_request() -> bool:
    """Tell whether the current request is for the JSON API."""
    return request.path.startswith("/api/")


def enforce_access_rules() -> object | None:
    """Refuse the request unless the route's rule admits the caller (fail closed)."""
    if request.endpoint is None:
        return None  # no route matched: Flask answers 404/405 itself
    if request.method == "OPTIONS" and request.url_rule.provide_automatic_options:
        return None  # Flask's automatic answer lists the allowed methods and nothing else
    rule = rule_for(current_app, request.endpoint, request.method)
    if rule is None:
        current_app.logger.error("route %s has no access rule; refusing", request.endpoint)
        raise Forbidden("this route declares no access rule")
    if rule.public:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            raise AuthenticationFailed(g.get("auth_error") or "sign in or send a bearer token")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not rule.admits(current_user.role):
        raise Forbidden("your role may not do this")
    return None


def roles_admitted(endpoint: str, method: str = "GET") -> Iterable[Role]:
    """Return the roles that may call an endpoint (for navigation menus)."""
    rule = rule_for(current_app, endpoint, method)
    if rule is None:
        return ()
    return ALL_ROLES if rule.public else rule.roles


def can(endpoint: str, method: str = "GET") -> bool:
    """Tell whether the current user may call an endpoint (templates hide what they cannot)."""
    if not current_user.is_authenticated:
        return False
    return current_user.role in roles_admitted(endpoint, method)


def current_caller():
    """Return the signed-in user and client address, as services take them."""
    from warehouse.services.accounts import Caller

    user = current_user._get_current_object() if current_user.is_authenticated else None
    return Caller(user=user, address=request.remote_addr)
