"""Box states: each box's completeness as last computed, kept valid by triggers.

Lists and readiness used to recompute every box's content lines on every request (100,000 lines
for 5,000 boxes). `box_states` keeps each box's figures; triggers raise its `version` whenever
what they derive from changes (the box's balances, its lots' expiry dates, its template's lines
and substitutes, the box's own template or place), so a stored state is used only while it is
current. Triggers, not application code, because every writer must invalidate, including SQL
run by hand and bulk loads.

Revision ID: 0009_box_states
Revises: 0008_readiness
Create Date: 2026-11-29 15:58:00.733627

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009_box_states'
down_revision = '0008_readiness'
branch_labels = None
depends_on = None

# Per source table: (events, SQL for the ids of the boxes a row touches, `{row}` being NEW or OLD).
SOURCES = {
    "stock_balances": ("INSERT OR UPDATE OR DELETE",
                       "SELECT id FROM kits WHERE location_id = {row}.location_id"),
    "lots": ("UPDATE OF expires_on",
             "SELECT k.id FROM kits k JOIN stock_balances b ON b.location_id = k.location_id "
             "WHERE b.lot_id = {row}.id"),
    "kit_template_lines": ("INSERT OR UPDATE OR DELETE",
                           "SELECT id FROM kits WHERE template_id = {row}.template_id"),
    "kit_line_substitutes": ("INSERT OR UPDATE OR DELETE",
                             "SELECT k.id FROM kits k JOIN kit_template_lines l ON l.template_id = k.template_id "
                             "WHERE l.id = {row}.line_id"),
    "kits": ("UPDATE OF template_id, location_id", "SELECT {row}.id"),
}
BUMP = "UPDATE box_states SET version = version + 1 WHERE kit_id IN ({kits})"


def _sqlite_triggers() -> None:
    for table, (events, kits) in SOURCES.items():
        for event in events.split(" OR "):
            rows = {"INSERT": ["NEW"], "DELETE": ["OLD"]}.get(event, ["NEW", "OLD"])
            body = "; ".join(BUMP.format(kits=kits.format(row=row)) for row in rows)
            name = f"box_state_{table}_{event.split()[0].lower()}"
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")
    op.execute("CREATE TRIGGER box_state_new_kit AFTER INSERT ON kits "
               "BEGIN INSERT INTO box_states (kit_id) VALUES (NEW.id); END")


def _postgresql_triggers() -> None:
    for table, (events, kits) in SOURCES.items():
        old, new = BUMP.format(kits=kits.format(row="OLD")), BUMP.format(kits=kits.format(row="NEW"))
        op.execute(f"""
            CREATE FUNCTION box_state_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN {old}; END IF;
                IF TG_OP <> 'DELETE' THEN {new}; END IF;
                RETURN NULL;
            END $$""")
        op.execute(f"CREATE TRIGGER box_state_{table} AFTER {events} ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION box_state_{table}()")
    op.execute("""
        CREATE FUNCTION box_state_new_kit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO box_states (kit_id) VALUES (NEW.id);
            RETURN NULL;
        END $$""")
    op.execute("CREATE TRIGGER box_state_new_kit AFTER INSERT ON kits "
               "FOR EACH ROW EXECUTE FUNCTION box_state_new_kit()")


def upgrade():
    op.create_table('box_states',
    sa.Column('kit_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('seen', sa.Integer(), nullable=True),
    sa.Column('computed_on', sa.Date(), nullable=True),
    sa.Column('valid_through', sa.Date(), nullable=True),
    sa.Column('short_lines', sa.Integer(), server_default='0', nullable=False),
    sa.Column('missing_units', sa.Integer(), server_default='0', nullable=False),
    sa.Column('line_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('earliest_expiry', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['kit_id'], ['kits.id'], name=op.f('fk_box_states_kit_id_kits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kit_id', name=op.f('pk_box_states'))
    )
    # Existing boxes start with no state: computed live until the first refresh stores one.
    op.execute("INSERT INTO box_states (kit_id) SELECT id FROM kits")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in [*SOURCES, "new_kit"]:
            on = "kits" if table == "new_kit" else table
            op.execute(f"DROP TRIGGER IF EXISTS box_state_{table} ON {on}")
            op.execute(f"DROP FUNCTION IF EXISTS box_state_{table}()")
    else:
        for table, (events, _kits) in SOURCES.items():
            for event in events.split(" OR "):
                op.execute(f"DROP TRIGGER IF EXISTS box_state_{table}_{event.split()[0].lower()}")
        op.execute("DROP TRIGGER IF EXISTS box_state_new_kit")
    op.drop_table('box_states')
