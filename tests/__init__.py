from . import test_data_model
from . import test_customer_merge_rules
from . import test_customer_merge_moves
from . import test_customer_merge_parity
