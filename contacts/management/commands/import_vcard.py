from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import a vCard 3.0/4.0 (.vcf) file into a user's contacts."
    kind = "vcard"
