from odoo import api
from odoo.tests import new_test_user

from ..compat import call_kw
from .import_common import CustomerImportCase

MODEL_METHODS = frozenset({"create", "search", "search_read", "search_count"})


class SecurityCase(CustomerImportCase):
    """Real users for the security tests, and a way to call a method as an
    XML-RPC client does: ``odoo.api.call_kw`` on a fresh environment of the
    user with an empty context, which is what ``odoo.service.model.
    execute_cr`` runs after authentication (``execute_kw`` would open and
    commit its own cursor, which cannot see the test's records).

    - ``admin``: Odoo's administrator (Settings, sales administrator);
    - ``contact_manager``: a salesperson with Contact Creation;
    - plus the users of ``CustomerOwnershipCase``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.contact_manager = new_test_user(
            cls.env,
            login="t_sec_contact_manager",
            name="Test Contact Manager",
            groups="base.group_user,sales_team.group_sale_salesman,"
            "base.group_partner_manager",
        )

    def _rpc(self, user, model, method, *args, **kwargs):
        env = api.Environment(self.env.cr, user.id, {})
        return call_kw(env[model], method, list(args), kwargs)

    def _callers(self):
        """(name, call) pairs: each test runs through both."""
        return (
            ("orm", self._orm),
            ("rpc", self._rpc),
        )

    def _merge_wizard_via(self, call, user, source, target):
        """The id of ``user``'s merge wizard of ``source`` into ``target``,
        created through ``call``."""
        wizard = call(
            user,
            "customer.merge.wizard",
            "create",
            {"source_partner_id": source.id, "target_partner_id": target.id},
        )
        return wizard if isinstance(wizard, int) else wizard.id

    def _orm(self, user, model, method, *args, **kwargs):
        """The same call through the ORM: record methods take the ids first,
        as over XML-RPC."""
        records = self.env[model].with_user(user)
        if method not in MODEL_METHODS:
            records = records.browse(args[0])
            args = args[1:]
        return getattr(records, method)(*args, **kwargs)
