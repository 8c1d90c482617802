"""The open-data package: every public table as CSV (UTF-8, ``,``) and as JSON, described by a
``datapackage.json`` (Frictionless Data Package, a Table Schema per file, descriptions in French, Licence
Ouverte 2.0), in one ZIP.

CSV text cells go through the stakeholder exports' formula guard: a cell a spreadsheet would run as a
formula (``=``, ``+``, ``-``, ``@``…) starts with an apostrophe instead. The JSON files keep the values as
they are: nothing runs them.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from gouvernance.publication.tables import TABLES, Row, Table
from gouvernance.spreadsheets import neutralise_formula

LICENCE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence version 2.0",
}


def open_data_zip(
    tables: Mapping[str, Sequence[Row]], *, name: str, title: str, description: str, created: datetime
) -> bytes:
    """The ZIP: ``datapackage.json`` at its root, ``csv/<table>.csv`` and ``json/<table>.json``."""
    stamp = created.astimezone(UTC)
    files: dict[str, bytes] = {}
    resources: list[dict[str, Any]] = []
    for table in TABLES:
        rows = tables.get(table.name, [])
        files[f"csv/{table.name}.csv"] = _csv(table, rows)
        files[f"json/{table.name}.json"] = _json(table, rows)
        resources.append(_resource(table, "csv"))
        resources.append(_resource(table, "json") if rows else _empty_json_resource(table))
    package = {
        "name": name,
        "title": title,
        "description": description,
        "language": "fr",
        "licenses": [LICENCE],
        "created": _datetime(stamp),
        "resources": resources,
    }
    files = {"datapackage.json": _dumps(package), **files}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            info = zipfile.ZipInfo(path, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def _resource(table: Table, fmt: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "name": table.name if fmt == "csv" else f"{table.name}-json",
        "path": f"{fmt}/{table.name}.{fmt}",
        "title": f"{table.title} ({fmt.upper()})",
        "description": table.description,
        "format": fmt,
        "mediatype": "text/csv" if fmt == "csv" else "application/json",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "licenses": [LICENCE],
        "schema": {
            "fields": [{"name": f.name, "type": f.type, "description": f.description} for f in table.fields],
            "primaryKey": list(table.primary_key),
            "missingValues": [""],
        },
    }
    if fmt == "csv":
        resource["dialect"] = {"delimiter": ",", "header": True}
    return resource


def _empty_json_resource(table: Table) -> dict[str, Any]:
    """An empty table's JSON file is ``[]``, like the others without rows; Frictionless cannot read a table
    out of an empty JSON array, so that file is described as plain data (its CSV twin carries the schema)."""
    described = _resource(table, "json")
    del described["schema"]
    described["profile"] = "data-resource"
    described["description"] = f"{table.description} (aucune ligne publiée : voir le schéma du CSV)"
    return described


def _csv(table: Table, rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f.name for f in table.fields])
    for row in rows:
        writer.writerow([_cell(row.get(f.name), f.type) for f in table.fields])
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "string":
        return neutralise_formula(str(value))
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _json(table: Table, rows: Sequence[Row]) -> bytes:
    def value(v: Any) -> Any:
        return v if v is None or isinstance(v, bool | int | float | str) else _plain(v)

    return _dumps([{f.name: value(row.get(f.name)) for f in table.fields} for row in rows])


def _datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
