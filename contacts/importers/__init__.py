"""Bringing contacts in (LinkedIn Connections.csv, Coffeechat CSV, vCard) — the import service layer.

`services` holds the entry points: `import_contacts` (the one writer), `import_inspect`
(checks a file without writing), `import_upload` (an upload from the API or the Import
page). Beneath it: `formats` (which parser reads which kind; the whole-file check),
`upsert` (the batch upsert engine), `jobs` (large files in the background), and `reading`,
`rows`, `linkedin`, `csv_format`, `vcard` (turning files into rows). See `csv_format` for the
documented CSV columns.
"""
