"""Reading an uploaded file within the size limit (``GOUVERNANCE_MAX_EVIDENCE_BYTES``): evidence and every
spreadsheet import read it the same way and refuse it with the same 422."""

from fastapi import UploadFile

from gouvernance.errors import InvalidInput, Message


def read_upload(file: UploadFile, limit: int, *, code: str = "upload.too_large") -> bytes:
    """The file's bytes; more than ``limit`` is refused (reading stops one byte past it)."""
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput(
            Message(
                code,
                f"fichier trop volumineux (plus de {limit} octets)",
                f"file too large (over {limit} bytes)",
                path="file",
                details={"max_bytes": limit, "received_at_least": len(content)},
            )
        )
    return content
