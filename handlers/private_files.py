"""Files that hold personal data are readable by their owner only (#17).

SQLite creates a database with the process umask (usually 0644) and gives its `-wal` and
`-shm` files the database's own mode, so creating the database file 0600 before SQLite opens
it keeps all three private. A file an older version left world-readable is tightened.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_MODE = 0o600
_COMPANIONS = ("-wal", "-shm", "-journal")


def private_file(path: Path | str) -> Path:
    """Create `path` (empty) with mode 0600 if it does not exist; tighten it and its SQLite
    companions if group or others may read them. Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    for candidate in (path, *(path.with_name(path.name + s) for s in _COMPANIONS)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            mode = stat.S_IMODE(candidate.stat().st_mode)
            if mode & 0o077:
                candidate.chmod(mode & 0o700)
    return path
