"""The role matrix: every route x method x role, anonymous included.

Each feature adds its routes to MATRIX; a route missing here, or declared differently in the
code, fails the first test, so no route ships without a deliberate rule.
"""

import pytest

from tests.builders import issue_token
from warehouse.access import rule_for
from warehouse.domain.accounts import Role

PUBLIC = "public"
ALL = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
HANDLERS = frozenset({Role.LOGISTICS, Role.SUPPLY_OFFICER, Role.ADMIN})
MANAGERS = frozenset({Role.SUPPLY_OFFICER, Role.ADMIN})

MATRIX = {
    ("static", "GET"): PUBLIC,
    ("health.healthz", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("api_auth.TokenLogin", "POST"): PUBLIC,
    ("auth.logout", "POST"): ALL,
    ("auth.language", "POST"): ALL,
    ("home.index", "GET"): ALL,
    ("catalogue.category_list", "GET"): ALL,
    ("catalogue.items", "GET"): ALL,
    ("catalogue.item", "GET"): ALL,
    ("catalogue.new_item", "GET"): MANAGERS,
    ("catalogue.new_item", "POST"): MANAGERS,
    ("catalogue.edit_item", "GET"): MANAGERS,
    ("catalogue.edit_item", "POST"): MANAGERS,
    ("kit_editor.new_module", "GET"): MANAGERS,
    ("kit_editor.new_module", "POST"): MANAGERS,
    ("kit_editor.edit_module", "GET"): MANAGERS,
    ("kit_editor.edit_module", "POST"): MANAGERS,
    ("kit_editor.new_template", "GET"): MANAGERS,
    ("kit_editor.new_template", "POST"): MANAGERS,
    ("kit_editor.edit_template", "GET"): MANAGERS,
    ("kit_editor.edit_template", "POST"): MANAGERS,
    ("locations.index", "GET"): ALL,
    ("locations.show", "GET"): ALL,
    ("locations.scan", "GET"): ALL,
    ("locations.floor_plan", "GET"): ALL,
    ("locations.new", "GET"): MANAGERS,
    ("locations.new", "POST"): MANAGERS,
    ("locations.edit", "GET"): MANAGERS,
    ("locations.edit", "POST"): MANAGERS,
    ("account.show", "GET"): ALL,
    ("account.change_password", "POST"): ALL,
    ("account.issue_token", "POST"): ALL,
    ("account.revoke_token", "POST"): ALL,
    ("admin.users", "GET"): ADMIN,
    ("admin.new_user", "GET"): ADMIN,
    ("admin.new_user", "POST"): ADMIN,
    ("admin.user", "GET"): ADMIN,
    ("admin.user", "POST"): ADMIN,
    ("admin.reset_password", "POST"): ADMIN,
    ("admin.issue_token", "POST"): ADMIN,
    ("admin.revoke_token", "POST"): ADMIN,
    ("admin.audit", "GET"): ADMIN,
    ("apidocs.docs", "GET"): ALL,
    ("api-docs.openapi_json", "GET"): ALL,
    ("api_users.Users", "GET"): ADMIN,
    ("api_users.Users", "POST"): ADMIN,
    ("api_users.UserById", "GET"): ADMIN,
    ("api_users.UserById", "PATCH"): ADMIN,
    ("api_users.UserPassword", "POST"): ADMIN,
    ("api_users.Me", "GET"): ALL,
    ("api_users.MyPassword", "POST"): ALL,
    ("api_tokens.Tokens", "GET"): ALL,
    ("api_tokens.Tokens", "POST"): ALL,
    ("api_tokens.TokenById", "DELETE"): ALL,
    ("api_categories.Categories", "GET"): ALL,
    ("api_audit.AuditEvents", "GET"): ADMIN,
    ("api_items.Items", "GET"): ALL,
    ("api_items.Items", "POST"): MANAGERS,
    ("api_items.ItemById", "GET"): ALL,
    ("api_items.ItemById", "PATCH"): MANAGERS,
    ("api_items.ItemFefo", "GET"): ALL,
    ("api_locations.Locations", "GET"): ALL,
    ("api_locations.Locations", "POST"): MANAGERS,
    ("api_locations.LocationById", "GET"): ALL,
    ("api_locations.LocationById", "PATCH"): MANAGERS,
    ("api_stock.Stock", "GET"): ALL,
    ("api_movements.Movements", "GET"): ALL,
    ("api_receipts.Receipts", "POST"): HANDLERS,
    ("api_moves.Moves", "POST"): HANDLERS,
    ("api_issues.Issues", "POST"): HANDLERS,
    ("api_adjustments.Adjustments", "POST"): MANAGERS,
    ("api_disposals.Disposals", "POST"): MANAGERS,
    ("api_stocktakes.Stocktakes", "GET"): ALL,
    ("api_stocktakes.Stocktakes", "POST"): HANDLERS,
    ("api_stocktakes.StocktakeById", "GET"): ALL,
    ("api_stocktakes.StocktakeCounts", "POST"): HANDLERS,
    ("api_stocktakes.StocktakeSubmit", "POST"): HANDLERS,
    ("api_stocktakes.StocktakeApprove", "POST"): MANAGERS,
    ("api_stocktakes.StocktakeCancel", "POST"): MANAGERS,
    ("api_reports.BelowMinimum", "GET"): ALL,
    ("api_reports.StockByCategory", "GET"): ALL,
    ("api_reports.StockByZone", "GET"): ALL,
    ("api_modules.Modules", "GET"): ALL,
    ("api_modules.Modules", "POST"): MANAGERS,
    ("api_modules.ModuleByCode", "GET"): ALL,
    ("api_kit_templates.KitTemplates", "GET"): ALL,
    ("api_kit_templates.KitTemplates", "POST"): MANAGERS,
    ("api_kit_templates.KitTemplateByCode", "GET"): ALL,
    ("api_kit_templates.KitTemplateByCode", "PATCH"): MANAGERS,
    ("api_kits.Kits", "GET"): ALL,
    ("api_kits.Kits", "POST"): HANDLERS,
    ("api_kits.KitByCode", "GET"): ALL,
    ("api_kits.KitRestock", "GET"): ALL,
    ("api_kits.KitRestock", "POST"): HANDLERS,
    ("api_kits.KitInspections", "POST"): HANDLERS,
    ("api_kits.KitStatusChange", "POST"): HANDLERS,
    ("api_kits.KitMove", "POST"): HANDLERS,
    ("stock.index", "GET"): ALL,
    ("stock.receive", "GET"): HANDLERS,
    ("stock.receive", "POST"): HANDLERS,
    ("stock.move", "GET"): HANDLERS,
    ("stock.move", "POST"): HANDLERS,
    ("stock.issue", "GET"): HANDLERS,
    ("stock.issue", "POST"): HANDLERS,
    ("stock.adjust", "GET"): MANAGERS,
    ("stock.adjust", "POST"): MANAGERS,
    ("stock.dispose", "GET"): MANAGERS,
    ("stock.dispose", "POST"): MANAGERS,
    ("stock.movements", "GET"): ALL,
    ("stocktake.index", "GET"): ALL,
    ("stocktake.new", "POST"): HANDLERS,
    ("stocktake.show", "GET"): ALL,
    ("stocktake.count", "POST"): HANDLERS,
    ("stocktake.submit", "POST"): HANDLERS,
    ("stocktake.approve", "POST"): MANAGERS,
    ("stocktake.cancel", "POST"): MANAGERS,
    ("reports.index", "GET"): ALL,
    ("reports.expiring", "GET"): ALL,
    ("reports.below_minimum", "GET"): ALL,
    ("kits.overview", "GET"): ALL,
    ("kits.module", "GET"): ALL,
    ("kits.boxes", "GET"): ALL,
    ("kits.box", "GET"): ALL,
    ("kits.inspect", "POST"): HANDLERS,
    ("kits.change_status", "POST"): HANDLERS,
    ("kits.relocate", "POST"): HANDLERS,
    ("kits.restock", "GET"): ALL,
    ("kits.confirm_restock", "POST"): HANDLERS,
    ("kits.templates", "GET"): ALL,
    ("kits.template", "GET"): ALL,
    ("kits.new_box", "POST"): HANDLERS,
    # Labels (issue 5): supply officers print; any signed-in user follows a scanned label.
    ("printing.index", "GET"): MANAGERS,
    ("printing.pdf", "GET"): MANAGERS,
    ("printing.preview", "GET"): MANAGERS,
    ("printing.calibrate", "POST"): MANAGERS,
    ("scans.kit", "GET"): ALL,
    ("scans.location", "GET"): ALL,
    ("scans.item", "GET"): ALL,
    ("scans.lot", "GET"): ALL,
    ("scans.lookup", "GET"): ALL,
    ("api_labels.Formats", "GET"): ALL,
    ("api_labels.Calibration", "PUT"): MANAGERS,
    ("api_labels.Print", "POST"): MANAGERS,
    # Squads (issue 6): api. Everyone signed in reads; supply officers edit; admins set thresholds.
    ("api_squads.Squads", "GET"): ALL,
    ("api_squads.Squads", "POST"): MANAGERS,
    ("api_squads.SquadByCode", "GET"): ALL,
    ("api_squads.SquadByCode", "PATCH"): MANAGERS,
    ("api_squads.SquadByCode", "DELETE"): MANAGERS,
    ("api_squads.SquadPersonnel", "GET"): ALL,
    ("api_personnel.Personnel", "GET"): ALL,
    ("api_personnel.Personnel", "POST"): MANAGERS,
    ("api_personnel.PersonByBadge", "GET"): ALL,
    ("api_personnel.PersonByBadge", "PATCH"): MANAGERS,
    ("api_personnel.PersonByBadge", "DELETE"): MANAGERS,
    ("api_personnel.PersonQualification", "PUT"): MANAGERS,
    ("api_personnel.PersonQualification", "DELETE"): MANAGERS,
    ("api_compliance.Staffing", "GET"): ALL,
    ("api_compliance.StaffingTargetByCode", "PUT"): ADMIN,
    ("api_qualification_kinds.QualificationKinds", "GET"): ALL,
    ("api_qualification_kinds.QualificationKinds", "POST"): MANAGERS,
    # Squads (issue 6): pages
    ("squads.index", "GET"): ALL,
    ("squads.squad", "GET"): ALL,
    ("squads.new_squad", "GET"): MANAGERS,
    ("squads.new_squad", "POST"): MANAGERS,
    ("squads.edit_squad", "GET"): MANAGERS,
    ("squads.edit_squad", "POST"): MANAGERS,
    ("squads.delete_squad", "POST"): MANAGERS,
    ("squads.personnel", "GET"): ALL,
    ("squads.person", "GET"): ALL,
    ("squads.new_person", "GET"): MANAGERS,
    ("squads.new_person", "POST"): MANAGERS,
    ("squads.edit_person", "GET"): MANAGERS,
    ("squads.edit_person", "POST"): MANAGERS,
    ("squads.set_qualification", "POST"): MANAGERS,
    ("squads.remove_qualification", "POST"): MANAGERS,
    ("squads.qualification_kinds", "GET"): ALL,
    ("squads.qualification_kinds", "POST"): MANAGERS,
    ("squads.compliance", "GET"): ALL,
    ("squads.set_target", "POST"): ADMIN,
    ("squads.delete_person", "POST"): MANAGERS,
    # Squads (issue 6): paper
    ("rosters.force_roster", "GET"): ALL,
    ("rosters.squad_roster", "GET"): ALL,
    ("scans.person", "GET"): ALL,
    # Deployments (issue 7): the scan station API (core)
    ("api_scans.Scans", "POST"): ALL,
    ("api_scans.Scans", "GET"): ALL,
    ("api_scans.UndoScan", "POST"): ALL,
    # Deployments (issue 7): station
    ("station.index", "GET"): ALL,
    # Deployments (issue 7): pages. Every role opens, edits and closes (all four deploy);
    # only stock handlers issue and take back loose items.
    ("deployments.index", "GET"): ALL,
    ("deployments.show", "GET"): ALL,
    ("deployments.new", "GET"): ALL,
    ("deployments.new", "POST"): ALL,
    ("deployments.edit", "GET"): ALL,
    ("deployments.edit", "POST"): ALL,
    ("deployments.close", "POST"): ALL,
    ("deployments.issue", "POST"): HANDLERS,
    ("deployments.return_items", "POST"): HANDLERS,
    # Deployments (issue 7): api. Everyone signed in reads; deployers open, change and close;
    # stock handlers issue and take back loose items.
    ("api_deployments.Deployments", "GET"): ALL,
    ("api_deployments.Deployments", "POST"): ALL,
    ("api_deployments.OverdueDeployments", "GET"): ALL,
    ("api_deployments.DeploymentById", "GET"): ALL,
    ("api_deployments.DeploymentById", "PATCH"): ALL,
    ("api_deployments.CloseDeployment", "POST"): ALL,
    ("api_deployments.DeploymentIssues", "POST"): HANDLERS,
    ("api_deployments.DeploymentReturns", "POST"): HANDLERS,
    # Partners (issue 8): partner pages and the reachable reserve. Everyone signed in reads;
    # supply officers keep partners, contacts, call logs and stockpile lists.
    ("partners.index", "GET"): ALL,
    ("partners.new", "GET"): MANAGERS,
    ("partners.new", "POST"): MANAGERS,
    ("partners.show", "GET"): ALL,
    ("partners.edit", "GET"): MANAGERS,
    ("partners.edit", "POST"): MANAGERS,
    ("partners.delete", "POST"): MANAGERS,
    ("partners.add_contact", "POST"): MANAGERS,
    ("partners.edit_contact", "GET"): MANAGERS,
    ("partners.edit_contact", "POST"): MANAGERS,
    ("partners.remove_contact", "POST"): MANAGERS,
    ("partners.check_contact", "POST"): MANAGERS,
    ("partners.add_stockpile_line", "POST"): MANAGERS,
    ("partners.edit_stockpile_line", "GET"): MANAGERS,
    ("partners.edit_stockpile_line", "POST"): MANAGERS,
    ("partners.remove_stockpile_line", "POST"): MANAGERS,
    ("reserve.reachable", "GET"): ALL,
    # Partners (issue 8): agreement pages. Everyone signed in reads and downloads; supply officers
    # keep agreements, commitments and PDFs; activators call agreements in; arrivals are recorded
    # by activators (on scene) and stock handlers (into the depot: a receipt, refused to others).
    ("agreements.index", "GET"): ALL,
    ("agreements.new", "GET"): MANAGERS,
    ("agreements.new", "POST"): MANAGERS,
    ("agreements.show", "GET"): ALL,
    ("agreements.edit", "GET"): MANAGERS,
    ("agreements.edit", "POST"): MANAGERS,
    ("agreements.delete", "POST"): MANAGERS,
    ("agreements.add_commitment", "POST"): MANAGERS,
    ("agreements.remove_commitment", "POST"): MANAGERS,
    ("agreements.upload_document", "POST"): MANAGERS,
    ("agreements.document", "GET"): ALL,
    ("agreements.remove_document", "POST"): MANAGERS,
    ("agreements.activate", "GET"): frozenset({Role.SUPPLY_OFFICER, Role.COMMANDER, Role.ADMIN}),
    ("agreements.activate", "POST"): frozenset({Role.SUPPLY_OFFICER, Role.COMMANDER, Role.ADMIN}),
    ("agreements.activation", "GET"): ALL,
    ("agreements.record_arrival", "POST"): ALL,
    # Partners (issue 8): api. Everyone signed in reads; partner keepers (supply officers) edit;
    # activators call agreements in; arrivals are checked per request (into the depot: stock
    # handlers; on scene: activators), so the route admits both.
    ("api_partners.Partners", "GET"): ALL,
    ("api_partners.Partners", "POST"): MANAGERS,
    ("api_partners.PartnerById", "GET"): ALL,
    ("api_partners.PartnerById", "PATCH"): MANAGERS,
    ("api_partners.PartnerById", "DELETE"): MANAGERS,
    ("api_partners.PartnerContacts", "POST"): MANAGERS,
    ("api_partners.ContactById", "PATCH"): MANAGERS,
    ("api_partners.ContactById", "DELETE"): MANAGERS,
    ("api_partners.ContactChecks", "POST"): MANAGERS,
    ("api_partners.PartnerStockpile", "GET"): ALL,
    ("api_partners.PartnerStockpile", "POST"): MANAGERS,
    ("api_partners.StockpileLineById", "PATCH"): MANAGERS,
    ("api_partners.StockpileLineById", "DELETE"): MANAGERS,
    ("api_partners.PartnerAlerts", "GET"): ALL,
    ("api_partners.Districts", "GET"): ALL,
    ("api_agreements.Agreements", "GET"): ALL,
    ("api_agreements.Agreements", "POST"): MANAGERS,
    ("api_agreements.AgreementById", "GET"): ALL,
    ("api_agreements.AgreementById", "PATCH"): MANAGERS,
    ("api_agreements.AgreementById", "DELETE"): MANAGERS,
    ("api_agreements.AgreementCommitments", "POST"): MANAGERS,
    ("api_agreements.CommitmentById", "DELETE"): MANAGERS,
    ("api_agreements.AgreementDocument", "GET"): ALL,
    ("api_agreements.AgreementDocument", "PUT"): MANAGERS,
    ("api_agreements.AgreementDocument", "DELETE"): MANAGERS,
    ("api_agreements.AgreementActivations", "GET"): ALL,
    ("api_agreements.AgreementActivations", "POST"): frozenset(
        {Role.SUPPLY_OFFICER, Role.COMMANDER, Role.ADMIN}),
    ("api_agreements.ActivationById", "GET"): ALL,
    ("api_agreements.LineArrivals", "POST"): ALL,
    ("api_reserve.Reachable", "GET"): ALL,
    # Readiness (issue 9): report
    ("readiness_report.pdf", "GET"): ALL,
    # Readiness (issue 9): api. Everyone signed in reads; only admins change the plan's targets
    # and the colour thresholds.
    ("api_readiness.Readiness", "GET"): ALL,
    ("api_readiness.PlanTargets", "GET"): ALL,
    ("api_readiness.PlanTargetByMeasure", "PATCH"): ADMIN,
    ("api_readiness.Thresholds", "GET"): ALL,
    ("api_readiness.Thresholds", "PATCH"): ADMIN,
    ("api_readiness.History", "GET"): ALL,
    # Readiness (issue 9): dashboard
    ("readiness.dashboard", "GET"): ALL,
    # Readiness (issue 9): modules
    ("readiness_modules.module", "GET"): ALL,
    ("readiness_modules.csv", "GET"): ALL,
    ("readiness_modules.targets", "GET"): ALL,
    ("readiness_modules.edit_target", "POST"): ADMIN,
    ("readiness_modules.edit_thresholds", "POST"): ADMIN,
}
# Only these may be reached without signing in (the issue's rule: login, health, static).
ALLOWED_PUBLIC = {"static", "health.healthz", "auth.login", "api_auth.TokenLogin"}
ROLES = [None, *Role]  # None: anonymous


def routes(app):
    """Yield (rule, method) for every route the app serves."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_declares_the_rule_in_the_matrix(app):
    declared = {}
    for rule, method in routes(app):
        access = rule_for(app, rule.endpoint, method)
        assert access is not None, f"{method} {rule.rule} ({rule.endpoint}) declares no access rule"
        declared[(rule.endpoint, method)] = PUBLIC if access.public else access.roles
    assert declared == MATRIX
    assert {endpoint for (endpoint, _), rule in declared.items() if rule == PUBLIC} == ALLOWED_PUBLIC


def _url(app, rule, method):
    values = {}
    for name in rule.arguments:
        values[name] = "css/warehouse.css" if name == "filename" else 999_999
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=method)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_every_route_answers_each_role_as_the_matrix_says(app, users, role):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has tests of its own; here only roles count
    token = issue_token(app, users[role]) if role else None
    for rule, method in routes(app):
        expected = MATRIX[(rule.endpoint, method)]
        url = _url(app, rule, method)
        client = app.test_client()
        headers = {}
        if role and url.startswith("/api/"):
            headers["Authorization"] = f"Bearer {token}"
        elif role:
            client.sign_in(users[role])
        response = client.open(url, method=method, headers=headers)
        where = f"{method} {url} as {role or 'anonymous'}: {response.status_code}"
        admitted = expected == PUBLIC or (role is not None and role in expected)
        if admitted:
            assert response.status_code not in (401, 403), where
            redirected_to_login = "/login" in response.headers.get("Location", "")
            assert not redirected_to_login or rule.endpoint.startswith("auth."), where
        elif role is None and url.startswith("/api/"):
            assert response.status_code == 401, where
            assert response.json["error"]["code"] == "unauthenticated", where
        elif role is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], where
        else:
            assert response.status_code == 403, where
