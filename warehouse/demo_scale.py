"""Scale data: `flask demo load --scale N` grows the demo into N cities' reserves, for benchmarks.

A city here is what the plan's depot holds after years of use: about 300 catalogue items,
500 boxes of about 20 content rows (10,000 stock rows), 100,000 ledger movements over five
years, 200 deployments, 50 support people and 25 partners with two agreement terms each.
City 1 is the demo's depot, topped up to that size; cities 2..N copy the demo's catalogue,
depot, squads and partners under new codes, then get the same generated boxes and history.
The seven modules stay seven (they are disaster types): more cities mean more boxes per module.

Everything is written with SQLAlchemy Core bulk inserts with ids assigned here, in one
transaction; the movements are built so that every balance equals its ledger (`flask ledger
check` passes): each stock row arrives by its own receipt and put-away, and every other movement
comes in pairs or triples that return what they took. A fixed seed makes every build the same.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from warehouse.database import write_transaction
from warehouse.domain.deployments import DeploymentKind
from warehouse.domain.kits import BoxType, KitStatus
from warehouse.domain.partners import AgreementStatus
from warehouse.domain.stock import LocationKind, Purpose, Reason, Tracking
from warehouse.models import Base
from warehouse.services import box_states
from warehouse.timezone import today

SEED = 20261129
YEARS = 5
TEMPLATES_PER_CITY = 10
LINES_PER_TEMPLATE = 20
BOXES_PER_CITY = 500
MOVEMENTS_PER_CITY = 100_000
DEPLOYMENTS_PER_CITY = 200
SHORT_SHARE = 0.08  # boxes with one line below par
SPLIT_SHARE = 0.3  # lot-tracked lines packed from two lots
INSERT_CHUNK = 20_000


def tables() -> dict[str, Table]:
    """Return the mapped tables by name."""
    return Base.metadata.tables


@dataclass
class City:
    """One city's share of the province: its items, places, people and partners."""

    number: int
    items: list[dict] = field(default_factory=list)
    lots: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))
    bins: list[int] = field(default_factory=list)
    kit_zone: dict | None = None
    depot_id: int = 0
    squads: list[int] = field(default_factory=list)
    agreements: list[dict] = field(default_factory=list)
    boxes: list[dict] = field(default_factory=list)  # {id, location_id, rows: [content rows]}
    movements: list[dict] = field(default_factory=list)


class Generator:
    """Write N cities' worth of rows into a database that holds the demo."""

    def __init__(self, session: Session, cities: int, seed: int = SEED) -> None:
        self.session = session
        self.cities = cities
        self.rng = random.Random(seed)
        self.t = tables()
        self.ids = {name: (session.scalar(select(func.max(table.c.id))) or 0)
                    for name, table in self.t.items() if "id" in table.c}
        self.demo_ids = dict(self.ids)
        self.today = today()
        self.now = datetime.combine(self.today, time(2), tzinfo=UTC)
        self.start = self.now - timedelta(days=365 * YEARS)
        self.keeper = session.execute(
            text("SELECT id, username FROM users WHERE username = 'keeper'")).first()
        self.modules = [row.id for row in session.execute(
            text("SELECT id FROM modules WHERE active ORDER BY position, id"))]
        self.categories = {row.id: row.name_zh for row in session.execute(
            text("SELECT id, name_zh FROM categories"))}
        self.added: dict[str, int] = defaultdict(int)

    # -- plumbing -------------------------------------------------------------------------------

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def insert(self, table: str, rows: list[dict]) -> None:
        """Insert rows in chunks with executemany (ids given, so nothing is read back)."""
        for start in range(0, len(rows), INSERT_CHUNK):
            self.session.execute(insert(self.t[table]), rows[start:start + INSERT_CHUNK])
        self.added[table] += len(rows)

    def rows(self, table: str, *where) -> list[dict]:
        """Read the demo's rows of a table (not the generated ones) as typed values, oldest first."""
        found = (select(self.t[table]).where(self.t[table].c.id <= self.demo_ids[table], *where)
                 .order_by(self.t[table].c.id))
        return [dict(row) for row in self.session.execute(found).mappings()]

    def copy(self, table: str, rows: Iterable[dict], change: Callable[[dict, dict], None]) -> dict[int, int]:
        """Insert copies of rows under new ids, each adjusted by change(new, old); return old id -> new id."""
        mapping, out = {}, []
        for old in rows:
            new = dict(old)
            new["id"] = mapping[old["id"]] = self.next_id(table)
            change(new, old)
            out.append(new)
        self.insert(table, out)
        self.copied = out
        return mapping

    def moment(self, after: datetime | None = None, within_days: int | None = None) -> datetime:
        """A working-hours instant between `after` (or five years ago) and now."""
        low = after or self.start
        span = (self.now - low).total_seconds() if within_days is None else within_days * 86_400
        at = low + timedelta(seconds=self.rng.uniform(60, max(120, span)))
        return min(at, self.now)

    def movement(self, city: City, at, item, lot_id, quantity, reason, source=None, target=None,
                 purpose=None, reference="") -> None:
        city.movements.append({
            "at": at, "actor_id": self.keeper.id, "actor_name": self.keeper.username, "item_id": item,
            "lot_id": lot_id, "quantity": quantity, "from_location_id": source, "to_location_id": target,
            "reason": reason, "purpose": purpose, "reference": reference, "note": ""})

    # -- the cities -----------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        """Build every city and return the rows added per table."""
        places = self.t["locations"].c
        demo_items, demo_lots = self.rows("items"), self.rows("lots")
        demo_places = self.rows("locations", places.kind.not_in([LocationKind.KIT, LocationKind.DEPLOYED]))
        for number in range(1, self.cities + 1):
            city = City(number)
            if number == 1:
                self.adopt_demo(city, demo_items, demo_lots, demo_places)
            else:
                self.copy_demo(city, demo_items, demo_lots, demo_places)
            self.build_boxes(city)
            self.build_deployments(city)
            self.churn(city)
            self.previous_terms(city)
            self.write_movements(city)
        self.fix_sequences()
        # The boxes' stored states, as the daily snapshot would store them.
        self.added["box_states"] = box_states.refresh(self.session, self.today)
        return dict(self.added)

    def adopt_demo(self, city: City, items, lots, places) -> None:
        """City 1 is the demo's own depot, catalogue, squads and partners."""
        city.items = items
        for lot in lots:
            city.lots[lot["item_id"]].append(lot)
        self._places(city, places)
        city.squads = [row["id"] for row in self.rows("squads")]
        city.agreements = self.rows("agreements")

    def _places(self, city: City, places: list[dict]) -> None:
        city.bins = [p["id"] for p in places if p["kind"] == LocationKind.BIN]
        city.depot_id = next(p["id"] for p in places if p["kind"] == LocationKind.DEPOT)
        city.kit_zone = next(p for p in places if p["kind"] == LocationKind.ZONE and p["code"].endswith("-K"))

    def copy_demo(self, city: City, items, lots, places) -> None:
        """Copy the demo's catalogue, depot tree, shelf stock, squads and partners as city n."""
        n = city.number
        suffix = f"-{n:02d}"
        item_map = self.copy("items", items, lambda new, old: new.update(
            sku=old["sku"] + suffix, name_zh=f"{old['name_zh']}（{n:02d}）",
            name_en=f"{old['name_en']} ({n:02d})"))
        city.items = [dict(item, id=item_map[item["id"]], sku=item["sku"] + suffix) for item in items]
        lot_map = self.copy("lots", lots, lambda new, old: new.update(item_id=item_map[old["item_id"]]))
        for lot in lots:
            city.lots[item_map[lot["item_id"]]].append(dict(lot, id=lot_map[lot["id"]],
                                                             item_id=item_map[lot["item_id"]]))
        place_map: dict[int, int] = {}
        prefix = places[0]["code"].split("-")[0]

        def place(new, old):
            new["code"] = f"C{n:02d}" + old["code"][len(prefix):]
            new["parent_id"] = place_map.get(old["parent_id"])
            new["path"] = "/" + "/".join(str(place_map[int(part)] if int(part) != old["id"] else new["id"])
                                         for part in old["path"].strip("/").split("/")) + "/"
            if old["kind"] == LocationKind.DEPOT:
                new["name"] = f"{old['name']}（{n:02d}）"
            place_map[old["id"]] = new["id"]

        self.copy("locations", places, place)
        self._places(city, self.copied)
        # Shelf stock as in the demo, each row received once some time in the five years.
        shelf = [row for row in self.rows("stock_balances", self.t["stock_balances"].c.quantity > 0)
                 if row["location_id"] in place_map]
        balances = []
        for row in shelf:
            new = dict(row, id=self.next_id("stock_balances"), item_id=item_map[row["item_id"]],
                       lot_id=lot_map.get(row["lot_id"]), location_id=place_map[row["location_id"]])
            balances.append(new)
            self.movement(city, self.moment(), new["item_id"], new["lot_id"], new["quantity"], Reason.RECEIVE,
                          target=new["location_id"], reference=f"CG-{n:02d}-{new['id']}")
        self.insert("stock_balances", balances)
        self.copy_people(city, suffix)
        self.copy_partners(city, suffix, item_map)

    def copy_people(self, city: City, suffix: str) -> None:
        """Copy the demo's squads, their modules, people and qualifications."""
        squads = self.rows("squads")
        squad_map = self.copy("squads", squads, lambda new, old: new.update(
            code=old["code"] + suffix, name_zh=old["name_zh"] + suffix, name_en=old["name_en"] + suffix))
        city.squads = list(squad_map.values())
        self.copy("squad_modules", self.rows("squad_modules"),
                  lambda new, old: new.update(squad_id=squad_map[old["squad_id"]]))
        people = self.rows("personnel")
        person_map = self.copy("personnel", people, lambda new, old: new.update(
            badge_code=old["badge_code"] + suffix, squad_id=squad_map.get(old["squad_id"])))
        self.copy("qualifications", self.rows("qualifications"),
                  lambda new, old: new.update(person_id=person_map[old["person_id"]],
                                              certificate_no=(old["certificate_no"] + suffix)[:40]))

    def copy_partners(self, city: City, suffix: str, item_map: dict[int, int]) -> None:
        """Copy the demo's partners with their agreements, commitments and stockpiles."""
        partners = self.rows("partners")
        partner_map = self.copy("partners", partners, lambda new, old: new.update(
            name=f"{old['name']}{suffix}", name_en=f"{old['name_en']}{suffix}"))
        agreements = self.rows("agreements")
        agreement_map = self.copy("agreements", agreements, lambda new, old: new.update(
            number=old["number"] + suffix, partner_id=partner_map[old["partner_id"]]))
        city.agreements = [dict(a, id=agreement_map[a["id"]], number=a["number"] + suffix,
                                partner_id=partner_map[a["partner_id"]]) for a in agreements]
        self.copy("commitments", self.rows("commitments"),
                  lambda new, old: new.update(agreement_id=agreement_map[old["agreement_id"]],
                                              item_id=item_map.get(old["item_id"])))
        self.copy("stockpile_lines", self.rows("stockpile_lines"),
                  lambda new, old: new.update(partner_id=partner_map[old["partner_id"]],
                                              item_id=item_map[old["item_id"]]))

    def previous_terms(self, city: City) -> None:
        """Give every agreement the term before it, now expired (a reserve renews yearly)."""
        rows = []
        for agreement in city.agreements:
            starts = agreement["valid_from"]
            rows.append(dict(agreement, id=self.next_id("agreements"), number=agreement["number"] + "-P",
                             valid_from=starts - timedelta(days=3 * 365), valid_to=starts - timedelta(days=1),
                             signed_on=starts - timedelta(days=3 * 365 + 10), status=AgreementStatus.EXPIRED))
        self.insert("agreements", rows)

    # -- boxes ----------------------------------------------------------------------------------

    def _lot(self, city: City, item: dict) -> dict:
        """A lot of the item received for boxes, in date for years (made on first use)."""
        made = [lot for lot in city.lots[item["id"]] if lot["code"].startswith("G")]
        if len(made) >= 2:
            return self.rng.choice(made)
        received = (self.now - timedelta(days=self.rng.randrange(30, 700))).date()
        shelf_life = item["shelf_life_days"]
        expires = self.today + timedelta(days=self.rng.randrange(800, 3000)) if shelf_life else None
        lot = {"id": self.next_id("lots"), "item_id": item["id"],
               "code": f"G{city.number:02d}-{len(made) + 1}", "expires_on": expires,
               "received_on": received, "next_inspection_on": None, "supplier_ref": "",
               "created_at": self.now}
        city.lots[item["id"]].append(lot)
        self.insert("lots", [lot])
        return lot

    def build_boxes(self, city: City) -> None:
        """Add templates of about 20 lines and build boxes from them, with their history."""
        n = city.number
        packable = [i for i in city.items if i["active"] and i["tracking"] != Tracking.SERIAL]
        existing = self.session.scalar(text("SELECT COUNT(*) FROM kits")) if n == 1 else 0
        per_template = max(1, (BOXES_PER_CITY - existing) // TEMPLATES_PER_CITY)
        zone = city.kit_zone
        for k in range(1, TEMPLATES_PER_CITY + 1):
            lines = self.rng.sample(packable, LINES_PER_TEMPLATE)
            template_id = self.next_id("kit_templates")
            category = lines[0]["category_id"]
            code = f"G{n:02d}-{k:02d}"
            self.insert("kit_templates", [{
                "id": template_id, "code": code, "name_zh": f"{self.categories[category]}综合箱 {code}",
                "name_en": f"Combined box {code}", "category_id": category,
                "box_type": self.rng.choice([BoxType.CASE, BoxType.PALLET_BOX]), "width_m": None,
                "depth_m": None, "weight_kg": None, "description": "", "active": True,
                "created_at": self.start}])
            specs = [(item, self.rng.randint(1, 8)) for item in lines]
            self.insert("kit_template_lines", [
                {"id": self.next_id("kit_template_lines"), "template_id": template_id, "item_id": item["id"],
                 "par_quantity": par, "min_shelf_days": 0, "optional": False, "position": p, "note": ""}
                for p, (item, par) in enumerate(specs)])
            module = self.modules[(k + n) % len(self.modules)]
            self.insert("module_requirements", [{
                "id": self.next_id("module_requirements"), "module_id": module, "template_id": template_id,
                "boxes_required": per_template}])
            for b in range(1, per_template + 1):
                self._box(city, f"K-{code}-{b:03d}", template_id, module, zone, specs)

    def _box(self, city: City, code: str, template_id: int, module: int, zone: dict, specs) -> None:
        built = self.moment(within_days=365 * YEARS - 30)
        short = self.rng.random() < SHORT_SHARE
        place = {"id": self.next_id("locations"), "code": code, "name": code, "kind": LocationKind.KIT,
                 "parent_id": zone["id"], "category_id": None, "area_m2": None, "plan_x_m": None,
                 "plan_y_m": None, "plan_width_m": None, "plan_depth_m": None, "footprint_m2": 0.5,
                 "active": True}
        place["path"] = f"{zone['path']}{place['id']}/"
        self.insert("locations", [place])
        self.insert("kits", [{"id": self.next_id("kits"), "code": code, "template_id": template_id,
                              "module_id": module, "location_id": place["id"], "home_location_id": zone["id"],
                              "status": KitStatus.SHORT if short else KitStatus.READY,
                              "status_changed_at": built, "note": "", "created_at": built}])
        short_line = self.rng.randrange(len(specs)) if short else -1
        rows = []
        for position, (item, par) in enumerate(specs):
            quantity = par - 1 if position == short_line else par
            if quantity == 0:
                continue
            if item["tracking"] == Tracking.BULK:
                rows.append((item["id"], None, quantity))
            elif quantity >= 2 and self.rng.random() < SPLIT_SHARE:
                first = self.rng.randint(1, quantity - 1)
                a, b = self._lot(city, item), self._lot(city, item)
                if a["id"] == b["id"]:
                    rows.append((item["id"], a["id"], quantity))
                else:
                    rows.extend([(item["id"], a["id"], first), (item["id"], b["id"], quantity - first)])
            else:
                rows.append((item["id"], self._lot(city, item)["id"], quantity))
        balances = []
        for item_id, lot_id, quantity in rows:
            balances.append({"id": self.next_id("stock_balances"), "item_id": item_id, "lot_id": lot_id,
                             "location_id": place["id"], "quantity": quantity, "updated_at": built})
            shelf = self.rng.choice(city.bins)
            received = built - timedelta(hours=self.rng.randrange(2, 240))
            self.movement(city, received, item_id, lot_id, quantity, Reason.RECEIVE, target=shelf,
                          reference=f"CG-{city.number:02d}-{len(city.movements)}")
            self.movement(city, built, item_id, lot_id, quantity, Reason.INTO_KIT, source=shelf,
                          target=place["id"], reference=code)
        self.insert("stock_balances", balances)
        city.boxes.append({"id": self.ids["kits"], "code": code, "location_id": place["id"],
                           "built": built, "rows": rows})

    # -- history --------------------------------------------------------------------------------

    def build_deployments(self, city: City) -> None:
        """Closed deployments over five years, each with boxes out and back and what they used."""
        n = city.number
        kinds = list(DeploymentKind)
        for d in range(1, DEPLOYMENTS_PER_CITY + 1):
            opened = self.moment(within_days=365 * YEARS - 3)
            closed = opened + timedelta(hours=self.rng.randrange(3, 60))
            code = f"CD-G{n:02d}-{d:04d}"
            place = {"id": self.next_id("locations"), "code": code, "name": code,
                     "kind": LocationKind.DEPLOYED, "parent_id": city.depot_id, "path": "",
                     "category_id": None, "area_m2": None, "plan_x_m": None, "plan_y_m": None,
                     "plan_width_m": None, "plan_depth_m": None,
                     "footprint_m2": None, "active": False}
            place["path"] = f"/{city.depot_id}/{place['id']}/"
            self.insert("locations", [place])
            deployment = self.next_id("deployments")
            self.insert("deployments", [{
                "id": deployment, "code": code, "name": f"演练与处置 {code}", "kind": self.rng.choice(kinds),
                "module_id": self.rng.choice(self.modules), "place": "", "commander": "", "note": "",
                "location_id": place["id"], "opened_at": opened, "expected_return_at": closed,
                "closed_at": closed, "opened_by_id": self.keeper.id, "opened_by_name": self.keeper.username,
                "closed_by_name": self.keeper.username}])
            self.insert("deployment_squads", [{"id": self.next_id("deployment_squads"),
                                               "deployment_id": deployment,
                                               "squad_id": self.rng.choice(city.squads)}])
            # Only boxes built before the deployment can have gone out with it.
            boxes = [box for box in self.rng.sample(city.boxes, 3) if box["built"] < opened]
            boxes = boxes[:self.rng.randint(1, 3)]
            checkouts = []
            for box in boxes:
                used = 0
                if box["rows"] and self.rng.random() < 0.7:
                    item_id, lot_id, quantity = self.rng.choice(box["rows"])
                    used = self.rng.randint(1, quantity)
                    self._consume_and_refill(city, box, item_id, lot_id, used, closed, code)
                checkouts.append({
                    "id": self.next_id("kit_checkouts"), "deployment_id": deployment, "kit_id": box["id"],
                    "from_status": KitStatus.READY, "out_at": opened + timedelta(minutes=10),
                    "out_by_id": self.keeper.id, "out_by_name": self.keeper.username, "override_reason": "",
                    "in_at": closed - timedelta(minutes=10), "in_by_id": self.keeper.id,
                    "in_by_name": self.keeper.username, "consumed": used, "damaged": 0, "lost": 0})
            self.insert("kit_checkouts", checkouts)

    def _consume_and_refill(self, city, box, item_id, lot_id, used, closed, reference) -> None:
        """Record what a box used on a deployment and its refill from a new receipt."""
        shelf = self.rng.choice(city.bins)
        self.movement(city, closed - timedelta(minutes=20), item_id, lot_id, used, Reason.CONSUME,
                      source=box["location_id"], reference=reference)
        self.movement(city, closed + timedelta(hours=2), item_id, lot_id, used, Reason.RECEIVE, target=shelf,
                      reference=f"BC-{reference}")
        self.movement(city, closed + timedelta(hours=3), item_id, lot_id, used, Reason.INTO_KIT, source=shelf,
                      target=box["location_id"], reference=box["code"])

    def churn(self, city: City) -> None:
        """Fill the city's ledger to its size: shelf receipts issued again and box inspections."""
        stockable = [i for i in city.items if i["tracking"] != Tracking.SERIAL]
        purposes = list(Purpose)
        while len(city.movements) < MOVEMENTS_PER_CITY - 1:
            if self.rng.random() < 0.6:
                item = self.rng.choice(stockable)
                lot_id = None if item["tracking"] == Tracking.BULK else self._lot(city, item)["id"]
                shelf, quantity = self.rng.choice(city.bins), self.rng.randint(1, 40)
                received = self.moment(within_days=365 * YEARS - 10)
                self.movement(city, received, item["id"], lot_id, quantity, Reason.RECEIVE, target=shelf,
                              reference=f"CG-{city.number:02d}-{len(city.movements)}")
                self.movement(city, self.moment(after=received, within_days=60), item["id"], lot_id, quantity,
                              Reason.ISSUE, source=shelf, purpose=self.rng.choice(purposes))
            else:
                box = self.rng.choice(city.boxes)
                if not box["rows"]:
                    continue
                item_id, lot_id, quantity = self.rng.choice(box["rows"])
                shelf, out = self.rng.choice(city.bins), self.moment(after=box["built"], within_days=365)
                self.movement(city, out, item_id, lot_id, quantity, Reason.OUT_OF_KIT,
                              source=box["location_id"], target=shelf, reference=box["code"])
                self.movement(city, out + timedelta(hours=1), item_id, lot_id, quantity, Reason.INTO_KIT,
                              source=shelf, target=box["location_id"], reference=box["code"])

    def write_movements(self, city: City) -> None:
        """Insert the city's movements in time order (ids follow time, as they do in use)."""
        city.movements.sort(key=lambda m: m["at"])
        for movement in city.movements:
            movement["id"] = self.next_id("stock_movements")
            movement["at"] = min(movement["at"], self.now)
        self.insert("stock_movements", city.movements)
        city.movements.clear()

    def fix_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the ids given here."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for name, last in self.ids.items():
            self.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :last)"),
                                 {"last": max(last, 1)})


def scale_up(session: Session, cities: int, seed: int = SEED) -> dict[str, int]:
    """Grow the loaded demo into `cities` cities' reserves in one transaction; return rows added per table."""
    if cities < 1:
        raise ValueError("the scale is a number of cities, at least 1")
    with write_transaction(session):
        return Generator(session, cities, seed).run()
