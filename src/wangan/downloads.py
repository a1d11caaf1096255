"""How both adapters hand out a stored file: always as a download, never rendered inline."""

from __future__ import annotations

from urllib.parse import quote


def attachment_headers(filename: str) -> dict[str, str]:
    """Headers for a download whose name may be any Unicode (RFC 6266 / RFC 8187 ``filename*``)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}",
        # Reports can carry hostile content: never let a browser sniff it into HTML.
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
