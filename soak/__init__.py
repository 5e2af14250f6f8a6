"""The soak: Coffeechat under load and injected faults, checked against what its clients were told.

`make soak` (60 s per phase) or `make soak-quick` (15 s, the CI form); see soak/run.py and
docs/reliability.md.
"""
