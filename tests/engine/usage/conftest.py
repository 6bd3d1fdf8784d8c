import datetime
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "usage"
TODAY = datetime.date(2026, 11, 29)


@pytest.fixture
def sample():
    def path(name: str) -> Path:
        return SAMPLES / name

    return path
