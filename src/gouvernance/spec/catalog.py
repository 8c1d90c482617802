"""Finds process models: the ones shipped in the package, then an optional extra directory.

Engagements never read the files again after launch: ``snapshot`` stores the validated document in the
database under (key, version), with the format it is written in, and ``model_for`` rebuilds the model from
that snapshot, refusing a format this code does not know (a snapshot written by a newer gouvernance).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gouvernance.engagements.records import ProcessModelRow
from gouvernance.errors import Conflict, DomainError, Message, NotFound
from gouvernance.spec.schema import ProcessModel
from gouvernance.spec.validation import TemplateInvalid, TemplateProblem, build_model, load_model_file

# The shape of the documents ``snapshot`` stores. Bump it (with a reader for the old shape) when the stored
# document changes shape, so that an older gouvernance refuses snapshots it would misread.
SNAPSHOT_FORMAT = 1
KNOWN_SNAPSHOT_FORMATS = frozenset({1})


@dataclass(frozen=True)
class CatalogEntry:
    model: ProcessModel
    source: str


def shipped_directory() -> Path:
    return Path(str(resources.files("gouvernance.process_models")))


def template_files(directories: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for directory in directories:
        if directory.is_file():
            files.append(directory)
        elif directory.is_dir():
            files.extend(sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]))
    return files


class Catalog:
    """Every valid model found, by key and version. Invalid files are kept aside with their problems."""

    def __init__(self, directories: Iterable[Path]) -> None:
        self.entries: dict[tuple[str, int], CatalogEntry] = {}
        self.invalid: list[TemplateInvalid] = []
        for path in template_files(directories):
            try:
                model = load_model_file(path)
            except TemplateInvalid as exc:
                self.invalid.append(exc)
                continue
            identity = (model.key, model.version)
            if identity in self.entries:
                self.invalid.append(_duplicate(path, model, self.entries[identity].source))
                continue
            self.entries[identity] = CatalogEntry(model, str(path))

    def keys(self) -> list[str]:
        return sorted({key for key, _ in self.entries})

    def versions(self, key: str) -> list[int]:
        return sorted(version for entry_key, version in self.entries if entry_key == key)

    def get(self, key: str, version: int | None = None) -> ProcessModel:
        versions = self.versions(key)
        if not versions:
            raise NotFound(
                Message(
                    "model.not_found",
                    f"Modèle de processus inconnu : « {key} »",
                    f"Unknown process model: '{key}'",
                    details={"key": key},
                )
            )
        chosen = versions[-1] if version is None else version
        if chosen not in versions:
            raise NotFound(
                Message(
                    "model.version_not_found",
                    f"Le modèle « {key} » n'a pas de version {chosen} (versions : {versions})",
                    f"Model '{key}' has no version {chosen} (versions: {versions})",
                    details={"key": key, "version": chosen},
                )
            )
        return self.entries[(key, chosen)].model

    def source_text(self, key: str, version: int) -> str:
        """The text of the file a template was read from."""
        self.get(key, version)  # NotFound, naming the versions there are
        return Path(self.entries[(key, version)].source).read_text(encoding="utf-8")

    def latest(self) -> list[ProcessModel]:
        return [self.get(key) for key in self.keys()]


def _duplicate(path: Path, model: ProcessModel, first: str) -> TemplateInvalid:
    message = Message(
        "template.duplicate_version",
        f"« {model.key} » version {model.version} est déjà définie dans {first}",
        f"'{model.key}' version {model.version} is already defined in {first}",
    )
    return TemplateInvalid(str(path), [TemplateProblem("version", None, message)])


def default_directories(extra: Path | None) -> list[Path]:
    return [shipped_directory(), *([extra] if extra else [])]


def snapshot(session: Session, model: ProcessModel, *, now: datetime) -> None:
    """Stores the model under (key, version) the first time; refuses a different model with the same
    identity, because engagements already launched from it must not change under their feet."""
    document, digest = model.fingerprint
    row = session.get(ProcessModelRow, (model.key, model.version))
    if row is None:
        session.add(
            ProcessModelRow(
                key=model.key,
                version=model.version,
                sha256=digest,
                title=model.title.fr,
                document=document,
                registered_at=now,
                format_version=SNAPSHOT_FORMAT,
            )
        )
        session.flush()
    elif row.sha256 != digest and not _same_content(row, document):
        raise Conflict(
            Message(
                "model.version_changed",
                f"Le fichier du modèle « {model.key} » version {model.version} a changé depuis son "
                "premier lancement. "
                f"Augmentez « version » pour publier ces modifications.",
                f"Process model '{model.key}' version {model.version} changed since it was first launched. "
                f"Bump 'version' to publish the changes.",
                details={"key": model.key, "version": model.version},
            )
        )


def _same_content(row: ProcessModelRow, document: dict[str, Any]) -> bool:
    """Whether a stored snapshot says what the file says, read by this version of gouvernance: a snapshot
    stored before the format gained a field (with its default) has another digest, but the same journey."""
    if row.format_version not in KNOWN_SNAPSHOT_FORMATS:
        return False
    try:
        stored = build_model(row.document, f"base:{row.key}@{row.version}")
    except DomainError:
        return False
    return bool(stored.model_dump(mode="json") == document)


_SNAPSHOT_CACHE: dict[tuple[str, str, int], ProcessModel] = {}


def model_for(session: Session, key: str, version: int) -> ProcessModel:
    """The model an engagement was launched from. Snapshots never change once stored (``snapshot``
    refuses), so each (database, key, version) is read and compiled once per process."""
    cache_key = (str(session.get_bind().engine.url), key, version)
    cached = _SNAPSHOT_CACHE.get(cache_key)
    if cached is not None:
        return cached
    row = session.get(ProcessModelRow, (key, version))
    if row is None:
        raise NotFound(
            Message(
                "model.not_registered",
                f"Modèle {key} v{version} absent de la base",
                f"Model {key} v{version} is not in the database",
            )
        )
    if row.format_version not in KNOWN_SNAPSHOT_FORMATS:
        raise Conflict(
            Message(
                "model.snapshot_format_unknown",
                f"Le modèle {key} v{version} est enregistré dans un format inconnu "
                f"({row.format_version}) : il a été écrit par une version plus récente de gouvernance. "
                "Mettez gouvernance à jour.",
                f"Model {key} v{version} is stored in an unknown format ({row.format_version}): a newer "
                "gouvernance wrote it. Upgrade gouvernance.",
                details={"key": key, "version": version, "format_version": row.format_version},
            )
        )
    model = build_model(row.document, f"base:{key}@{version}")
    _SNAPSHOT_CACHE[cache_key] = model
    return model
