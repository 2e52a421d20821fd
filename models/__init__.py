# First: the models of ENGINE_FIELDS inherit its guard.
from . import customer_engine_guard
from . import customer_structure_unit
from . import customer_visit_report
from . import customer_visit_block
from . import customer_consent
from . import res_partner
from . import res_partner_trash
from . import res_partner_transfer
from . import customer_transfer_kinds_mixin
from . import customer_ownership_history
from . import mail_activity
from . import calendar_event
from . import ir_config_parameter
from . import ir_module_module
from . import res_config_settings
from . import res_users
from . import res_company
from . import crm_lead
from . import customer_reference_redirect
from . import res_partner_merge
from . import customer_merge_log
from . import customer_import_plan_line_mixin
from . import customer_import
from . import customer_import_log
from . import customer_import_log_line
from . import ir_actions

# Last: its wrapper of the transfer engine must come first in the MRO.
from . import res_partner_security
