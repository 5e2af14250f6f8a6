from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import a Coffeechat contacts CSV (the export's columns) into a user's contacts."
    kind = "csv"
