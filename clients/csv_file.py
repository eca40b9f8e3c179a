"""The ISP's client list as a CSV file: read, checked, one error per problem with its line.

Columns (a header line names them; any order; `,` or `;` between values, as spreadsheets in
Brazil export): `key` (required: the client's code, as the ONUs' descriptions or logins give it),
`name`, `pppoe_login`, `serial` (the ONU the billing system says the client has), `document` (CPF
or CNPJ; digits kept), `address`, `plan`. A column left out of the header is not touched by an
import; an empty cell in a column that is there clears the stored value (the list is the
reference). An adapter for a billing system's API (IXC Soft, MK-Auth, SGP, Voalle, Hubsoft) only
needs to produce these rows: `ClientRow` is the whole contract.
"""

from __future__ import annotations

import csv
import io
import stat
from dataclasses import dataclass, field
from pathlib import Path

from core import serials
from core.errors import ConfigError

COLUMNS = ("key", "name", "pppoe_login", "serial", "document", "address", "plan")
LIMITS = {"key": 64, "name": 255, "pppoe_login": 128, "serial": 16, "document": 32,
          "address": 1000, "plan": 128}


@dataclass(frozen=True)
class ClientRow:
    key: str
    values: dict[str, str | None]  # the other columns the file has: None where the cell is empty


@dataclass
class ClientList:
    columns: tuple[str, ...]  # the file's columns, key first
    rows: list[ClientRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def check_private(path: Path) -> None:
    """The list holds names, documents and addresses: refuse a file any user can read."""
    mode = path.stat().st_mode
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        raise ConfigError(f"{path} can be read or changed by every user of this machine and holds "
                          f"clients' personal data: run `chmod o-rwx {path}` and import again")


def _text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")  # Excel's "CSV" on a Brazilian Windows


def _value(column: str, raw: str) -> str | None:
    v = " ".join(raw.split())
    if not v:
        return None
    if column == "serial":
        return serials.serial(v)
    if column == "document":
        v = "".join(ch for ch in v if ch.isalnum())
    if len(v) > LIMITS[column]:
        raise ValueError(f"{column} longer than {LIMITS[column]} characters")
    return v


def parse(text: str, source: str = "client list") -> ClientList:
    """Rows and errors (line numbers as a spreadsheet shows them) of a client list."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    unknown = [h for h in header if h not in COLUMNS]
    if "key" not in header or unknown:
        raise ConfigError(f"{source}: the first line must name the columns, `key` among them, "
                          f"from {', '.join(COLUMNS)}" + (f" (unknown: {', '.join(unknown)})"
                                                          if unknown else ""))
    if len(set(header)) != len(header):
        raise ConfigError(f"{source}: a column is named twice in the first line")
    out = ClientList(columns=("key", *(h for h in header if h != "key")))
    seen: dict[str, dict[str, int]] = {c: {} for c in ("key", "pppoe_login", "serial")}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            out.errors.append(f"line {line}: {len(cells)} values for {len(header)} columns")
            continue
        try:
            values = {h: _value(h, c) for h, c in zip(header, cells, strict=True)}
        except ValueError as exc:
            out.errors.append(f"line {line}: {exc}")
            continue
        key = values.pop("key")
        if key is None:
            out.errors.append(f"line {line}: no key")
            continue
        clash = False
        for col, v in (("key", key), ("pppoe_login", values.get("pppoe_login")),
                       ("serial", values.get("serial"))):
            if v is not None and v in seen[col]:
                out.errors.append(f"line {line}: {col} {v} is also on line {seen[col][v]}")
                clash = True
            elif v is not None:
                seen[col][v] = line
        if not clash:
            out.rows.append(ClientRow(key, values))
    return out


def read(path: str | Path) -> ClientList:
    """A client list from a file, its permissions checked first."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such file")
    check_private(p)
    return parse(_text(p), str(p))
