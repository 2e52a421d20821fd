from . import customer_import_wizard
from . import customer_import_wizard_line
