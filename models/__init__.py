from . import customer_structure_unit
from . import customer_visit_report
from . import customer_visit_block
from . import customer_consent
from . import res_partner
from . import customer_ownership_history
from . import customer_reference_redirect
from . import res_partner_merge
