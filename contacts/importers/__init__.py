"""Bringing contacts in (LinkedIn Connections.csv, Coffeechat CSV, vCard) — the import service layer.

`services.import_contacts` is the one writer; `services.import_inspect` checks a file
without writing; `services.import_job_create` / `import_job_run` run large files in the
background. See `csv_format` for the documented CSV columns.
"""
