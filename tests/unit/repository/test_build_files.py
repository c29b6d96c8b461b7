"""The build files agree with the code: what is installed, copied into the image and pinned."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Installed by the environment itself, not by our requirements.
NOT_OURS = {"pip", "setuptools", "wheel", "channel-ledger"}


def pins() -> dict[str, str]:
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pinned[canonicalize_name(name)] = version.strip()
    return pinned


def top_level_packages() -> list[str]:
    """The packages pyproject installs, by their top-level directory."""
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted(pattern.rstrip("*") for pattern in patterns)


def test_every_package_with_an_init_is_installed() -> None:
    roots = top_level_packages()
    for init in ROOT.glob("*/__init__.py"):
        if init.parent.name not in ("tests", "benchmarks"):
            assert init.parent.name in roots, f"{init.parent.name}/ is not in packages.find"


def test_the_image_copies_every_installed_package_and_installs_from_the_pins() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\w+) \1$", dockerfile, flags=re.M))
    assert copied == set(top_level_packages())
    assert re.search(r"^RUN pip install .*-c constraints\.txt", dockerfile, flags=re.M)
    assert "constraints.txt" in re.search(r"^COPY pyproject.toml .*$", dockerfile, flags=re.M)[0]


def test_every_installed_distribution_is_pinned_at_its_installed_version() -> None:
    """A dependency added to pyproject.toml without `make lock` fails here, not in a later
    build that picks whatever release is newest that day."""
    pinned = pins()
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name not in NOT_OURS:
            assert pinned.get(name) == dist.version, f"{name} {dist.version} is not pinned"


def test_every_pin_satisfies_the_ranges_pyproject_declares() -> None:
    pinned = pins()
    project = PYPROJECT["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    for requirement in map(Requirement, declared):
        version = pinned.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is declared but not pinned"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement.name}=={version} is outside {requirement.specifier}"
        )


def test_make_install_installs_from_the_pins() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q -c constraints.txt -e '.[dev]'" in makefile


def test_the_license_is_an_spdx_expression_as_setuptools_expects() -> None:
    # setuptools 77+ deprecates the `{ text = ... }` table (a warning on every build).
    from packaging.licenses import canonicalize_license_expression  # noqa: PLC0415

    license_ = PYPROJECT["project"]["license"]
    assert isinstance(license_, str)
    assert canonicalize_license_expression(license_) == license_
    assert PYPROJECT["build-system"]["requires"] == ["setuptools>=77"]


def test_the_image_runs_as_the_unprivileged_user_it_creates() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)$", dockerfile, flags=re.M)
    assert users, "the image sets no USER, so it runs as root"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit(), "the last USER must be numeric, so non-root can be verified"
    assert gid.isdigit()
    assert int(uid) != 0
    assert int(gid) != 0
    assert re.search(rf"useradd [^\n]*--uid {uid}\b", dockerfile)
    assert re.search(rf"groupadd [^\n]*--gid {gid}\b", dockerfile)
    # What the processes write (the data directory, the API's tokens volume) is theirs.
    assert re.search(r"chown ledger:ledger /app/var /var/lib/ledger", dockerfile)
    assert dockerfile.index(f"USER {users[-1]}") > dockerfile.index("RUN pip install")
