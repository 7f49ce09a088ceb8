"""Output folders and the names written into them: one place for every command.

Names come from files (a scenario's or a sweep's ``name:``), so they are hostile input: this
module turns any text into a file name that stays inside the output folder, fits every
filesystem (bytes, not characters: a Chinese character is three), never collides with another
name of the same run (on case-insensitive disks too) and never looks like another file's
suffix (``x`` and ``x.failed``). It also checks an ``--out`` before anything is computed,
turns a failed write (full disk, read-only folder) into one line, and locks an output folder
so two runs cannot interleave their files.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sbqw_model.errors import InputError
from sbqw_model.fileio import TEMP_PREFIX, is_temporary, owned_elsewhere

MAX_NAME_BYTES = 100  # UTF-8 bytes of a name's stem: room for ".failed.ipynb" and temp affixes
HASH_CHARS = 8  # hex digits of the hash that keeps a shortened name distinct
LOCK_NAME = ".sbqw-lock"
WORK_PREFIX = TEMP_PREFIX  # temporary files and work folders inside an output folder
_UNSAFE = re.compile(r"[^\w\-]+", flags=re.UNICODE)  # dots too: no name looks like a suffix
#: Windows device names (``COM¹`` too): Windows cannot open them as files, whatever follows.
_DEVICE = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", flags=re.IGNORECASE)
WRITE_ERRNOS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the folder is on a read-only disk",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a file of that name is in the way",
    errno.EISDIR: "a folder of that name is in the way",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EFBIG: "the file is larger than this system or its limits allow",
}


def is_device_name(stem: str) -> bool:
    return bool(_DEVICE.match(stem))


def safe_name(name: str, default: str = "scenario", limit: int = MAX_NAME_BYTES) -> str:
    """A readable file name for ``name``: letters, digits, ``_`` and ``-``; at most ``limit`` bytes.

    Separators, dots, control and invisible characters become ``_``; leading ``_``/``-`` go
    (no hidden files, nothing that reads as an option). A name over the limit is cut at a
    character boundary and ends in a short hash of the full name, so two long names sharing
    their beginning stay distinct. Windows device names (``con``, ``nul`` …) get a ``_``.
    """
    text = unicodedata.normalize("NFC", str(name))
    cleaned = _UNSAFE.sub("_", text).strip("_-") or default
    if is_device_name(cleaned):
        cleaned += "_"
    if len(cleaned.encode("utf-8")) <= limit:
        return cleaned
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]
    room = limit - len(digest) - 1
    head = cleaned.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip("_-")
    return f"{head}-{digest}"


def unique_names(
    names: Iterable[str], reserved: Iterable[str] = (), default: str = "scenario"
) -> list[str]:
    """``safe_name`` of each, made unique in order (``-2``, ``-3`` …), ignoring letter case.

    Deterministic: the same names in the same order give the same files. ``reserved`` names
    (``index``, ``compare``) are never handed out.
    """
    taken = {r.casefold() for r in reserved}
    out = []
    for name in names:
        base = safe_name(name, default)
        candidate, n = base, 2
        while candidate.casefold() in taken:
            suffix = f"-{n}"
            candidate = safe_name(base, default, MAX_NAME_BYTES - len(suffix)) + suffix
            n += 1
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def inside(folder: Path, file_name: str) -> Path:
    """``folder / file_name``, refused (ValueError: a bug, names are sanitised) if it escapes."""
    root = Path(folder).resolve()
    target = (root / file_name).resolve()
    if target.parent != root:
        raise ValueError(f"{file_name!r} would be written outside {folder}")
    return Path(folder) / file_name


# --------------------------------------------------------------------------------------------
# Checking an --out before anything is computed, and failed writes as one line


def _nearest_existing(path: Path) -> Path:
    probe = Path(os.path.abspath(path))
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def folder_problems(out: Path, flag: str = "--out") -> list[str]:
    """Why ``out`` cannot be an output folder (empty when it can); writes nothing."""
    if _dangling(out):
        return [
            f"{flag} {out}: is a link to {os.readlink(out)}, which does not exist; choose"
            f" another {flag}"
        ]
    if out.exists() and not out.is_dir():
        return [f"{flag} {out}: exists and is not a folder; choose another {flag}"]
    return _writable_problems(out, flag)


def file_problems(
    out: Path, flag: str = "--out", inputs: dict[str, Path | None] | None = None
) -> list[str]:
    """Why ``out`` cannot be written as a file (empty when it can); writes nothing. ``inputs``
    (flag → the file it names): an ``--out`` that is one of them would replace what it reads."""
    for given, path in (inputs or {}).items():
        if path is not None and _same(out, path):
            return [
                f"{flag} {out}: is the file given to {given}; writing would replace it;"
                f" choose another {flag}"
            ]
    if _dangling(out):
        return [
            f"{flag} {out}: is a link to {os.readlink(out)}, which does not exist; choose"
            f" another {flag}"
        ]
    if out.is_dir():
        return [f"{flag} {out}: is a folder; give a file name"]
    if out.exists() and not out.is_file():  # a FIFO, socket or device: replaced by the rename
        return [f"{flag} {out}: is not a regular file (a device or pipe); give a file name"]
    return _writable_problems(out.parent, flag, out)


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # either missing (nothing to replace) or unreadable
        return False


def _dangling(path: Path) -> bool:
    """A symbolic link to nothing: checked before any work, not found by the last write."""
    return path.is_symlink() and not path.exists()


def _writable_problems(folder: Path, flag: str, shown: Path | None = None) -> list[str]:
    shown = shown if shown is not None else folder
    base = _nearest_existing(folder)
    if not base.is_dir():
        return [f"{flag} {shown}: {base} is a file, not a folder; choose another {flag}"]
    if not os.access(base, os.W_OK | os.X_OK):
        return [f"{flag} {shown}: {base} is not writable (read-only); choose another {flag}"]
    return []


def check_folder(out: Path, flag: str = "--out") -> None:
    problems = folder_problems(out, flag)
    if problems:
        raise InputError(problems)


def write_problem(exc: OSError, where: Path, elsewhere: str = "choose another --out") -> str:
    """One line for a write that failed: where (the very file, when it is inside ``where``:
    a folder named ``summary.json`` in the way), why, and what to do about that."""
    why = WRITE_ERRNOS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    target = exc.filename2 if exc.filename2 is not None else exc.filename  # a rename's target
    if isinstance(target, str | os.PathLike):
        named, folder = Path(os.path.abspath(target)), Path(os.path.abspath(where))
        if named.is_relative_to(folder) and not any(
            part.startswith(".") for part in named.relative_to(folder).parts
        ):
            where = Path(where) / named.relative_to(folder)  # the user's own file, in the way
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    advice = f"free some space or {elsewhere}" if full else elsewhere
    return f"{where}: cannot write ({why}); nothing was left half-written; {advice}"


def is_write_failure(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS


@contextmanager
def writing(where: Path) -> Iterator[None]:
    """Turn a failed write under ``where`` (full disk, read-only, …) into an InputError line."""
    try:
        yield
    except OSError as exc:
        if not is_write_failure(exc):
            raise
        raise InputError([write_problem(exc, where)]) from None


# --------------------------------------------------------------------------------------------
# One run per output folder


@contextmanager
def output_lock(folder: Path, command: str, flag: str = "--out") -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (created if absent) for the block.

    The lock is ``flock`` on ``folder/.sbqw-lock`` (the kernel drops it when the process dies,
    so a killed run never leaves a stale lock); the file names the holder for the message the
    second run prints. Once it is held, what a killed run left is removed
    (``remove_stale_work``), and again on release (a stop between a temporary file's creation
    and its clean-up). On release the lock file goes, and the folder too if this run created
    it and left it empty: also when a Ctrl-C lands while the lock is being taken.
    """
    folder = Path(folder)
    path = folder / LOCK_NAME
    created = False
    opened: list[IO[str]] = []  # the lock file once open, ours to remove only if we hold it
    try:
        with writing(folder):
            created = not folder.exists()
            folder.mkdir(parents=True, exist_ok=True)
            _acquire(path, folder, command, flag, opened)
        remove_stale_work(folder)
        yield folder
    finally:
        for handle in opened:
            if _holding(handle) and _same_file(handle, path):
                remove_stale_work(folder)
                with contextlib.suppress(OSError):
                    path.unlink()
            with contextlib.suppress(OSError):  # a full disk fails its flush; it still closes
                handle.close()  # closing drops the flock
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty


def _acquire(path: Path, folder: Path, command: str, flag: str, opened: list[IO[str]]) -> None:
    """Lock ``path``, its handle in ``opened`` from the moment it is open (an interrupt then
    still finds it); another run's lock is an InputError naming that run."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (documented in docs/safety.md)
        return
    for _ in range(20):
        opened.append(open(path, "a+", encoding="utf-8"))  # noqa: SIM115 (held for the run)
        handle = opened[-1]
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            opened.remove(handle)
            holder = _holder(handle)
            handle.close()
            raise InputError(
                [f"{folder}: is in use by {holder}; wait or choose another {flag}"]
            ) from None
        # the holder before us may have removed the file between our open and our lock
        if _same_file(handle, path):
            handle.seek(0)
            handle.truncate()
            started = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime())
            info = {"pid": os.getpid(), "command": command, "started": started}
            handle.write(json.dumps(info, ensure_ascii=False))
            handle.flush()
            return
        opened.remove(handle)
        handle.close()
    raise InputError([f"{folder}: could not lock it; choose another {flag}"])


def _holding(handle: IO[str]) -> bool:
    """Whether this process holds (or could take at once) the lock on ``handle``'s file: only
    then is the file ours to remove. (A file no run holds may be one another run has just
    opened: it finds the file gone when it locks, and takes a new one.)"""
    try:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (ImportError, OSError, ValueError):
        return False
    return True


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:
        return False


def _holder(handle: IO[str]) -> str:
    """ "PID N (sbqw report started at …)", read from the lock file (briefly empty at start)."""
    for _ in range(10):
        handle.seek(0)
        text = handle.read()
        try:
            info = json.loads(text)
            return f"PID {info['pid']} ({info['command']} started at {info['started']})"
        except (ValueError, KeyError, TypeError):
            time.sleep(0.05)
    return "another sbqw run"


def remove_stale_work(folder: Path) -> None:
    """The work folders and temporary files (``fileio.is_temporary``) a killed run left in
    ``folder``, and nothing else.

    Called holding the folder's lock, so no other locked run is using them; a name a live
    process is writing (a command that takes no lock, ``fileio.owned_elsewhere``) is kept.
    A run killed while it wrote left a half-written ``.sbqw-baseline.….tmp.html`` (or a
    sensitivity's staging folder, which then made the next run call the folder "not empty")
    that no later run removed. Any
    ``.sbqw-*`` name was removed: a user's ``.sbqw-notes.txt``, and a folder named
    ``.sbqw-out`` that an earlier ``--out`` wrote, whole.
    """
    for path in Path(folder).glob(f"{WORK_PREFIX}*"):
        if not is_temporary(path.name) or owned_elsewhere(path.name):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()


__all__ = [
    "LOCK_NAME",
    "MAX_NAME_BYTES",
    "check_folder",
    "file_problems",
    "folder_problems",
    "inside",
    "is_write_failure",
    "output_lock",
    "remove_stale_work",
    "safe_name",
    "unique_names",
    "write_problem",
    "writing",
]
