"""What points at a customer is declared once: ``CUSTOMER_RECORDS`` (the
transfer's kinds and the other records of a customer) or, with a reason,
``NOT_CUSTOMER_RECORDS``. The trash, the delete refusal, the definition of a
customer and the smart buttons read these declarations, so a link to a
customer that neither names would escape them all."""

from odoo.tests import TransactionCase

from ..models.customer_linked_records import (
    CUSTOMER_RECORDS,
    LINKED_KINDS,
    NOT_CUSTOMER_RECORDS,
)

MODULE = "crm_customer_ownership"


class TestCustomerRecords(TransactionCase):
    def _treated_models(self):
        """The models this module defines or extends, and those its
        declarations name."""
        models = set(
            self.env["ir.model"]
            .search([])
            .filtered(lambda model: MODULE in (model.modules or "").split(", "))
            .mapped("model")
        )
        return models | {records.model for records in CUSTOMER_RECORDS}

    def test_every_link_to_a_partner_is_declared(self):
        declared = {(records.model, records.link) for records in CUSTOMER_RECORDS}
        undeclared = []
        for model_name in sorted(self._treated_models()):
            model = self.env[model_name]
            if model._abstract or model._transient or not model._auto:
                continue
            for field in model._fields.values():
                if (
                    field.type == "many2one"
                    and field.comodel_name == "res.partner"
                    and field.store
                    and field.column_type
                    and (model_name, field.name) not in declared
                    and (model_name, field.name) not in NOT_CUSTOMER_RECORDS
                ):
                    undeclared.append(f"{model_name}.{field.name}")
        self.assertFalse(
            undeclared,
            "Declare these links to a customer in CUSTOMER_RECORDS "
            "(customer_linked_records.py), or in NOT_CUSTOMER_RECORDS with why.",
        )

    def test_declarations_name_real_fields(self):
        for model_name, fname in [
            *((records.model, records.link) for records in CUSTOMER_RECORDS),
            *NOT_CUSTOMER_RECORDS,
        ]:
            with self.subTest(model=model_name, field=fname):
                self.assertIn(fname, self.env[model_name]._fields)
                self.assertEqual(
                    self.env[model_name]._fields[fname].comodel_name or "res.partner",
                    "res.partner",
                )
                self.assertTrue(NOT_CUSTOMER_RECORDS.get((model_name, fname), "-"))

    def test_kinds_with_a_smart_button_open_their_records(self):
        partner = self.env["res.partner"].create({"name": "Smart Buttons"})
        for kind in LINKED_KINDS:
            if not kind.partner_count:
                continue
            with self.subTest(kind=kind.key):
                action = partner._action_view_kind(kind.key)
                self.assertEqual(action["res_model"], kind.model)
                self.assertEqual(action["domain"], [(kind.link, "=", partner.id)])
