"""A class folder: one folder or zip per student, each zip unpacked safely, each submission's files hashed."""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from pathlib import Path

# A zip is unpacked only within these bounds: a student's 33 notebooks take a few MB.
MAX_UNPACKED_BYTES = 200 << 20
MAX_MEMBERS = 2000


def students(folder: Path) -> list[tuple[str, Path]]:
    """The students of a class folder: each subfolder, and each ``.zip``, by name.

    Parameters
    ----------
    folder : Path
        The class folder.

    Returns
    -------
    list of (str, Path)
        Each student's name (the folder's, or the zip's without ``.zip``) and submission, by name.
    """
    found = [
        (entry.stem if entry.suffix == ".zip" else entry.name, entry)
        for entry in sorted(Path(folder).iterdir())
        if not entry.name.startswith(".") and (entry.is_dir() or entry.suffix == ".zip")
    ]
    names = [name for name, _ in found]
    if len(set(names)) != len(names):
        raise ValueError(f"{folder}: two submissions of the same name (a folder and a zip?)")
    return found


def unpack(archive: Path, folder: Path) -> None:
    """Extract ``archive`` into ``folder``, refusing paths that leave it, links and oversized content.

    Each file keeps the date the zip gives it, which decides between two files of one question.
    """
    with zipfile.ZipFile(archive) as zipped:
        members = zipped.infolist()
        if len(members) > MAX_MEMBERS:
            raise ValueError(f"{len(members)} files in the zip (at most {MAX_MEMBERS})")
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise ValueError(f"the zip unpacks to more than {MAX_UNPACKED_BYTES >> 20} MB")
        root = folder.resolve()
        for member in members:
            target = (folder / member.filename).resolve()
            is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
            if is_link or not target.is_relative_to(root) or target == root:
                raise ValueError(f"the zip holds {member.filename!r}, which would land outside its folder")
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(member) as source, open(target, "wb") as copy:
                copy.write(source.read(MAX_UNPACKED_BYTES + 1)[:MAX_UNPACKED_BYTES])
            dated = time.mktime((*member.date_time, 0, 0, -1))
            os.utime(target, (dated, dated))


def digest(paths: list[Path], root: Path) -> str:
    """A hash of the files to grade, by name and content: what decides whether to grade again."""
    hashed = hashlib.sha256()
    for path in paths:
        hashed.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return hashed.hexdigest()
