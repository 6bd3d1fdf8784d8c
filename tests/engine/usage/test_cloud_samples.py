"""Every cloud sample file: what make_cloud_samples.py writes, in the canonical shape."""

import importlib.util

from dashboard.engine.usage import CANONICAL_COLUMNS, read_usage

from .cloud_rules import CLOUD, SEED_RULES
from .conftest import TODAY


def test_every_cloud_sample_file_is_what_make_cloud_samples_writes():
    spec = importlib.util.spec_from_file_location("make_cloud", CLOUD / "make_cloud_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert sorted(module.SAMPLES) == sorted(p.name for p in CLOUD.glob("*.csv"))
    for name, make in module.SAMPLES.items():
        assert (CLOUD / name).read_bytes().decode("utf-8") == make(), name


def test_every_cloud_sample_gives_the_canonical_frame():
    for path in sorted(CLOUD.glob("*.csv")):
        frame, report = read_usage(path, today=TODAY, meter_rules=SEED_RULES)
        assert list(frame.columns) == CANONICAL_COLUMNS, path.name
        assert str(frame["day"].dtype) == "datetime64[ns]", path.name
        keys = ["day", "source_provider", "source_model", "batch"]
        assert not frame.duplicated(keys).any(), path.name
        assert report.has_reported_cost, path.name
