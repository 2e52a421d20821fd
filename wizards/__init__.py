from . import customer_transfer_wizard
from . import customer_merge_wizard
from . import customer_import_wizard
from . import customer_import_wizard_line
from . import base_partner_merge_automatic_wizard
