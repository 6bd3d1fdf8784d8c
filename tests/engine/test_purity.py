"""dashboard.engine is pure: every module imports with django made unimportable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
sys.modules["django"] = None  # any "import django..." now raises ImportError
import pkgutil, importlib
import dashboard.engine as engine
names = [m.name for m in pkgutil.walk_packages(engine.__path__, "dashboard.engine.")]
for name in names:
    importlib.import_module(name)
print(len(names))
"""


def run_probe(extra_path: str | None = None) -> subprocess.CompletedProcess[str]:
    code = (
        PROBE
        if extra_path is None
        else PROBE.replace(
            "import dashboard.engine as engine",
            f"import dashboard.engine as engine\nengine.__path__.append({extra_path!r})",
        )
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_every_engine_module_imports_without_django():
    result = run_probe()
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 8


def test_the_probe_fails_when_an_engine_module_imports_django(tmp_path):
    (tmp_path / "leaky.py").write_text("from django.db import models\n")
    result = run_probe(str(tmp_path))
    assert result.returncode != 0
    assert "ImportError" in result.stderr or "ModuleNotFoundError" in result.stderr
