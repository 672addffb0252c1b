"""Requests: the app's request class, whose body limit depends on the route it is for.

Quart sizes every request body by one MAX_CONTENT_LENGTH, decided before routing. Quiz
files may be larger than a form ever is, so the upload route alone takes IMPORT_MAX_BYTES
(plus room for the form around the file), and everything else keeps the 1 MiB limit.
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from quart import Quart
from quart import Request

FORM_OVERHEAD = 64 * 1024  # the multipart boundaries, the CSRF token, the title


class HyperquizRequest(Request):
    # Path → largest body; filled by init_app from the config.
    upload_limits: ClassVar[dict[str, int]] = {}

    def __init__(self, method: str, scheme: str, path: str, *args: Any, **kwargs: Any) -> None:
        if method == "POST" and path in self.upload_limits:
            kwargs["max_content_length"] = self.upload_limits[path]
        super().__init__(method, scheme, path, *args, **kwargs)


def init_app(app: Quart, upload_paths: tuple[str, ...]) -> None:
    app.request_class = HyperquizRequest
    limit = int(app.config["IMPORT_MAX_BYTES"]) + FORM_OVERHEAD
    HyperquizRequest.upload_limits = dict.fromkeys(upload_paths, limit)
