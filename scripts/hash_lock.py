"""Add the sha256 of every published file of each pinned version to requirements.lock, so that
`pip install --require-hashes` installs exactly the files PyPI published (run by `make lock`).

Usage: python scripts/hash_lock.py requirements.lock  (rewrites the file in place)
"""

import json
import re
import sys
import urllib.request
from pathlib import Path

INDEX = "https://pypi.org/simple/{}/"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def normalised(name: str) -> str:
    """PEP 503: the index's name of a project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def file_version(filename: str, project: str) -> str | None:
    """The version in a distribution's file name (wheel or sdist), or None."""
    stem = re.sub(r"\.(whl|tar\.gz|zip|tar\.bz2)$", "", filename)
    name = "[-_.]".join(re.escape(part) for part in project.split("-"))
    prefix = re.match(rf"^{name}-", stem, re.IGNORECASE)
    return stem[prefix.end() :].split("-")[0] if prefix else None


def hashes(name: str, version: str) -> list[str]:
    """The sha256 of each file PyPI has for name==version."""
    request = urllib.request.Request(
        INDEX.format(normalised(name)), headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    found = sorted(
        {f["hashes"]["sha256"] for f in files if file_version(f["filename"], normalised(name)) == version}
    )
    if not found:
        raise SystemExit(f"PyPI has no files of {name}=={version}")
    return found


def main(path: Path) -> None:
    """Rewrite `path` with the hashes of each pin."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        pin = PIN.match(line)
        if not pin or line.startswith("#"):
            if not line.strip().startswith("--hash"):
                lines.append(line)
            continue
        name, version = pin.groups()
        hashed = [f"    --hash=sha256:{digest}" for digest in hashes(name, version)]
        lines.append(" \\\n".join([f"{name}=={version}", *hashed]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
