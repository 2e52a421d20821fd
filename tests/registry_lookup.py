from odoo.modules.registry import Registry


def allow_registry_lookup_in_threads(case):
    """Let threads of ``case`` look up the loaded registry.

    Odoo's test runner (odoo-bin --test-enable) holds the registry lock while
    it runs the tests, and a cursor's first environment, like the retry of a
    request after a serialization failure, looks the registry up under that
    lock: a test thread would wait for the end of the test run. The registry
    is loaded; reading it needs no lock (pytest-odoo holds none anyway).
    """
    case.patch(Registry, "__new__", lambda cls, db_name: cls.registries[db_name])
