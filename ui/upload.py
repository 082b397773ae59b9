"""A scenario-file upload: drop zone plus a click-to-browse input, size checked before reading.

The browser sends only the file's name and size; the server reads the content (through
solara's chunked file transfer) only when the size is within :data:`MAX_UPLOAD_BYTES`, so
a huge file never reaches memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import cast

import solara
import traitlets
from solara.components.file_drop import FileDropZone, FileInfo

MAX_UPLOAD_BYTES = 100_000
LIMIT_TEXT = f"A scenario .toml file, up to {MAX_UPLOAD_BYTES // 1000} kB."


class UploadZone(FileDropZone):
    """solara's drop zone with our template (adds a file input and the size limit)."""

    template_file = (__file__, "upload.vue")
    hint = traitlets.Unicode(LIMIT_TEXT).tag(sync=True)
    input_id = traitlets.Unicode("aidb-upload-input").tag(sync=True)


def too_big(name: str, size: int) -> str | None:
    """The message for a file over the limit (None when the size is fine)."""
    if size <= MAX_UPLOAD_BYTES:
        return None
    return (f"{name} is {size / 1e6:.1f} MB; a scenario file is a few lines "
            f"(limit {MAX_UPLOAD_BYTES // 1000} kB). Nothing was read.")


@solara.component
def ScenarioUpload(on_file: Callable[[str, bytes], None],  # noqa: N802
                   on_reject: Callable[[str], None], label: str = "Drop a scenario .toml here"):
    """Upload box: ``on_file(name, data)`` for a file within the limit, else ``on_reject``."""
    file_info, set_file_info = solara.use_state(cast(list[dict[str, object]] | None, None))
    files, set_files = solara.use_state(cast(list[FileInfo] | None, None))
    zone = UploadZone.element(label=label, on_file_info=set_file_info, multiple=False)

    def wire() -> None:  # in the render context: reach the widget, list its files
        if not file_info:
            return
        widget = cast(UploadZone, solara.get_widget(zone))
        widget.version += 1  # solara's workaround for observers cleared on re-render
        widget.reset_stats()
        set_files(cast(list[FileInfo], widget.get_files()))

    solara.use_effect(wire, [file_info])

    def receive(cancel: threading.Event) -> None:  # in a thread: read only what fits
        if not files:
            return
        f = files[0]
        message = too_big(f["name"], int(f["size"]))
        if message:
            on_reject(message)
            return
        on_file(f["name"], f["file_obj"].read())

    result = solara.use_thread(receive, [files])
    if result.error:
        on_reject(f"The upload failed: {result.error}")
