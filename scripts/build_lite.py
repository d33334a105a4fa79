"""Build the JupyterLite site: the notebooks, the project, a Pyodide kernel, widgets and viz.js, no server.

    python scripts/build_lite.py [--output _site] [--packages URL_OR_DIR]

What the site ships (everything a scalar lesson needs, so notebooks 00-05 run with no network at all):
- the notebooks, the project's wheel (autograd_core + widgets) and the pure-Python wheels it imports
  (graphviz, ipywidgets, comm), all entered in Pyodide's lock file, so that a cell's
  `from widgets import ...` loads them the way Pyodide loads any package it knows;
- Pyodide's core (npm `pyodide`: wasm, stdlib, lock) and the pure-Python wheels the kernel loads at start
  (IPython, jedi, micropip, ...), downloaded from PyPI at the lock's versions; PyPI's files are not
  byte-identical to Pyodide's builds, so the lock's sha256 values are rewritten for the files shipped;
- the Pyodide kernel and ipywidgets' front end (jupyterlab_widgets), from the Python packages;
- viz.js (npm `@viz-js/viz`): Graphviz compiled to WebAssembly, at static/viz/viz.js;
- a small wheel the kernel loads at start (scripts/lite/backprop_lab_lite.py, an IPython extension):
  when a package the site does not ship cannot be fetched (offline), it says so and what to do,
  instead of a bare ModuleNotFoundError.

Everything else in Pyodide's lock (numpy, matplotlib, Pillow and their compiled dependencies, which no
registry reachable from CI has) is loaded from --packages: by default Pyodide's own CDN, or a local
Pyodide distribution folder (its wheels are copied into the site). Downloads are cached in
$BACKPROP_LAB_CACHE (default ~/.cache/backprop-lab/lite), so a rebuild needs no network.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from base64 import urlsafe_b64encode
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]

PYODIDE_VERSION = "314.0.6"  # what jupyterlite-pyodide-kernel 0.8.6 is built for
VIZ_VERSION = "3.31.0"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
# The Pyodide packages the kernel loads before the first cell (with their dependencies, from the lock).
KERNEL_START = ["micropip", "ipython", "jedi"]
# The Pyodide core files the site serves (the rest of the npm package is docs, types, source maps).
PYODIDE_CORE = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide.js",
                "package.json"]
# Pure-Python wheels the project needs in the kernel, at the versions the tests run here, and what each
# one's lock entry says it provides and needs.
EXTRA = {
    "comm": {"imports": ["comm"], "depends": []},
    "graphviz": {"imports": ["graphviz"], "depends": []},
    # ipywidgets' other requirements (widgetsnbextension, jupyterlab_widgets) are front-end bundles,
    # shipped as the site's lab extension; the kernel never imports them.
    "ipywidgets": {"imports": ["ipywidgets"], "depends": ["comm", "ipython", "traitlets"]},
}
PROJECT = {"imports": ["autograd_core", "widgets"], "depends": ["graphviz", "ipywidgets"]}
# The kernel's start-up extension: explains a package that could not be fetched.
HINT = "backprop_lab_lite"
HINT_VERSION = "0.1.0"
HINT_PACKAGE = "backprop-lab-lite"


def say(text: str) -> None:
    print(f"[lite] {text}", flush=True)


def die(text: str) -> None:
    print(f"[lite] ERROR: {text}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(cmd: list[str], **kwargs) -> None:
    try:
        subprocess.run(cmd, check=True, **kwargs)
    except FileNotFoundError:
        die(f"`{cmd[0]}` is not installed (Debian/Ubuntu: apt-get install {cmd[0]}); it builds the site")
    except subprocess.CalledProcessError as e:
        die(f"`{' '.join(cmd)}` failed with exit code {e.returncode} (see above)")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# ----- downloads (cached) ---------------------------------------------------------------------------
def npm_package(spec: str, cache: Path) -> Path:
    """The unpacked npm package `name@version` (npm pack from the registry, once)."""
    name, version = spec.rsplit("@", 1)
    tgz = cache / "npm" / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not tgz.exists():
        tgz.parent.mkdir(parents=True, exist_ok=True)
        say(f"npm pack {spec}")
        run(["npm", "pack", "--silent", "--pack-destination", str(tgz.parent), spec],
            stdout=subprocess.DEVNULL)
    unpacked = cache / "npm" / tgz.stem
    if not (unpacked / "package" / "package.json").exists():
        shutil.rmtree(unpacked, ignore_errors=True)
        with tarfile.open(tgz) as tar:
            tar.extractall(unpacked, filter="data")
    return unpacked / "package"


def pypi_wheel(name: str, version: str, cache: Path) -> Path:
    """The pure-Python wheel of name==version from PyPI (pip download, once)."""
    folder = cache / "wheels"
    stem = "[-_.]".join(re.escape(part) for part in re.split(r"[-_.]+", name))
    pattern = re.compile(rf"^{stem}-{re.escape(version)}-.*none-any\.whl$", re.IGNORECASE)
    found = [p for p in folder.glob("*.whl") if pattern.match(p.name)] if folder.exists() else []
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
             "--python-version", "3.14", "--implementation", "py", "--platform", "any",
             "--dest", str(folder), f"{name}=={version}"])
        found = [p for p in folder.glob("*.whl") if pattern.match(p.name)]
    if len(found) != 1:
        die(f"expected one pure-Python wheel of {name}=={version} in {folder}, found {found}")
    return found[0]


def project_wheel(folder: Path) -> Path:
    """A wheel of this repository (autograd_core + widgets), built fresh."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir", str(folder), str(ROOT)])
    (wheel,) = folder.glob("backprop_lab-*.whl")
    return wheel


def hint_wheel(folder: Path, remote: dict[str, str]) -> Path:
    """A wheel of scripts/lite/backprop_lab_lite.py, its {import: source} table, and the IPython config
    (a data file, installed under sys.prefix/etc/ipython) that loads it as an extension at kernel start."""
    dist = f"{HINT}-{HINT_VERSION}"
    files = {
        f"{HINT}.py": (ROOT / "scripts" / "lite" / f"{HINT}.py").read_bytes(),
        f"{HINT}.json": json.dumps(remote, indent=1, sort_keys=True).encode(),
        f"{dist}.data/data/etc/ipython/ipython_config.json":
            json.dumps({"InteractiveShellApp": {"extensions": [HINT]}}).encode(),
        f"{dist}.dist-info/METADATA":
            f"Metadata-Version: 2.1\nName: {HINT_PACKAGE}\nVersion: {HINT_VERSION}\n".encode(),
        f"{dist}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: build_lite\nRoot-Is-Purelib: true\n"
                                    b"Tag: py3-none-any\n",
    }
    record = [f"{name},sha256={urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
              f"{len(data)}" for name, data in files.items()]
    files[f"{dist}.dist-info/RECORD"] = ("\n".join(record + [f"{dist}.dist-info/RECORD,,"]) + "\n").encode()
    wheel = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)  # reproducible
    return wheel


def source_name(url: str) -> str:
    """How the offline message names where a package comes from."""
    host = urlparse(url).hostname or url
    return f"Pyodide's package CDN ({host})" if host == "cdn.jsdelivr.net" else host


# ----- the Pyodide distribution with its rewritten lock ---------------------------------------------
def lock_entry(wheel: Path, name: str, version: str, imports: list[str], depends: list[str]) -> dict:
    return {"name": name, "version": version, "file_name": wheel.name, "install_dir": "site",
            "sha256": sha256(wheel), "package_type": "package", "imports": imports, "depends": depends,
            "unvendored_tests": False}


def start_closure(packages: dict) -> list[str]:
    """The lock keys of KERNEL_START and everything they depend on."""
    by_name = {canonical(k): k for k in packages}
    todo, seen = list(KERNEL_START), set()
    while todo:
        key = by_name[canonical(todo.pop())]
        if key not in seen:
            seen.add(key)
            todo += packages[key]["depends"]
    return sorted(seen)


def build_pyodide(target: Path, cache: Path, project: Path, packages_from: str) -> dict:
    """static/pyodide/: the core, the kernel's start wheels, the project's wheels, and the lock."""
    core = npm_package(f"pyodide@{PYODIDE_VERSION}", cache)
    target.mkdir(parents=True)
    for name in PYODIDE_CORE:
        shutil.copy2(core / name, target / name)
    lock = json.loads((core / "pyodide-lock.json").read_text())
    packages = lock["packages"]
    shipped = []
    for key in start_closure(packages):
        pkg = packages[key]
        wheel = pypi_wheel(pkg["name"], pkg["version"], cache)
        shutil.copy2(wheel, target / wheel.name)
        pkg.update(file_name=wheel.name, sha256=sha256(wheel), unvendored_tests=False)
        shipped.append(key)
    for name, entry in EXTRA.items():
        version = importlib.metadata.version(name)
        wheel = pypi_wheel(name, version, cache)
        shutil.copy2(wheel, target / wheel.name)
        packages[name] = lock_entry(wheel, name, version, **entry)
        shipped.append(name)
    shutil.copy2(project, target / project.name)
    version = project.name.split("-")[1]
    packages["backprop-lab"] = lock_entry(project, "backprop-lab", version, **PROJECT)
    shipped.append("backprop-lab")

    # The rest (numpy, matplotlib, Pillow, ...) comes from --packages: a URL, or a folder to copy from.
    local = Path(packages_from) if not re.match(r"^https?://", packages_from) else None
    copied = remote = 0
    fetched: dict[str, str] = {}  # import name -> where it is fetched from at run time
    for key, pkg in packages.items():
        if key in shipped:
            continue
        if local is not None and (local / pkg["file_name"]).is_file():
            shutil.copy2(local / pkg["file_name"], target / pkg["file_name"])
            copied += 1
            continue
        base = packages_from.rstrip("/") + "/" if local is None else PYODIDE_CDN
        pkg["file_name"] = base + pkg["file_name"]
        remote += 1
        fetched.update({name: source_name(base) for name in pkg.get("imports", [])})
    hint = hint_wheel(target, fetched)
    packages[HINT_PACKAGE] = lock_entry(hint, HINT_PACKAGE, HINT_VERSION, [HINT], [])
    shipped.append(HINT_PACKAGE)
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    say(f"Pyodide {PYODIDE_VERSION}: {len(shipped)} wheels shipped, {copied} copied from {local}, "
        f"{remote} left to {packages_from if local is None else PYODIDE_CDN}")
    return {"shipped": sorted(shipped), "copied": copied, "remote": remote}


# ----- the site ---------------------------------------------------------------------------------------
def site_config() -> dict:
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "Backprop Lab",
            "exposeAppInBrowser": True,  # window.jupyterapp: what the browser tests drive
            "litePluginSettings": {
                # piplite never reaches for pypi.org: every package comes from the site or the lock
                "@jupyterlite/pyodide-kernel-extension:kernel": {
                    "disablePyPIFallback": True,
                    # loaded before the kernel's IPython starts, which then loads it as an extension
                    "loadPyodideOptions": {"packages": [HINT_PACKAGE]},
                },
            },
            "settingsOverrides": {
                "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                                "checkForUpdates": False},
                # every cell rendered: widgets are never detached by virtual scrolling
                "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
            },
        },
    }


def contents(folder: Path) -> None:
    """The notebooks (outputs are already stripped in git) and the solutions, under notebooks/."""
    shutil.copytree(ROOT / "notebooks", folder / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=str(ROOT / "_site"), help="where the site goes (default _site/)")
    parser.add_argument("--packages", default=os.environ.get("BACKPROP_LAB_PYODIDE_PACKAGES", PYODIDE_CDN),
                        help="where numpy/matplotlib/Pillow come from: a URL (default Pyodide's CDN) or a "
                             "local Pyodide distribution folder")
    args = parser.parse_args(argv)
    started = time.monotonic()
    cache = Path(os.environ.get("BACKPROP_LAB_CACHE", Path.home() / ".cache" / "backprop-lab" / "lite"))
    output = Path(args.output).resolve()
    work = ROOT / "build" / "lite"
    shutil.rmtree(work, ignore_errors=True)
    lite_dir = work / "lite_dir"
    (lite_dir / "static").mkdir(parents=True)

    project = project_wheel(work / "wheel")
    info = build_pyodide(lite_dir / "static" / "pyodide", cache, project, args.packages)
    viz = npm_package(f"@viz-js/viz@{VIZ_VERSION}", cache)
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(site_config(), indent=2))
    contents(work / "contents")

    shutil.rmtree(output, ignore_errors=True)
    jupyter = Path(sys.executable).with_name("jupyter")
    say("jupyter lite build")
    run([str(jupyter), "lite", "build", "--lite-dir", str(lite_dir), "--contents", str(work / "contents"),
         "--output-dir", str(output), "--no-sourcemaps", "--no-unused-shared-packages"],
        cwd=work, stdout=subprocess.DEVNULL)
    # viz.js where widgets/rendering/wasm_layout.py looks for it (the build copies only Pyodide from static/)
    (output / "static" / "viz").mkdir(parents=True)
    shutil.copy2(viz / "dist" / "viz.js", output / "static" / "viz" / "viz.js")
    shutil.copy2(viz / "package.json", output / "static" / "viz" / "package.json")  # its licence: MIT
    manifest = {"pyodide": PYODIDE_VERSION, "viz": VIZ_VERSION, "packages": args.packages, **info,
                "size_mb": round(size_mb(output), 1)}
    (output / "backprop-lab-site.json").write_text(json.dumps(manifest, indent=1))
    say(f"built {output} ({manifest['size_mb']} MB) in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
