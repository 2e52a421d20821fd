from . import test_data_model
