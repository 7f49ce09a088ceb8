"""Atomic output: a reader never sees a half-written file, an interrupted run leaves none."""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

#: Every CSV *file* sbqw writes starts with UTF-8's byte-order mark: Excel reads a CSV as UTF-8
#: only when it finds one, and Chinese Excel otherwise reads it as GB18030 (贵阳市 shows as
#: 璐甸槼甯). Standard output carries none: a pipe's reader is a program.
CSV_ENCODING = "utf-8-sig"
CSV_BOM = "\ufeff"

#: The start of every temporary file or folder sbqw makes beside its outputs. A run killed
#: mid-write (SIGKILL, a power cut) leaves one behind; the next run that locks the folder
#: removes them (``outputs.remove_stale_work``), and readers of a folder skip them.
TEMP_PREFIX = ".sbqw-"
#: Characters of the target's name a temporary name repeats (at most 4 UTF-8 bytes each): the
#: prefix, the random part and the suffix must not push a name the system takes (up to 255
#: bytes) past that limit, which refused a legal ``--out`` as "too long".
TEMP_NAME_CHARS = 32
#: Every temporary name ends in its random part and this, before the target's suffix if it
#: keeps one (``.sbqw-baseline.k2j4x9za.tmp.html``): the clean-up removes only such names, not a
#: user's ``.sbqw-notes.txt`` or a folder a user named ``.sbqw-out``.
TEMP_SUFFIX = ".tmp"
#: A name sbqw made: the prefix, the target's name, the process that writes it (``.`` or
#: ``-`` and its id; absent in names of earlier versions), eight characters of ``tempfile``'s
#: alphabet (or ``secrets.token_hex(4)``), the suffix, the target's suffix.
_TEMP_NAME = re.compile(
    rf"{re.escape(TEMP_PREFIX)}.*?(?:[.-](?P<pid>\d+))?[.-][a-z0-9_]{{8}}"
    rf"{re.escape(TEMP_SUFFIX)}(\.[^.]+)?",
    re.S,
)


def is_temporary(name: str) -> bool:
    """Whether a file or folder name is one sbqw makes while it writes (and may remove)."""
    return _TEMP_NAME.fullmatch(name) is not None


def temporary_owner(name: str) -> int | None:
    """The id of the process that made a temporary name (None: not one, or it does not say)."""
    found = _TEMP_NAME.fullmatch(name)
    return int(found["pid"]) if found and found["pid"] else None


def owned_elsewhere(name: str) -> bool:
    """A temporary name another live process is writing (a command that takes no lock, such
    as ``sbqw cost --out``, beside a report run): not a leftover to remove."""
    pid = temporary_owner(name)
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _temp_prefix(name: str) -> str:
    """``.sbqw-<the start of name>.<this process>.``: a temporary name as long as its target's
    would not fit; the process id keeps a live writer's file from another run's clean-up."""
    return f"{TEMP_PREFIX}{name[:TEMP_NAME_CHARS]}.{os.getpid()}."


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, then rename over the target."""
    write_bytes_atomic(path, text.encode("utf-8"))


def _umask_mode() -> int:
    """The permissions a plain ``open(..., 'w')`` would give (mkstemp's 0600 is too private)."""
    mask = os.umask(0)
    os.umask(mask)
    return (
        stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP | stat.S_IROTH | stat.S_IWOTH
    ) & ~mask


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _write_all(fd: int, data: bytes) -> None:
    """Every byte of ``data`` to ``fd`` (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


#: ``os.link`` errors of a file system without hard links (then the name is reserved instead).
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS}


def write_bytes_exclusive(path: Path, data: bytes) -> None:
    """Write a new file ``path`` whole, or not at all; never replace one (FileExistsError).

    The bytes go to a temporary file in the same folder, which is then hard-linked as
    ``path``: the link fails if ``path`` exists, also if another program made it meanwhile.
    A failed write (full disk, file size limit) leaves neither file.
    """
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path.stem), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, _umask_mode())
        _link_new(Path(tmp), path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _link_new(tmp: Path, path: Path) -> None:
    """``tmp`` as ``path`` too, only if ``path`` does not exist (FileExistsError if it does)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        # no hard links here: reserve the name (exclusive create), then move the whole file in
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            os.replace(tmp, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write (by any library); it becomes ``path`` only on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = TEMP_SUFFIX + path.suffix  # a library picks the format by the suffix
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path.stem), suffix=suffix, dir=path.parent)
    try:
        os.close(fd)
        yield Path(tmp)
        os.chmod(tmp, _umask_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Yield a temporary folder; its files move into ``path`` only on success, all or none.

    The temporary folder is made inside ``path`` when it exists (an existing output folder may
    be a mount point, and a rename cannot cross file systems), else beside it. Every name is
    checked before the first file moves: a folder in the way of one file stops them all.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    home = path if path.is_dir() else path.parent
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(path.name), suffix=TEMP_SUFFIX, dir=home))
    try:
        yield tmp
        path.mkdir(parents=True, exist_ok=True)
        land(list(tmp.iterdir()), path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def land(items: Sequence[Path], folder: Path) -> list[Path]:
    """Move finished files into ``folder`` together (same file system): their new paths.

    Every name is checked first (a folder in the way of one stops them all), and a stop
    (Ctrl-C, SIGTERM) that comes while they move is answered once all have moved: stopped
    half-way, a report's new page stood beside its old workbook and notebook.
    """
    from sbqw_model.signals import held

    targets = [folder / item.name for item in items]
    for target in targets:
        if target.is_dir() and not target.is_symlink():
            raise IsADirectoryError(errno.EISDIR, "a folder of that name is in the way", target)
    with held():
        for item, target in zip(items, targets, strict=True):
            os.replace(item, target)
    return targets
