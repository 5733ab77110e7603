"""Every file recoverylint reads or writes goes through here.

Reading: `read_file` opens without blocking (a FIFO named by mistake must
not hang the run), checks with fstat on the open descriptor that it is a
regular file (a device such as /dev/zero must not be read forever), refuses
one over its size limit before reading, and reads at most one byte past the
limit whatever the file claims (a file may grow while it is read).  Where
recoverylint owns the path (its cache) a symbolic link is refused, not
followed.  Every failure is an `UnreadableFile`, an OSError whose message
says what is wrong and whose `filename` names the file.

Writing: `write_atomically` (files the user keeps) and `write_new` (the
cache's entries) never leave half a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PathLike = str | Path

# O_NONBLOCK: opening a FIFO with no writer returns at once instead of
# waiting for one; it changes nothing for a regular file.
_READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# Reading past what fstat said (a file that grew) goes on in pieces of this size.
_PIECE = 1 << 16

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symbolic link"),
)


class UnreadableFile(OSError):
    """A file that cannot be read as asked: `strerror` says why, `filename` names it."""

    def __init__(self, path: PathLike, problem: str, code: int = errno.EINVAL) -> None:
        super().__init__(code, problem, str(path))

    def __str__(self) -> str:
        return f"cannot read {self.filename}: {self.strerror}"


class NotRegularFile(UnreadableFile):
    """A folder, FIFO, device or socket where a file's contents were expected."""

    def __init__(self, path: PathLike, mode: int) -> None:
        super().__init__(path, f"not a regular file: it is {kind_of(mode)}")
        self.kind = kind_of(mode)


class LinkRefused(UnreadableFile):
    """A symbolic link where recoverylint owns the path and follows none."""

    def __init__(self, path: PathLike) -> None:
        super().__init__(path, "it is a symbolic link, which is not followed here", errno.ELOOP)


class TooLargeFile(UnreadableFile):
    """A file over the size limit it was read with."""

    def __init__(self, path: PathLike, size: int, limit: int, exact: bool = True) -> None:
        super().__init__(path, over_limit(size, limit, exact), errno.EFBIG)


def over_limit(size: int, limit: int, exact: bool = True) -> str:
    """Why a file of `size` bytes is refused (`exact`: the size is known,
    not only that it is past the limit)."""
    amount = f"{size:,} bytes" if exact else f"more than {limit:,} bytes"
    return f"the file is {amount}, over the limit of {limit:,} bytes"


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_file(
    path: PathLike, limit: int, *, follow_links: bool = True, dir_fd: int | None = None
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (see the module's
    documentation); `path` is relative to the folder `dir_fd` when given."""
    return read_file_status(path, limit, follow_links=follow_links, dir_fd=dir_fd)[0]


def read_file_status(
    path: PathLike, limit: int, *, follow_links: bool = True, dir_fd: int | None = None
) -> tuple[bytes, os.stat_result]:
    """`read_file`, and the file's status as fstat gave it on the open file."""
    descriptor, status = _open_regular(path, follow_links, dir_fd)
    try:
        if status.st_size > limit:
            raise TooLargeFile(path, status.st_size, limit)
        # One read of what fstat announced (and one byte more, to see the end),
        # then pieces until the end or one byte past the limit.
        pieces = [os.read(descriptor, min(status.st_size, limit) + 1)]
        total = len(pieces[0])
        while pieces[-1] and total <= limit:
            pieces.append(os.read(descriptor, min(_PIECE, limit + 1 - total)))
            total += len(pieces[-1])
        if total > limit:
            raise TooLargeFile(path, total, limit, exact=False)
        # The last piece is the empty read at the end: a file read in one
        # piece is returned as read (a join of one bytes object is no copy).
        return b"".join(pieces[:-1]), status
    except UnreadableFile:
        raise
    except OSError as error:
        raise UnreadableFile(path, error.strerror or str(error), error.errno or errno.EIO) from None
    finally:
        os.close(descriptor)


def read_head(
    path: PathLike, size: int, *, follow_links: bool = True, dir_fd: int | None = None
) -> bytes:
    """The first `size` bytes of a regular file (fewer when it is shorter)."""
    descriptor, _ = _open_regular(path, follow_links, dir_fd)
    try:
        pieces = [os.read(descriptor, size)]
        total = len(pieces[0])
        while pieces[-1] and total < size:  # a read may return less than asked
            pieces.append(os.read(descriptor, size - total))
            total += len(pieces[-1])
        return b"".join(pieces)
    except OSError as error:
        raise UnreadableFile(path, error.strerror or str(error), error.errno or errno.EIO) from None
    finally:
        os.close(descriptor)


def open_regular(
    path: PathLike, *, follow_links: bool = True, dir_fd: int | None = None
) -> tuple[int, os.stat_result]:
    """A descriptor open for reading on a regular file, and its status as
    fstat gave it (see the module's documentation), for reading parts of it
    with `read_at`; the caller closes it."""
    return _open_regular(path, follow_links, dir_fd)


def read_at(descriptor: int, offset: int, size: int) -> bytes:
    """`size` bytes of an open file from `offset`, fewer only where the file
    ends (os.pread: POSIX, as the cache that reads entries in parts is)."""
    data = os.pread(descriptor, size, offset)
    if len(data) == size or not data:
        return data
    pieces = [data]  # a read may return less than asked
    total = len(data)
    while total < size and pieces[-1]:
        pieces.append(os.pread(descriptor, size - total, offset + total))
        total += len(pieces[-1])
    return b"".join(pieces)


class OpenFile:
    """A descriptor open for reading, closed once nothing refers to it (a
    FileRange may be written long after the function that opened it returned)."""

    def __init__(self, descriptor: int, path: PathLike) -> None:
        self.descriptor = descriptor
        self.path = path  # to name it

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.descriptor)


class RangeUnreadable(UnreadableFile):
    """A FileRange that could not be read whole: its file failed, or became
    shorter since it was opened."""


@dataclass(frozen=True)
class FileRange:
    """`length` bytes of an open file from `offset`, read only when wanted
    (bytes()): a report of the parts the cache keeps reads one at a time as
    it writes it, never tens of MB at once."""

    file: OpenFile
    offset: int
    length: int

    def __len__(self) -> int:
        return self.length

    def __bytes__(self) -> bytes:
        try:
            data = read_at(self.file.descriptor, self.offset, self.length)
        except OSError as error:
            raise RangeUnreadable(self.file.path, error.strerror or str(error), error.errno or errno.EIO) from None
        if len(data) != self.length:
            raise RangeUnreadable(self.file.path, "it became shorter while it was read", errno.EIO)
        return data


def _open_regular(
    path: PathLike, follow_links: bool, dir_fd: int | None
) -> tuple[int, os.stat_result]:
    """A descriptor open for reading on a regular file, and its status."""
    flags = _READ_FLAGS if follow_links else _READ_FLAGS | _NO_FOLLOW
    try:
        descriptor = os.open(path, flags, dir_fd=dir_fd)
    except OSError as error:
        if not follow_links and error.errno in (errno.ELOOP, errno.EMLINK):
            # O_NOFOLLOW on a link fails with ELOOP (EMLINK on FreeBSD).
            mode = _own_mode(path, dir_fd)
            if mode is not None and stat.S_ISLNK(mode):
                raise LinkRefused(path) from None
        raise UnreadableFile(path, error.strerror or str(error), error.errno or errno.EIO) from None
    try:
        status = os.fstat(descriptor)
    except OSError as error:
        os.close(descriptor)
        raise UnreadableFile(path, error.strerror or str(error), error.errno or errno.EIO) from None
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise NotRegularFile(path, status.st_mode)
    return descriptor, status


def open_folder(path: PathLike, dir_fd: int | None = None) -> int:
    """A descriptor of a folder, never reached through a symbolic link as its
    last part; the caller closes it.  LinkRefused for a link, UnreadableFile
    for anything else that is not a folder."""
    flags = os.O_RDONLY | _DIRECTORY | _NO_FOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags, dir_fd=dir_fd)
    except OSError as error:
        problem = error.strerror or str(error)
        if error.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR):
            mode = _own_mode(path, dir_fd)
            if mode is not None and stat.S_ISLNK(mode):
                raise LinkRefused(path) from None
            if mode is not None and not stat.S_ISDIR(mode):
                problem = f"it is {kind_of(mode)}, not a folder"
        raise UnreadableFile(path, problem, error.errno or errno.EIO) from None


def _own_mode(path: PathLike, dir_fd: int | None) -> int | None:
    """The mode of `path` itself (of a link, not of what it points at)."""
    try:
        return os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except OSError:
        return None


def write_new(
    name: str, data: bytes | Sequence[bytes], dir_fd: int, mode: int = 0o666
) -> os.stat_result:
    """Write `data` (or its pieces, one after another) to a new file beside `name` in the folder `dir_fd`, then
    rename it over `name`: readers see the old file or the new one, never part
    of one, and an existing link named `name` is replaced, never followed.
    The file is made with `mode` (less the umask).  Returns the status of the
    file written, as fstat gives it after the rename (of that file, whatever
    is renamed over `name` afterwards)."""
    temporary = f"{name}.{os.urandom(6).hex()}.tmp"  # secrets.token_hex, without importing secrets
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(temporary, flags, mode, dir_fd=dir_fd)
    # A second descriptor of the file, for its status after the rename; the
    # first is closed before it, as close reports a write that failed late
    # (NFS, a quota), and the file is then not renamed over `name`.
    kept = None
    try:
        try:
            for piece in (data,) if isinstance(data, bytes) else data:
                view = memoryview(piece)
                while view:
                    view = view[os.write(descriptor, view) :]
            kept = os.dup(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        return os.fstat(kept)  # after the rename, which may change its change time
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=dir_fd)
        raise
    finally:
        if kept is not None:
            os.close(kept)


def write_atomically(target: Path, text: str | Sequence[str]) -> None:
    """Write `text` (or its pieces) to a new file beside `target`, then rename it over `target`:
    a crash or a full disk leaves the old file whole, never half of a new one.
    A link is written through (the link stays, its file is replaced) and an
    existing file keeps its permissions.  Raises OSError, also when `target`
    is something other than a regular file (a device or a FIFO must not be
    replaced by a file)."""
    target = Path(os.path.realpath(target))
    try:
        existing = target.stat()
    except FileNotFoundError:
        mode = None
    else:
        if not stat.S_ISREG(existing.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(target))
        mode = stat.S_IMODE(existing.st_mode)
    temporary = target.with_name(f".{target.name[:200]}.{os.urandom(6).hex()}.tmp")
    # Created like any file the user writes (0666 less the umask), where
    # mkstemp would leave a file only its owner can read.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        if mode is not None:
            os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.writelines((text,) if isinstance(text, str) else text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
