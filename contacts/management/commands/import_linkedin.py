from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import LinkedIn's Connections.csv into a user's contacts."
    kind = "linkedin"
