from . import test_data_model
from . import test_trash
from . import test_customer_import
