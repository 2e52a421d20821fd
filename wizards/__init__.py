from . import customer_merge_wizard
