"""The upload handler that rejects files over MAX_UPLOAD_BYTES while they stream in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitedUploadHandler(FileUploadHandler):
    """Counts bytes as they arrive and stops the upload past the limit, so a huge
    file is never fully read, stored or parsed.

    Views check `request.upload_too_large` after touching request.POST/FILES and answer 413.
    StopUpload(connection_reset=False) makes Django drain the rest of the body without
    keeping it, so the client still receives that answer instead of a reset connection.
    """

    received = 0
    too_large = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        self.received = 0
        # A declared length far over the limit is refused before a byte is written.
        self.too_large = bool(
            content_length and content_length > settings.MAX_UPLOAD_BYTES + 64 * 1024
        )
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.too_large:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
