from . import test_data_model
from . import test_trash
