#!/usr/bin/env python3
"""Copy pinned front-end dist files from node_modules/ into kefu/static/vendor/.

Kefu never loads anything from a CDN: the browser must only ever talk to the
Kefu server itself.  The vendored files are committed to git, so a fresh
machine needs neither npm nor network access; this script is only run by a
developer after changing a version in package.json and running `npm install`.

Usage (from the repository root):

    npm install
    python scripts/vendor_assets.py          # (re)write kefu/static/vendor/
    python scripts/vendor_assets.py --check  # exit 1 if the vendored copy is stale

What the copy step does besides copying:

* Checks that every installed package has exactly the version pinned in
  package.json (so the vendored files always match the lock file).
* Removes trailing ``sourceMappingURL`` comments: the .map files are not
  vendored, and a dangling reference makes browsers' devtools request a
  missing file and makes Django's ManifestStaticFilesStorage fail in
  ``collectstatic``.
* Removes any ``@import`` of an external (http/https or protocol-relative)
  URL from CSS, e.g. web fonts from rsms.me or Google Fonts, and then refuses
  to write a CSS file that still references anything outside this server.
* Writes each package's licence (LICENSE, plus NOTICE where the licence
  requires it) next to its files.  Packages that publish no licence file to
  npm (@tabler/core, alpinejs) get the upstream MIT text embedded below.
* Writes kefu/static/vendor/VENDORED.json listing package versions and the
  SHA-256 of every vendored file.

Standard library only (Python 3.11+).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR_DIR = ROOT / "kefu" / "static" / "vendor"
MANIFEST_NAME = "VENDORED.json"


@dataclass(frozen=True)
class Package:
    npm_name: str
    dest: str  # directory name under kefu/static/vendor/
    # (path inside the npm package, file name in the vendor directory)
    files: tuple[tuple[str, str], ...]
    # licence/notice files shipped in the npm package: (source, dest name)
    licenses: tuple[tuple[str, str], ...] = ()
    # licence text to write when the npm package ships no licence file
    embedded_license: str | None = None


MIT_BODY = """\
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
"""

# The npm tarballs of these two packages contain no LICENSE file; the text is
# the upstream repository's LICENSE (tabler/tabler LICENSE, alpinejs/alpine
# LICENSE.md), with the copyright years taken from the dist file banners.
TABLER_LICENSE = (
    "The MIT License (MIT)\n\n"
    "Copyright (c) 2018-2026 The Tabler Authors\n"
    "Copyright (c) 2018-2026 codecalm.net Pawel Kuna\n\n"
    + MIT_BODY
    + "\n(Source: https://github.com/tabler/tabler/blob/main/LICENSE ;"
    " the @tabler/core npm package ships no LICENSE file.)\n"
)
ALPINE_LICENSE = (
    "MIT License\n\n"
    "Copyright (c) 2019-2021 Caleb Porzio and contributors\n\n"
    + MIT_BODY
    + "\n(Source: https://github.com/alpinejs/alpine/blob/main/LICENSE.md ;"
    " the alpinejs npm package ships no LICENSE file.)\n"
)

PACKAGES: tuple[Package, ...] = (
    Package(
        npm_name="@tabler/core",
        dest="tabler",
        # @tabler/core ships no icon webfont (icons are the separate
        # @tabler/icons-webfont package), so no icons are vendored.
        # tabler-vendors.min.css is Tabler's glue for third-party widgets; it
        # maps tom-select's Bootstrap 5 theme (which uses --bs-* variables that
        # Tabler does not define) onto Tabler's --tblr-* variables.  Load it
        # after tom-select.bootstrap5.min.css.
        files=(
            ("dist/css/tabler.min.css", "tabler.min.css"),
            ("dist/css/tabler-vendors.min.css", "tabler-vendors.min.css"),
            ("dist/js/tabler.min.js", "tabler.min.js"),
        ),
        embedded_license=TABLER_LICENSE,
    ),
    Package(
        npm_name="htmx.org",
        dest="htmx",
        files=(("dist/htmx.min.js", "htmx.min.js"),),
        licenses=(("LICENSE", "LICENSE"),),
    ),
    Package(
        npm_name="alpinejs",
        dest="alpinejs",
        files=(("dist/cdn.min.js", "alpine.min.js"),),
        embedded_license=ALPINE_LICENSE,
    ),
    Package(
        npm_name="echarts",
        dest="echarts",
        files=(("dist/echarts.min.js", "echarts.min.js"),),
        # Apache-2.0 requires the NOTICE file to travel with the code; the
        # bundle also contains code under the d3 licence.
        licenses=(
            ("LICENSE", "LICENSE"),
            ("NOTICE", "NOTICE"),
            ("licenses/LICENSE-d3", "LICENSE-d3"),
        ),
    ),
    Package(
        npm_name="signature_pad",
        dest="signature_pad",
        files=(("dist/signature_pad.umd.min.js", "signature_pad.umd.min.js"),),
        licenses=(("LICENSE", "LICENSE"),),
    ),
    Package(
        npm_name="tom-select",
        dest="tom-select",
        files=(
            ("dist/js/tom-select.complete.min.js", "tom-select.complete.min.js"),
            ("dist/css/tom-select.bootstrap5.min.css", "tom-select.bootstrap5.min.css"),
        ),
        licenses=(("LICENSE", "LICENSE"),),
    ),
)

# A source-map comment at the very end of a file (JS `//#` or CSS `/*# */`).
SOURCE_MAP_RE = re.compile(r"\n?(?://[#@]\s*sourceMappingURL=\S*|/\*[#@]\s*sourceMappingURL=[^*]*\*/)\s*\Z")
# `@import url(https://...)`, `@import "//..."` etc. (the whole statement).
EXTERNAL_IMPORT_RE = re.compile(r"""@import\s+(?:url\(\s*)?["']?\s*(?:https?:)?//[^;]*;""", re.IGNORECASE)
ANY_IMPORT_RE = re.compile(r"@import\b", re.IGNORECASE)
CSS_URL_RE = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)


class VendorError(Exception):
    pass


def pinned_versions() -> dict[str, str]:
    data = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return data.get("dependencies", {})


def installed_version(pkg: Package) -> str:
    meta = NODE_MODULES / pkg.npm_name / "package.json"
    if not meta.is_file():
        raise VendorError(f"{pkg.npm_name} is not installed; run `npm install` first")
    return json.loads(meta.read_text(encoding="utf-8"))["version"]


def process_text(name: str, text: str, notes: list[str]) -> str:
    """Strip source-map comments and external CSS imports; verify CSS urls."""
    text, n = SOURCE_MAP_RE.subn("\n", text)
    if n:
        notes.append(f"{name}: removed sourceMappingURL comment")
    if name.endswith(".css"):
        for match in EXTERNAL_IMPORT_RE.finditer(text):
            notes.append(f"{name}: REMOVED external import {match.group(0)!r}")
        text = EXTERNAL_IMPORT_RE.sub("", text)
        if ANY_IMPORT_RE.search(text):
            raise VendorError(f"{name}: unexpected @import left in CSS; vendor it explicitly")
        for match in CSS_URL_RE.finditer(text):
            url = match.group(2).strip()
            if url.lower().startswith("data:"):
                continue
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", url, re.IGNORECASE):
                raise VendorError(f"{name}: CSS references external URL {url!r}")
            raise VendorError(f"{name}: CSS references relative file {url!r}, which is not vendored")
    return text


def build(pkg: Package, version: str, notes: list[str]) -> dict[str, bytes]:
    """Return {file name: content} for one package's vendor directory."""
    src_root = NODE_MODULES / pkg.npm_name
    out: dict[str, bytes] = {}
    for src, dest in pkg.files:
        path = src_root / src
        if not path.is_file():
            raise VendorError(f"{pkg.npm_name}@{version}: missing {src}")
        text = path.read_text(encoding="utf-8")
        out[dest] = process_text(f"{pkg.dest}/{dest}", text, notes).encode("utf-8")
    for src, dest in pkg.licenses:
        path = src_root / src
        if not path.is_file():
            raise VendorError(f"{pkg.npm_name}@{version}: missing licence file {src}")
        out[dest] = path.read_bytes()
    if pkg.embedded_license is not None:
        out["LICENSE"] = pkg.embedded_license.encode("utf-8")
    if "LICENSE" not in out:
        raise VendorError(f"{pkg.npm_name}: no LICENSE configured")
    return out


def build_all(notes: list[str]) -> tuple[dict[str, dict[str, bytes]], bytes]:
    pins = pinned_versions()
    trees: dict[str, dict[str, bytes]] = {}
    manifest: dict[str, dict] = {}
    for pkg in PACKAGES:
        pinned = pins.get(pkg.npm_name)
        version = installed_version(pkg)
        if pinned is None:
            raise VendorError(f"{pkg.npm_name} is not listed in package.json")
        if pinned != version:
            raise VendorError(
                f"{pkg.npm_name}: package.json pins {pinned} but {version} is installed; run `npm install`"
            )
        files = build(pkg, version, notes)
        trees[pkg.dest] = files
        manifest[pkg.dest] = {
            "npm": pkg.npm_name,
            "version": version,
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
        }
    manifest_bytes = (
        json.dumps(
            {"generated_by": "scripts/vendor_assets.py", "packages": manifest},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    ).encode("utf-8")
    return trees, manifest_bytes


def check(trees: dict[str, dict[str, bytes]], manifest: bytes) -> list[str]:
    problems = []
    expected = {f"{d}/{n}": data for d, files in trees.items() for n, data in files.items()}
    expected[MANIFEST_NAME] = manifest
    for rel, data in sorted(expected.items()):
        path = VENDOR_DIR / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif path.read_bytes() != data:
            problems.append(f"differs: {rel}")
    for d in trees:
        if (VENDOR_DIR / d).is_dir():
            for path in sorted((VENDOR_DIR / d).rglob("*")):
                rel = path.relative_to(VENDOR_DIR).as_posix()
                if path.is_file() and rel not in expected:
                    problems.append(f"unexpected: {rel}")
    return problems


def write(trees: dict[str, dict[str, bytes]], manifest: bytes) -> None:
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    total = 0
    for dest, files in trees.items():
        target = VENDOR_DIR / dest
        if target.exists():
            shutil.rmtree(target)  # drop files from older versions
        target.mkdir(parents=True)
        for name, data in sorted(files.items()):
            (target / name).write_bytes(data)
            total += len(data)
            print(f"{len(data):>10,}  vendor/{dest}/{name}")
    (VENDOR_DIR / MANIFEST_NAME).write_bytes(manifest)
    total += len(manifest)
    print(f"{len(manifest):>10,}  vendor/{MANIFEST_NAME}")
    print(f"{total:>10,}  total")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if kefu/static/vendor/ differs from node_modules",
    )
    args = parser.parse_args(argv)
    notes: list[str] = []
    try:
        trees, manifest = build_all(notes)
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"note: {note}")
    if args.check:
        problems = check(trees, manifest)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(
                "vendored assets are stale; run scripts/vendor_assets.py",
                file=sys.stderr,
            )
            return 1
        print("vendored assets are up to date")
        return 0
    write(trees, manifest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
