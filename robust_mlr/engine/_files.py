"""Atomic file writes and checks of output locations.

A file is written whole or not at all: the bytes go to a temporary file in
the same folder, are flushed to disk (``fsync``) and the temporary file is
renamed over the target (``os.replace``, atomic on POSIX and Windows). A
process killed at any moment leaves either the old file or the new one,
never a truncated mix, and at most a stray ``.NAME.*.tmp`` beside it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "check_writable_dir", "check_writable_file", "OutputPathError"]


class OutputPathError(OSError):
    """An output location cannot be written (not a folder, read-only, ...)."""


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path):
    """Open a temporary binary file that replaces ``path`` on success.

    Parameters
    ----------
    path : str or Path
        The file to (re)write; its folder must exist.

    Yields
    ------
    file object
        Write the new content to it. If the block raises, the temporary file
        is removed and ``path`` is untouched.
    """
    path = Path(path)
    if path.is_dir():                   # errors name the caller's path, not the temporary one
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if not path.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "its folder does not exist", str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        os.chmod(tmp, 0o666 & ~_umask())          # as an ordinary open() would create it
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder):
    """Make a rename durable (POSIX; a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_writable_dir(folder, what="output folder"):
    """Create ``folder`` if needed and make sure files can be created in it.

    Raises
    ------
    OutputPathError
        ``folder`` (or a parent) is a file, or the folder is not writable.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputPathError(f"{what} {folder} exists and is not a folder") from None
    except OSError as exc:
        raise OutputPathError(f"{what} {folder} cannot be created: "
                              f"{exc.strerror or exc}") from None
    if not folder.is_dir():
        raise OutputPathError(f"{what} {folder} exists and is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"{what} {folder} is not writable (permission denied)")
    return folder


def check_writable_file(path, what="output file", folder_what=None):
    """Make sure ``path`` can be (re)written: its folder is writable and
    ``path`` itself is not a folder or a read-only file.

    Raises
    ------
    OutputPathError
    """
    path = Path(path)
    check_writable_dir(path.parent, folder_what or f"folder of the {what}")
    if path.is_dir():
        raise OutputPathError(f"{what} {path} is a folder")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputPathError(f"{what} {path} is read-only (permission denied)")
    return path
