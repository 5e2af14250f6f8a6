"""Where the test data files live (tests/data/: LinkedIn, CSV and vCard samples and nasty variants)."""

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
