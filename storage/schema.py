"""The public schema. Table and column names are a contract with our users' own tools.

Every per-OLT table carries `olt` (the OLT's name, a foreign key to olts.name) so that a query needs
no join to say which box a row came from. Rows the OLT no longer reports keep their data and get
`removed_at`; nothing is deleted by a sync. `first_seen` is when the row first appeared,
`last_seen` when its data last changed or it came back; presence now is `removed_at IS NULL`.
Timestamps are stored in UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = DateTime(timezone=True)
# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
ID = BigInteger().with_variant(Integer, "sqlite")


def _olt_fk() -> Column:
    return Column("olt", String(64), ForeignKey("olts.name", onupdate="CASCADE"), nullable=False)


def _lifecycle() -> list[Column]:
    return [Column("first_seen", TS, nullable=False), Column("last_seen", TS, nullable=False),
            Column("removed_at", TS)]


# `info` on a table or column is the sync's catalogue (storage/catalogue.py reads it): what the
# collector calls the table, how rows line up, what is compared, guarded, sampled or derived.
FROM_INVENTORY = {"inventory": True}  # set from the inventory, never from what the OLT says

olts = Table(
    "olts", metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(64), nullable=False, unique=True, info=FROM_INVENTORY),
    Column("host", String(255), nullable=False, info=FROM_INVENTORY),
    Column("port", Integer, nullable=False, info=FROM_INVENTORY),
    Column("platform", String(64), nullable=False, info=FROM_INVENTORY),
    Column("vendor", String(64), info=FROM_INVENTORY),
    Column("hostname", String(128)),
    Column("model", String(64)),
    Column("firmware", String(128)),
    Column("patch", String(64)),
    Column("uptime_s", BigInteger),
    Column("last_sync_at", TS),
    # Set when the OLT left the inventory: its rows are history, no longer present.
    Column("removed_at", TS),
    Column("first_seen", TS, nullable=False),
    info={"collected_as": "olt", "key": ()},  # one row per OLT: the OLT's own facts
)

boards = Table(
    "boards", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("slot", Integer, nullable=False),
    Column("type", String(64)),
    Column("status", String(64)),
    *_lifecycle(),
    UniqueConstraint("olt", "slot"),
)

pon_ports = Table(
    "pon_ports", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("port", String(32), nullable=False),
    Column("admin_state", String(16)),
    Column("oper_state", String(16)),
    Column("onu_count", Integer, info={"derived": True}),  # ONUs present, counted after a sync
    *_lifecycle(),
    UniqueConstraint("olt", "port"),
)

onus = Table(
    "onus", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("port", String(32), nullable=False),
    Column("onu_id", Integer, nullable=False),
    Column("serial", String(16), nullable=False),
    Column("run_state", String(16)),  # NULL: the box reports none (protection side)
    Column("config_state", String(32)),
    Column("match_state", String(32)),
    Column("description", Text),
    Column("client_key", String(64)),
    # the subscriber's PPPoE login where the OLT's configuration shows it (ZTE pon-onu-mng);
    # never its password
    Column("pppoe_login", String(128)),
    Column("equipment", String(64)),
    Column("firmware", String(64)),
    Column("distance_m", Integer),
    Column("last_down_cause", String(128)),
    Column("last_up_at", TS),
    Column("last_down_at", TS),
    Column("rx_power_dbm", Float),
    Column("tx_power_dbm", Float),
    Column("olt_rx_power_dbm", Float),
    Column("temperature_c", Integer),
    *_lifecycle(),
    # An ONU that changed port or id keeps its row (same serial): where it was before, and when.
    Column("moved_at", TS),
    Column("previous_port", String(32)),
    Column("previous_onu_id", Integer),
    UniqueConstraint("olt", "serial"),
    Index(None, "olt", "port", "onu_id"),
    Index(None, "client_key"),
    Index(None, "pppoe_login"),
    info={
        # the commands of a dataset meet on the ONU's place; its identity is the serial
        "merge_key": ("port", "onu_id"),
        "deadband": {"rx_power_dbm": "power_deadband_db", "tx_power_dbm": "power_deadband_db",
                     "olt_rx_power_dbm": "power_deadband_db",
                     "temperature_c": "temperature_deadband"},
        "moves": ("port", "onu_id"),  # a change of these is a move, remembered
        "sampled_into": "onu_optical_history",  # every read level is also kept as a sample
        # a change of run_state is kept as a transition, with the cause the box gives
        "transitions": {"column": "run_state", "cause": "last_down_cause",
                        "into": "onu_state_changes"},
    },
)

onu_optical_history = Table(
    "onu_optical_history", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("serial", String(16), nullable=False),
    Column("sampled_at", TS, nullable=False),
    Column("rx_power_dbm", Float),
    Column("tx_power_dbm", Float),
    Column("olt_rx_power_dbm", Float),
    Column("temperature_c", Integer),
    Index(None, "olt", "serial", "sampled_at"),
    Index(None, "sampled_at"),
)

macs = Table(
    "macs", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("mac", String(17), nullable=False),
    Column("vlan", Integer, nullable=False),
    Column("port", String(32)),
    Column("onu_id", Integer),
    Column("service_port", Integer),
    Column("gem_port", Integer),
    Column("type", String(16)),
    *_lifecycle(),
    UniqueConstraint("olt", "mac", "vlan"),
    Index(None, "mac"),
    # MAC tables age and refill with traffic: a big drop is normal (an area outage), not suspicious.
    info={"guarded": False},
)

service_ports = Table(
    "service_ports", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("index", Integer, nullable=False),
    Column("vlan", Integer, nullable=False),
    Column("user_vlan", Integer),
    Column("port", String(32), nullable=False),
    Column("onu_id", Integer),
    Column("gem_port", Integer),
    *_lifecycle(),
    # ZTE numbers service ports per ONU, Huawei per OLT: the ONU is part of the identity.
    UniqueConstraint("olt", "port", "onu_id", "index"),
)

clients = Table(
    "clients", metadata,
    Column("id", ID, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("name", String(255)),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    # From the ISP's own client list (`oltsync clients import`); NULL for a client known only
    # from an ONU's description. Personal data: shown only behind the web page's login.
    Column("pppoe_login", String(128)),
    Column("serial", String(16)),  # the ONU the billing system says this client has
    Column("document", String(32)),
    Column("address", Text),
    Column("plan", String(128)),
    Column("imported_at", TS),  # last import that listed it; NULL: never imported
    Index(None, "pppoe_login"),
    Index(None, "serial"),
)

# Which ONU serves which client, and since when: a link closes (unlinked_at) when the ONU stops
# naming the client or goes, so a client whose ONU was swapped shows both. Pruned like the
# optical history (closed links older than OLTSYNC_OPTICAL_RETENTION_DAYS).
client_links = Table(
    "client_links", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("serial", String(16), nullable=False),
    Column("client_key", String(64), nullable=False),
    Column("via", String(16), nullable=False),  # description, pppoe_login, serial (the import's)
    Column("linked_at", TS, nullable=False),
    Column("unlinked_at", TS),
    Index(None, "client_key", "unlinked_at"),
    Index(None, "olt", "serial", "unlinked_at"),
    Index(None, "unlinked_at"),
)

unregistered_onus = Table(
    "unregistered_onus", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("port", String(32), nullable=False),
    Column("serial", String(16), nullable=False),
    Column("equipment", String(64)),
    Column("firmware", String(64)),
    Column("found_at", TS),
    *_lifecycle(),
    UniqueConstraint("olt", "serial"),
    info={"guarded": False},
)

# ONU state transitions (online <-> offline), written by every pass that reads ONU states: the
# hourly sync and the status pass. A new ONU has no transition (its first state is the baseline).
onu_state_changes = Table(
    "onu_state_changes", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("serial", String(16), nullable=False),
    Column("port", String(32), nullable=False),
    Column("onu_id", Integer, nullable=False),
    Column("at", TS, nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16)),
    Column("cause", String(128)),  # the box's last down cause, for a change to offline
    Index(None, "olt", "at"),
    Index(None, "at"),
)

# Outages: a PON port that lost many of its online ONUs between two evaluations (kind los, power
# or mixed), most of an OLT's ports at once (the same kinds, no port, `ports` naming them), or an
# OLT that could not be reached or read (kind unreachable or unreadable, no port). Open while
# closed_at is NULL; `told` is what the operator was last told of it (alerts/outages.py).
outages = Table(
    "outages", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("port", String(32)),
    Column("kind", String(16), nullable=False),
    Column("opened_at", TS, nullable=False),
    Column("closed_at", TS),
    Column("affected", Integer, nullable=False),  # ONUs down at the worst point
    Column("los", Integer, nullable=False),
    Column("dying_gasp", Integer, nullable=False),
    Column("clients", Integer, nullable=False),  # distinct clients behind the affected ONUs
    Column("serials", Text, nullable=False),  # JSON list of the affected ONUs
    # times it went dark again after closing: a flapping port
    Column("reopened", Integer, nullable=False, default=0),
    Column("ports", Text),  # OLT-wide: JSON {port: ONUs down}
    Column("told", String(8)),  # opened | closed: the last message sent for it
    Column("reason", Text),  # unreadable: what the OLT answered
    Index(None, "olt", "closed_at"),
)

# Per OLT, where outage evaluation stands: the last state change it evaluated (a pass whose
# evaluation could not run is caught up by the next), and the passes in a row that logged in but
# could not read the OLT.
outage_watch = Table(
    "outage_watch", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("change_id", BigInteger),  # onu_state_changes.id evaluated up to
    Column("unreadable_passes", Integer, nullable=False, default=0),
    Column("unreadable_reason", Text),
    UniqueConstraint("olt"),
)

# Low optical levels (alerts/signal.py): per ONU and metric (onu_rx, olt_rx), open while
# closed_at is NULL, with the worst reading seen while open.
signal_alerts = Table(
    "signal_alerts", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("serial", String(16), nullable=False),
    Column("port", String(32), nullable=False),
    Column("onu_id", Integer, nullable=False),
    Column("metric", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("level_dbm", Float, nullable=False),
    Column("opened_at", TS, nullable=False),
    Column("closed_at", TS),
    Index(None, "olt", "closed_at"),
)

sync_runs = Table(
    "sync_runs", metadata,
    Column("id", ID, primary_key=True),
    _olt_fk(),
    Column("dataset", String(32), nullable=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS, nullable=False),
    Column("status", String(16), nullable=False),  # ok | failed | held | carried (not due)
    Column("inserted", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("removed", Integer, nullable=False, default=0),
    Column("moved", Integer, nullable=False, default=0),
    # rows a change-driven command (profile `refresh:`) did not re-read: their stored values kept
    Column("carried", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("flow_run_id", String(64)),
    Index(None, "olt", "dataset", "started_at"),
    Index(None, "started_at"),  # the web page's fleet: each dataset's last run, recent ones only
)

# Room for HOT updates of the state columns of the two tables rewritten most (fillfactor 90).
# Set after creation: SQLAlchemy 2.0 has no table option for it (and prefect 3.8.8 needs 2.0).
FILLFACTOR_TABLES = ("onus", "macs")
for _name in FILLFACTOR_TABLES:
    event.listen(metadata.tables[_name], "after_create",
                 DDL(f"ALTER TABLE {_name} SET (fillfactor = 90)").execute_if(dialect="postgresql"))

# The web page's search (web/search.py): any part of a serial, description, client code or name, or
# MAC (its hex digits, whatever the notation typed), found through trigram indexes on PostgreSQL
# (extension pg_trgm; migration 0008). Outside the declared schema: SQLAlchemy cannot declare a GIN
# operator class portably, and SQLite searches without them (slower: docs/web.md).
# fastupdate off: a new entry goes into the index at once, not into a pending list that every
# search then reads through until the next vacuum (9 ms instead of 0.4 ms per search, measured).
# Indexes on the level columns would cost the hourly sync its HOT updates: there are none.
SEARCH_INDEXES = {
    "ix_onus_serial_trgm": "onus USING gin (serial gin_trgm_ops) WITH (fastupdate = off)",
    "ix_onus_description_trgm":
        "onus USING gin (description gin_trgm_ops) WITH (fastupdate = off)",
    "ix_onus_client_key_trgm": "onus USING gin (client_key gin_trgm_ops) WITH (fastupdate = off)",
    "ix_clients_name_trgm": "clients USING gin (name gin_trgm_ops) WITH (fastupdate = off)",
    "ix_macs_mac_digits_trgm":
        "macs USING gin ((replace(mac, ':', '')) gin_trgm_ops) WITH (fastupdate = off)",
}


def declared_object(obj: object, name: str | None, type_: str, reflected: bool,
                    compare_to: object) -> bool:
    """Alembic's include_object: the search indexes are not part of the declared schema."""
    return not (type_ == "index" and name in SEARCH_INDEXES)
