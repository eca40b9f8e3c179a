"""What every reference implementation stores, and where: the same three tables (ONUs, MACs,
service ports) and columns, under a per-reference prefix, so their stores are comparable."""

from __future__ import annotations

import psycopg2

# source table -> (key, data columns)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "onus": (("olt", "serial"),
             ("port", "onu_id", "run_state", "description", "equipment", "firmware", "distance_m",
              "last_down_cause", "last_up_at", "last_down_at", "rx_power_dbm", "tx_power_dbm",
              "olt_rx_power_dbm")),
    "macs": (("olt", "mac", "vlan"), ("port", "onu_id", "service_port", "gem_port")),
    "service_ports": (("olt", "port", "onu_id", "index"), ("vlan", "user_vlan", "gem_port")),
}
_TYPES = {"onu_id": "int", "distance_m": "int", "vlan": "int", "index": "int", "user_vlan": "int",
          "service_port": "int", "gem_port": "int", "rx_power_dbm": "float8",
          "tx_power_dbm": "float8", "olt_rx_power_dbm": "float8", "last_up_at": "timestamptz",
          "last_down_at": "timestamptz"}


def tables(prefix: str) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """{prefix_table: (source table, key, data columns)}."""
    return {f"{prefix}_{src}": (src, key, cols) for src, (key, cols) in TABLES.items()}


def create_sql(table: str, key: tuple[str, ...], cols: tuple[str, ...], id_column: bool = False) -> str:
    ddl = ", ".join(f'"{c}" {_TYPES.get(c, "text")}' for c in key + cols)
    ident = "id bigserial PRIMARY KEY, " if id_column else ""
    return f'CREATE TABLE IF NOT EXISTS {table} ({ident}{ddl}, UNIQUE ({", ".join(key)}))'


def fresh_database(admin: str, name: str) -> str:
    """Drop and create database `name`; its plain postgresql:// URL."""
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.cursor().execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return admin.rsplit("/", 1)[0] + f"/{name}"
