from . import customer_transfer_wizard
