from . import customer_transfer_wizard
from . import customer_merge_wizard
from . import customer_import_wizard
from . import customer_import_wizard_line
