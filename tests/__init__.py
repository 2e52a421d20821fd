from . import test_data_model
from . import test_trash
from . import test_transfer
from . import test_lead_access
from . import test_sales_hierarchy
from . import test_default_salesperson
